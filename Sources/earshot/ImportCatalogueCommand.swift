import ArgumentParser
import EarshotCatalogue
import Foundation

/// `earshot import catalogue --db DB FILE...`: imports Spotify Tracks Dataset
/// CSV files and the seed project's PostgreSQL dump into the catalogue
/// database, creating it when missing.
///
/// Reports go to stderr (each skipped row or other problem as `FILE:LINE:
/// reason`, then a summary per file); the last line of stdout is the JSON
/// summary of all files, e.g.
/// `{"duplicates":24259,"imported":89741,"rows":114000,"skipped":0,"updated":0}`.
/// A failure prints one line `earshot: …` on stderr and exits with status 1;
/// files imported before it stay imported (each file is one transaction).
struct ImportCatalogueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogue",
        abstract: "Import Spotify Tracks Dataset CSV files or the seed's PostgreSQL dump into the catalogue database.",
        discussion: """
            A file whose name ends in .sql, or that starts like a pg_dump file, is read as the seed project's \
            plain-SQL PostgreSQL dump (tables track, audio_features, artist); any other file as a Spotify Tracks \
            Dataset CSV. Importing is idempotent: tracks already in the database are updated and keep their genres. \
            Rows that cannot be read are skipped and reported on stderr as FILE:LINE: reason.
            """)

    @Option(help: ArgumentHelp("The catalogue database; created when missing.", valueName: "DB"))
    var db: String

    @Argument(help: ArgumentHelp(
        "Spotify Tracks Dataset CSV files (tracks.csv) or plain-SQL pg_dump files of the seed database.",
        valueName: "FILE"))
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
        // Know every file's format (and that it is readable) before the database is touched.
        let formats = try files.map { try CatalogueFileFormat.detect(atPath: $0) }
        let store = try CatalogueStore.open(path: db, create: true)
        let csvImporter = SpotifyTracksCSVImporter(store: store)
        let dumpImporter = PostgresDumpImporter(store: store)
        // Progress lines only on an interactive terminal, never into logs or pipes.
        let showProgress = isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1
        var total = ImportSummary()
        for (file, format) in zip(files, formats) {
            let progress: (Int) -> Void = { rows in
                if showProgress { report("\r\(file): \(rows) rows", newline: false) }
            }
            let summary: ImportSummary
            let duplicatesMeaning: String
            switch format {
            case .spotifyTracksCSV:
                summary = try csvImporter.importFile(atPath: file, progress: progress)
                duplicatesMeaning = "duplicate rows (more genres)"
            case .postgresDump:
                summary = try dumpImporter.importFile(atPath: file, progress: progress)
                duplicatesMeaning = "repeated tracks"
            }
            if showProgress { report("\r\u{1B}[K", newline: false) }  // erase the progress line
            for problem in summary.problems {
                report("\(file):\(problem.line): \(problem.reason)")
            }
            report(
                "\(file): \(summary.rows) \(format == .postgresDump ? "track rows" : "rows"): "
                    + "\(summary.imported) new, \(summary.updated) updated, "
                    + "\(summary.duplicates) \(duplicatesMeaning), \(summary.skipped) skipped")
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
