/// The two kinds of Spotify listening-history export, told apart by their keys.
public enum StreamingHistoryFormat: Sendable, Hashable {
    /// The Extended streaming history (`Streaming_History_Audio_*.json`, older
    /// `endsong_*.json`): one object per play with `ts`, `ms_played`,
    /// `spotify_track_uri`, `master_metadata_*`, `reason_end`, `skipped`, …
    case extended
    /// The account-data export (`StreamingHistory*.json`): one object per play
    /// with `endTime`, `artistName`, `trackName`, `msPlayed` and no ids.
    case accountData

    /// The `source` its listens are stored under.
    public var source: String {
        switch self {
        case .extended: return "spotify-extended"
        case .accountData: return "spotify-account"
        }
    }

    /// A name for reports.
    public var displayName: String {
        switch self {
        case .extended: return "Extended streaming history"
        case .accountData: return "account-data streaming history"
        }
    }

    /// The keys that identify each format: a play object with all of them is of that format.
    static let identifyingKeys: [(StreamingHistoryFormat, [String])] = [
        (.extended, ["ts", "ms_played", "spotify_track_uri"]),
        (.accountData, ["endTime", "artistName", "trackName", "msPlayed"]),
    ]

    /// The format of a play object with `keys`, or `nil` when it has neither format's keys.
    static func detect(keys: some Collection<String>) -> StreamingHistoryFormat? {
        let present = Set(keys)
        return identifyingKeys.first { $0.1.allSatisfy(present.contains) }?.0
    }
}
