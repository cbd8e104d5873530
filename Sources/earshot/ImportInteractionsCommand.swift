import ArgumentParser
import EarshotCatalogue
import Foundation

/// `earshot import interactions --db DB FILE`: implicit feedback
/// (`user<TAB>item<TAB>weight` with a header, e.g. Last.fm play counts) into
/// the catalogue, where `earshot train … --db` reads it with the listens.
struct ImportInteractionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interactions",
        abstract: "Import user<TAB>item<TAB>weight interactions (with a header line) into the catalogue database.",
        discussion: """
            Each (user, item) pair is stored once: importing again changes nothing, and a new weight replaces the \
            old one. `earshot train mf|two-tower --db DB` trains on them together with the listens.
            """)

    @Option(help: ArgumentHelp("The catalogue database; created when missing.", valueName: "DB"))
    var db: String

    @Argument(help: ArgumentHelp("Interactions TSV files.", valueName: "FILE"))
    var files: [String]

    func run() throws {
        var total = ImportSummary()
        do {
            let store = try CatalogueStore.open(path: db, create: true)
            for file in files {
                let summary = try InteractionsImporter(store: store).importFile(atPath: file)
                for problem in summary.problems {
                    FileHandle.standardError.write(Data("\(file):\(problem.line): \(problem.reason)\n".utf8))
                }
                FileHandle.standardError.write(Data(
                    "\(file): \(summary.rows) rows: \(summary.imported) new, \(summary.updated) updated, \(summary.duplicates) repeated, \(summary.skipped) skipped\n".utf8))
                total.rows += summary.rows
                total.imported += summary.imported
                total.updated += summary.updated
                total.duplicates += summary.duplicates
                total.skipped += summary.skipped
            }
        } catch {
            FileHandle.standardError.write(Data("earshot: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        print(String(decoding: try encoder.encode(total), as: UTF8.self))
    }
}
