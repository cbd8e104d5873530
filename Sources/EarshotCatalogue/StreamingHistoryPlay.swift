import EarshotTime
import Foundation

/// One music play read from a streaming-history export, checked and converted.
struct StreamingHistoryPlay {
    /// When the play ended (both formats record the end), in UTC.
    var timestamp: Date
    var msPlayed: Int?
    /// See ``skipRule(flag:reasonEnd:)``; always `nil` for account data, which does not say.
    var skipped: Bool?
    /// The artist and title as exported (empty when missing), for matching and reports.
    var artist: String
    var title: String
    /// The Spotify track id from `spotify_track_uri`; `nil` for account data
    /// and for plays without one (local files).
    var trackID: String?
    /// The play's own `username` (older Extended exports only).
    var username: String?

    /// Fields that are set only on podcast-episode and audiobook plays.
    static let nonMusicKeys = [
        "episode_name", "episode_show_name", "spotify_episode_uri",
        "audiobook_title", "audiobook_uri", "audiobook_chapter_uri", "audiobook_chapter_title",
    ]

    /// `reason_end` values that mean the user moved on before the track ended.
    static let skippingReasons: Set<String> = ["fwdbtn", "backbtn", "endplay"]

    /// Reads one element of the export's array: `nil` for a podcast episode
    /// or an audiobook, a rejection for a play that cannot be read.
    static func read(_ element: Any, format: StreamingHistoryFormat) throws(RowRejection) -> StreamingHistoryPlay? {
        guard let object = element as? [String: Any] else { throw RowRejection(reason: "not a JSON object") }
        let fields = Fields(object: object)
        switch format {
        case .extended: return try extended(fields)
        case .accountData: return try accountData(fields)
        }
    }

    private static func extended(_ fields: Fields) throws(RowRejection) -> StreamingHistoryPlay? {
        let uri = try fields.string("spotify_track_uri")
        let trackPrefix = "spotify:track:"
        let isTrack = uri.map { $0.hasPrefix(trackPrefix) && $0.count > trackPrefix.count } ?? false
        let title = try fields.string("master_metadata_track_name")
        if !isTrack {
            if nonMusicKeys.contains(where: fields.isSet) || uri?.hasPrefix("spotify:episode:") == true { return nil }
            // A local file has a name but no catalogue id: it is music, only unmatched.
            guard uri != nil || title != nil else {
                throw RowRejection(reason: "neither a track nor a podcast episode or audiobook: spotify_track_uri, "
                    + "master_metadata_track_name and episode_name are all null")
            }
        }
        guard let ts = try fields.string("ts") else { throw RowRejection(reason: "ts: missing") }
        guard let timestamp = ISO8601Timestamp.parse(ts) else {
            throw RowRejection(reason: "ts: not an ISO 8601 time with a zone: \(CatalogueError.quotedExcerpt(ts))")
        }
        return StreamingHistoryPlay(
            timestamp: timestamp, msPlayed: try fields.duration("ms_played"),
            skipped: skipRule(flag: try fields.bool("skipped"), reasonEnd: try fields.string("reason_end")),
            artist: try fields.string("master_metadata_album_artist_name") ?? "", title: title ?? "",
            trackID: isTrack ? uri.map { String($0.dropFirst(trackPrefix.count)) } : nil,
            username: try fields.string("username").flatMap { $0.isEmpty ? nil : $0 })
    }

    private static func accountData(_ fields: Fields) throws(RowRejection) -> StreamingHistoryPlay {
        guard let endTime = try fields.string("endTime") else { throw RowRejection(reason: "endTime: missing") }
        guard let timestamp = ISO8601Timestamp.parseMinute(endTime) else {
            throw RowRejection(reason: "endTime: expected YYYY-MM-DD HH:MM, found \(CatalogueError.quotedExcerpt(endTime))")
        }
        guard let artist = try fields.string("artistName") else { throw RowRejection(reason: "artistName: missing") }
        guard let title = try fields.string("trackName") else { throw RowRejection(reason: "trackName: missing") }
        return StreamingHistoryPlay(
            timestamp: timestamp, msPlayed: try fields.duration("msPlayed"), skipped: nil,
            artist: artist, title: title, trackID: nil, username: nil)
    }

    /// Whether a play was skipped: `true` when Spotify's `skipped` flag is
    /// true or the play ended with the forward or back button or by the user
    /// starting something else (`reason_end` `fwdbtn`, `backbtn`, `endplay`);
    /// `false` when the flag is false or the track played to its end
    /// (`trackdone`); otherwise unknown (`nil`). The reasons matter for older
    /// exports, whose `skipped` is often null; in recent ones they agree with
    /// the flag.
    static func skipRule(flag: Bool?, reasonEnd: String?) -> Bool? {
        if flag == true || reasonEnd.map(skippingReasons.contains) == true { return true }
        if flag == false || reasonEnd == "trackdone" { return false }
        return nil
    }

    /// Typed access to a play object's fields: JSON null and a missing key are
    /// both `nil`; a value of the wrong type is a rejection naming the key.
    private struct Fields {
        let object: [String: Any]

        func isSet(_ key: String) -> Bool {
            guard let value = object[key] else { return false }
            return !(value is NSNull)
        }

        func string(_ key: String) throws(RowRejection) -> String? {
            guard isSet(key) else { return nil }
            guard let value = object[key] as? String else { throw RowRejection(reason: "\(key): not a string") }
            return value
        }

        func bool(_ key: String) throws(RowRejection) -> Bool? {
            guard isSet(key) else { return nil }
            guard let value = object[key] as? Bool else { throw RowRejection(reason: "\(key): not true or false") }
            return value
        }

        /// A non-negative whole number of milliseconds.
        func duration(_ key: String) throws(RowRejection) -> Int? {
            guard isSet(key) else { return nil }
            guard let value = object[key] as? Int, value >= 0 else {
                throw RowRejection(reason: "\(key): not a whole number of milliseconds")
            }
            return value
        }
    }
}
