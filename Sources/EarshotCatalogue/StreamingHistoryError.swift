/// Why a listening-history file cannot be imported as a whole.
///
/// Each description is one line, fit to print as `earshot: <description>`.
/// (A file that cannot be opened is ``CatalogueError/unreadableFile(path:reason:)``.)
public enum StreamingHistoryError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file is not valid JSON.
    case notJSON(path: String, reason: String)
    /// The file is JSON but not an array of plays of a known format; `found`
    /// says what it holds instead.
    case notStreamingHistory(path: String, found: String)
    /// Nobody to store the plays for: the format (or this play) names no user
    /// and none was given.
    case missingUser(path: String, format: StreamingHistoryFormat)

    public var description: String {
        switch self {
        case let .notJSON(path, reason):
            return "\(path): not a Spotify streaming history: not valid JSON (\(reason))"
        case let .notStreamingHistory(path, found):
            return "\(path): not a Spotify streaming history: expected a JSON array of plays with the keys "
                + "ts, ms_played, spotify_track_uri (Extended) or endTime, artistName, trackName, msPlayed "
                + "(account data); found \(found)"
        case let .missingUser(path, format):
            let why = format == .accountData
                ? "account-data exports do not name their user" : "its plays have no username field"
            return "\(path): \(why); give the user's name with --user NAME"
        }
    }
}
