import ArgumentParser
import EarshotCatalogue
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export the catalogue's data for tools that run elsewhere.",
        subcommands: [ExportInteractionsCommand.self])
}

/// `earshot export interactions --db DB OUT`: the catalogue's listens and
/// interactions as the interactions TSV every trainer reads, so a
/// deployment's own data can go to `contrib/spark/train_als.py`.
///
/// The last line of stdout is a JSON summary, e.g. `{"rows":74272,"users":1892}`.
struct ExportInteractionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interactions",
        abstract: "Write the catalogue's listens and interactions as a user<TAB>item<TAB>weight TSV.",
        discussion: """
            One row per user and track, weight = the user's listens of the track plus its imported interaction \
            weight: exactly what `earshot train mf --db DB` trains on. Header line, rows in user then item order; \
            OUT is replaced atomically. The format is TSV only (Spark and `earshot train` read it directly; \
            `contrib/spark/train_als.py` also reads Parquet, which this command does not write).
            """)

    @Option(help: ArgumentHelp("The catalogue database.", valueName: "DB"))
    var db: String

    @Argument(help: ArgumentHelp("The TSV file to write.", valueName: "OUT"))
    var out: String

    func validate() throws {
        let lowered = out.lowercased()
        guard !lowered.hasSuffix(".parquet"), !lowered.hasSuffix(".pq") else {
            throw ValidationError("earshot writes interactions as TSV only; give OUT a .tsv name (Spark reads it as it is)")
        }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else {
            throw CLIError("catalogue \(db) does not exist; import one with `earshot import ...` first")
        }
        let summary: InteractionsExportSummary
        do {
            let store = try CatalogueStore.open(path: db, create: false)
            summary = try InteractionsExporter(store: store).export(toPath: out)
        } catch let error as InteractionsExportError {
            throw CLIError(error.description)
        } catch {
            throw CLIError("catalogue \(db): \(error)")
        }
        FileHandle.standardError.write(Data("\(out): \(summary.rows) rows of \(summary.users) users\n".utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    }
}
