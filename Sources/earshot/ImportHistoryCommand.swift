import ArgumentParser
import EarshotCatalogue
import Foundation

/// `earshot import history --db DB [--user NAME] FILE...`: imports Spotify
/// streaming-history exports (Extended or account data, recognised from their
/// content) as listens of catalogue tracks.
///
/// Reports go to stderr (per file: format and counts, each unreadable play as
/// `FILE: play N: reason`; then the most-played unmatched tracks); the last
/// line of stdout is the JSON summary of all files, e.g.
/// `{"duplicates":1,"imported":3241,"matched":3242,"rows":6978,"skipped":49,"unmatched":3687}`.
/// A failure prints one line `earshot: …` on stderr and exits with status 1;
/// files imported before it stay imported (each file is one transaction).
struct ImportHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Import Spotify streaming-history exports as listens.",
        discussion: """
            Reads the Extended streaming history (Streaming_History_Audio_*.json, endsong_*.json) and the \
            account-data export (StreamingHistory*.json). Extended plays are matched by track id; account-data \
            plays, which have no ids, by normalized artist and title. Podcasts and audiobooks are skipped; plays \
            of tracks not in the catalogue are counted as unmatched and not stored. Importing a file again adds \
            nothing.
            """)

    @Option(help: ArgumentHelp("The catalogue database; it must exist (import a catalogue first).", valueName: "DB"))
    var db: String

    @Option(help: ArgumentHelp(
        "Whose plays these are. Required for account-data exports and Extended exports without a username field; "
            + "overrides the file's username.", valueName: "NAME"))
    var user: String?

    @Argument(help: ArgumentHelp("Streaming-history JSON files.", valueName: "FILE"))
    var files: [String]

    /// How many of the most-played unmatched tracks to list.
    private static let unmatchedShown = 10

    func validate() throws {
        if let user, user.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--user must not be empty")
        }
    }

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
        // A missing catalogue would match nothing: say so instead of creating an empty one.
        guard FileManager.default.fileExists(atPath: db) else { throw MissingCatalogue(path: db) }
        let store = try CatalogueStore.open(path: db, create: false)
        if try store.trackCount() == 0 {
            report("\(db): the catalogue has no tracks, so no play can match; import a catalogue first")
        }
        let importer = StreamingHistoryImporter(store: store)
        var total = HistoryImportSummary()
        for file in files {
            let summary = try importer.importFile(atPath: file, user: user)
            for problem in summary.problems {
                report("\(file): play \(problem.play): \(problem.reason)")
            }
            report("\(file): \(describe(summary))")
            total.add(summary)
        }
        if files.count > 1 { report("total: \(describe(total))") }
        if !total.unmatchedTracks.isEmpty {
            report("most-played unmatched tracks (\(total.unmatchedTracks.count) distinct):")
            for track in total.unmatchedTracks.prefix(Self.unmatchedShown) {
                let artist = track.name.artist.isEmpty ? "?" : track.name.artist
                let title = track.name.title.isEmpty ? "?" : track.name.title
                report("  \(track.plays) × \(artist) – \(title)")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(total), as: UTF8.self)
    }

    /// One line of counts, e.g. "Extended streaming history: 35 plays: 12 matched (12 new, 0 already stored), …".
    private func describe(_ summary: HistoryImportSummary) -> String {
        let format = summary.format.map { "\($0.displayName): " } ?? ""
        return "\(format)\(summary.rows) plays: \(summary.matched) matched (\(summary.imported) new, "
            + "\(summary.duplicates) already stored), \(summary.unmatched) unmatched, \(summary.skipped) skipped "
            + "(\(summary.nonMusic) podcast/audiobook, \(summary.skipped - summary.nonMusic) unreadable)"
    }

    private func report(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// The catalogue database named by `--db` does not exist.
private struct MissingCatalogue: Error, CustomStringConvertible {
    let path: String

    var description: String {
        "\(path): no such catalogue; create it first with earshot import catalogue --db \(path) FILE"
    }
}
