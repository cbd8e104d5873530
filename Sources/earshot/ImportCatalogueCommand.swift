import ArgumentParser
import EarshotCatalogue
import Foundation

/// `earshot import catalogue --db DB FILE...`: imports Spotify Tracks Dataset
/// CSV files into the catalogue database, creating it when missing.
///
/// Reports go to stderr (each skipped row as `FILE:LINE: reason`, then a
/// summary per file); the last line of stdout is the JSON summary of all
/// files, e.g. `{"duplicates":24259,"imported":89741,"rows":114000,"skipped":0,"updated":0}`.
/// A failure prints one line `earshot: …` on stderr and exits with status 1;
/// files imported before it stay imported (each file is one transaction).
struct ImportCatalogueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogue",
        abstract: "Import Spotify Tracks Dataset CSV files into the catalogue database.",
        discussion: """
            Importing is idempotent: tracks already in the database are updated and keep their genres. \
            Rows that cannot be read are skipped and reported on stderr as FILE:LINE: reason.
            """)

    @Option(help: ArgumentHelp("The catalogue database; created when missing.", valueName: "DB"))
    var db: String

    @Argument(help: ArgumentHelp("Spotify Tracks Dataset CSV files (tracks.csv).", valueName: "FILE"))
    var files: [String]

    func run() throws {
        do {
            print(try importAll())
        } catch {
            report("earshot: \(String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " "))")
            throw ExitCode.failure
        }
    }

    /// Imports every file and returns the JSON summary line of them all.
    private func importAll() throws -> String {
        // Refuse unsupported files before the database is touched.
        if let dump = files.first(where: { $0.lowercased().hasSuffix(".sql") }) {
            throw UnsupportedFile(path: dump, reason: "PostgreSQL dump import is not implemented yet")
        }
        let store = try CatalogueStore.open(path: db, create: true)
        let importer = SpotifyTracksCSVImporter(store: store)
        // Progress lines only on an interactive terminal, never into logs or pipes.
        let showProgress = isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1
        var total = ImportSummary()
        for file in files {
            let summary = try importer.importFile(atPath: file) { rows in
                if showProgress { report("\r\(file): \(rows) rows", newline: false) }
            }
            if showProgress { report("\r\u{1B}[K", newline: false) }  // erase the progress line
            for problem in summary.problems {
                report("\(file):\(problem.line): \(problem.reason)")
            }
            report(
                "\(file): \(summary.rows) rows: \(summary.imported) new, \(summary.updated) updated, "
                    + "\(summary.duplicates) duplicate rows (more genres), \(summary.skipped) skipped")
            total.rows += summary.rows
            total.imported += summary.imported
            total.updated += summary.updated
            total.duplicates += summary.duplicates
            total.skipped += summary.skipped
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(total), as: UTF8.self)
    }

    private func report(_ text: String, newline: Bool = true) {
        FileHandle.standardError.write(Data((newline ? text + "\n" : text).utf8))
    }
}

/// A file this command cannot import, with the reason.
private struct UnsupportedFile: Error, CustomStringConvertible {
    let path: String
    let reason: String

    var description: String { "\(path): \(reason)" }
}
