import EarshotTime
import Foundation

/// One stored listen, as the daemon reads them to build heard-sets and profiles.
public struct StoredListen: Sendable, Hashable {
    /// The user's name.
    public var user: String
    /// The track's catalogue id (it need not be in the catalogue).
    public var trackID: String
    /// When the play happened (for Spotify exports: when it ended), in UTC.
    public var timestamp: Date
    /// How long it played, when known.
    public var msPlayed: Int?
    /// Whether it was skipped, when known.
    public var skipped: Bool?

    /// A listen with the given fields.
    public init(user: String, trackID: String, timestamp: Date, msPlayed: Int? = nil, skipped: Bool? = nil) {
        self.user = user
        self.trackID = trackID
        self.timestamp = timestamp
        self.msPlayed = msPlayed
        self.skipped = skipped
    }
}

/// A stored listen whose `ts` is not the ISO 8601 form the catalogue writes:
/// the row was written by another tool.
public struct UnreadableListenTimestamp: Error, CustomStringConvertible, Sendable, Equatable {
    /// The listen's user.
    public let user: String
    /// The listen's track id.
    public let trackID: String
    /// The stored `ts` text.
    public let text: String

    public var description: String {
        "listen of track \(trackID) by user \(user) has an unreadable time \(CatalogueError.quotedExcerpt(text)); "
            + "expected ISO 8601 such as 2024-05-01T12:00:00.000Z: correct or delete that row of the listens table"
    }
}

extension CatalogueStore {
    /// Every listen of every user, ordered by user name (bytewise), then time,
    /// then track id: one scan of the listens table.
    ///
    /// Plays recorded from several sources (the daemon, an Extended export and
    /// an account-data export of the same plays) are all returned; callers that
    /// weigh plays decide how to count them.
    ///
    /// - Throws: ``UnreadableListenTimestamp`` for a row whose time is not ISO
    ///   8601 with a zone; SQLite errors.
    public func allListens() throws -> [StoredListen] {
        let statement = try database.prepare(
            """
            SELECT l.user_id, u.name, l.track_id, l.ts, l.ms_played, l.skipped
            FROM listens l JOIN users u ON u.id = l.user_id
            ORDER BY u.name, l.ts, l.track_id
            """)
        var listens: [StoredListen] = []
        // One String per user, not per row: rows come grouped by user.
        var currentUserID: Int?
        var currentUser = ""
        while try statement.step() {
            let userID = statement.int(at: 0)
            if userID != currentUserID {
                currentUserID = userID
                currentUser = statement.string(at: 1)
            }
            guard let timestamp = statement.withUTF8(at: 3, ISO8601Timestamp.parse) else {
                throw UnreadableListenTimestamp(
                    user: currentUser, trackID: statement.string(at: 2), text: statement.string(at: 3))
            }
            listens.append(
                StoredListen(
                    user: currentUser, trackID: statement.string(at: 2), timestamp: timestamp,
                    msPlayed: statement.isNull(at: 4) ? nil : statement.int(at: 4),
                    skipped: statement.isNull(at: 5) ? nil : statement.int(at: 5) != 0))
        }
        return listens
    }
}
