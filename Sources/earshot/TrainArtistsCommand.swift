import ArgumentParser
import EarshotCatalogue
import EarshotScoring
import EarshotSnapshot
import EarshotTraining
import Foundation

/// `earshot train artists --lastfm DIR --db DB --out DIR`: collaborative
/// knowledge for a catalogue with few listeners. Trains implicit ALS over
/// the public Last.fm listeners' artists (`user_artists.dat`), maps those
/// artists onto the catalogue's by normalized name (`artists.dat`), and
/// writes the `artists/` part, a `popular/` part and a `blend/` part that
/// combines `content`, `artists` and `popular` with weights fitted on the
/// catalogue's stored listens (each user's first 80% of tracks predicting
/// the later 20%).
///
/// Reports on stderr; the last line of stdout is a JSON summary with the
/// matched artists, listening pairs and catalogue tracks and rows.
struct TrainArtistsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artists",
        abstract: "Train the artists scorer from Last.fm listeners (HetRec 2011) and a blend of content, artists and popular.")

    static let blendSources = ["content", "artists", "popular"]
    /// The lone listener is judged on recall@100, so the weights fit ndcg@100.
    static let defaultFitK = 100

    @Option(help: ArgumentHelp("Folder with the HetRec Last.fm files user_artists.dat and artists.dat.", valueName: "DIR"))
    var lastfm: String

    @Option(help: ArgumentHelp("The catalogue database whose tracks the artists map onto.", valueName: "DB"))
    var db: String

    @Option(help: ArgumentHelp("The snapshot directory to write; must not exist yet.", valueName: "DIR"))
    var out: String

    @Option(help: "Latent factors per listener and artist.")
    var factors = ALSConfiguration().factors

    @Option(help: "Weight of a track's within-artist prior (its catalogue popularity, 0–1) in its artists score.")
    var priorWeight = 0.1

    @Option(help: "Weight of ln(1 + the listener's plays of a track's artist) in its artists score: the listener's own artists, known to Last.fm or not.")
    var ownWeight = 1.0

    @Option(help: "Candidates each blend source contributes to the pool (its top N).")
    var candidates = 300

    @Option(help: "Blend weights maximize ndcg at this cut-off on the stored listens' later 20%.")
    var fitK = Self.defaultFitK

    @Option(help: "Worker threads (default: all cores).")
    var threads = ALSConfiguration.processorCount

    @Option(help: "Random seed of the ALS factors.")
    var seed = ALSConfiguration().seed

    func run() throws {
        let started = Date()
        try CLIError.reporting {
            try SnapshotWriter.checkDestination(out)
            let directory = URL(fileURLWithPath: lastfm)
            let table = try InteractionTable.read(tsv: directory.appendingPathComponent("user_artists.dat").path)
            let names = try LastFMArtists.read(directory.appendingPathComponent("artists.dat").path)
            let (catalogue, listens) = try Self.readCatalogue(db)

            var configuration = ALSConfiguration()
            configuration.factors = factors
            configuration.threads = threads
            configuration.seed = seed
            let progress = TerminalProgress(label: "artists ALS iteration")
            let model = try ALSTrainer(interactions: table, configuration: configuration).train { progress.update($0, of: $1) }
            progress.finish()

            let mapping = ArtistMapping(artists: PublicArtists(model: model, names: names, table: table), catalogue: catalogue)
            FileHandle.standardError.write(Data(mapping.report.utf8))
            let artists = mapping.snapshotPart(priorWeight: priorWeight, ownWeight: ownWeight)
            let popular = CataloguePopularity.part(catalogue: catalogue, listens: listens)

            let parts = [artists, popular.snapshotPart(training: ["listens": listens.count])]
            let (blend, fitted) = try CatalogueBlendFit.part(
                sources: Self.blendSources, parts: parts, catalogue: catalogue, listens: listens, candidates: candidates,
                fitK: fitK)
            let manifest = try SnapshotWriter.write(
                parts + [blend.snapshotPart()], to: out, catalogueFingerprint: catalogue.fingerprint)
            let seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
            print(
                #"{"snapshot":\#(jsonString(URL(fileURLWithPath: out).standardizedFileURL.path)),"id":\#(jsonString(manifest.id)),"#
                    + mapping.summaryJSON
                    + #","blend_weights":[\#(blend.weights.map { String(format: "%.4f", $0) }.joined(separator: ","))],"#
                    + #""blend_fit_users":\#(fitted.examples),"blend_fitted":\#(fitted.fitted),"seconds":\#(seconds)}"#)
        }
    }

    /// The catalogue and every stored listen.
    static func readCatalogue(_ db: String) throws -> (TrackCatalogue, [StoredListen]) {
        guard FileManager.default.fileExists(atPath: db) else {
            throw CLIError("catalogue \(db) does not exist; import one with `earshot import catalogue` first")
        }
        do {
            let store = try CatalogueStore.open(path: db, create: false)
            let catalogue = try store.loadCatalogue()
            guard catalogue.count > 0 else { throw CLIError("catalogue \(db) has no tracks; import a catalogue first") }
            return (catalogue, try store.allListens())
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("catalogue \(db): \(error)")
        }
    }
}
