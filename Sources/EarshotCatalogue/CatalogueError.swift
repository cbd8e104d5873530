/// Failures of the catalogue store and its importers that are not plain SQLite errors.
///
/// Each description is one line, fit to print as `earshot: <description>`.
public enum CatalogueError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The database was written by a newer build with schema version `found`.
    case newerSchema(found: Int, supported: Int)
    /// A file to import could not be opened or read.
    case unreadableFile(path: String, reason: String)
    /// The file's header is not the Spotify Tracks Dataset's; `found` is the
    /// header as read (empty for an empty file).
    case notSpotifyTracksCSV(path: String, found: String)
    /// The file's header is not `user<TAB>item<TAB>weight`.
    case notInteractionsTSV(path: String, found: String)

    /// The failure as one line, naming the file where there is one.
    public var description: String {
        switch self {
        case let .newerSchema(found, supported):
            return "catalogue schema version \(found) is newer than this build supports (\(supported)); upgrade earshot"
        case let .unreadableFile(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .notSpotifyTracksCSV(path, found):
            let expected = SpotifyTracksCSVImporter.columns.joined(separator: ",")
            let what = found.isEmpty ? "found an empty file" : "found \(Self.quotedExcerpt(found))"
            return "\(path): not a Spotify tracks CSV: expected header \(expected); \(what)"
        case let .notInteractionsTSV(path, found):
            let what = found.isEmpty ? "found an empty file" : "found \(Self.quotedExcerpt(found))"
            return "\(path): not an interactions TSV: expected the header user<TAB>item<TAB>weight; \(what)"
        }
    }

    /// `text` in double quotes on one line: control characters escaped, cut after 120 characters.
    static func quotedExcerpt(_ text: String) -> String {
        var excerpt = ""
        for (count, scalar) in text.unicodeScalars.enumerated() {
            if count == 120 {
                excerpt += "…"
                break
            }
            excerpt += scalar.properties.generalCategory == .control || scalar == "\"" || scalar == "\\"
                ? scalar.escaped(asASCII: false) : String(scalar)
        }
        return "\"\(excerpt)\""
    }
}
