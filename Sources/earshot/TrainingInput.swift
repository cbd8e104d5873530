import ArgumentParser
import EarshotSnapshot
import EarshotTraining

/// Where a trainer reads its data and writes its snapshot: the options every
/// `earshot train` command shares.
struct TrainingInput: ParsableArguments {
    @Option(help: ArgumentHelp("Training interactions: header line, then user<TAB>item<TAB>weight (play count).", valueName: "TSV"))
    var interactions: String?

    @Option(help: ArgumentHelp(
        "Train on the catalogue's listens instead (plays per user and track; two-tower also takes each track's genres as its tags).",
        valueName: "DB"))
    var db: String?

    @Option(help: ArgumentHelp("The snapshot directory to write; must not exist yet.", valueName: "DIR"))
    var out: String

    @Option(help: ArgumentHelp("Copy the other parts of this snapshot into the new one (replacing the part trained here).", valueName: "DIR"))
    var into: String?

    func validate() throws {
        guard (interactions == nil) != (db == nil) else {
            throw ValidationError("give exactly one of --interactions TSV and --db DB")
        }
    }

    /// The interactions, and the catalogue when they come from one. Refuses
    /// an existing `--out` first, so no training is wasted on it.
    func load() throws -> (InteractionTable, CatalogueTrainingData?) {
        try SnapshotWriter.checkDestination(out)
        if let db {
            let data = try CatalogueTrainingData.load(db: db)
            return (data.interactions, data)
        }
        guard let interactions else { throw ValidationError("give --interactions TSV or --db DB") }
        return (try InteractionTable.read(tsv: interactions), nil)
    }
}
