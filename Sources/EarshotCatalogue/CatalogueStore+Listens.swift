import Foundation

/// One play of a track by a user.
public struct ListenEvent: Sendable, Hashable {
    /// The user's name (created on first use).
    public var user: String
    /// The catalogue id of the track; it need not be in the catalogue.
    public var trackID: String
    /// When the play happened, stored in UTC to the microsecond; `nil` for the
    /// time of receipt, which the store stamps (never a duplicate).
    public var timestamp: Date?
    /// How long it played, when known.
    public var msPlayed: Int?
    /// Whether the user skipped it, when known.
    public var skipped: Bool?
    /// Where the event came from, e.g. `daemon` or the name of an imported file.
    public var source: String
    /// The client's own id for this event: a second event with the same id
    /// for the same user is a duplicate, whatever its time.
    public var eventID: String?

    /// An event; `msPlayed` and `skipped` are `nil` when the source does not say.
    public init(
        user: String, trackID: String, timestamp: Date?, msPlayed: Int? = nil, skipped: Bool? = nil,
        source: String, eventID: String? = nil
    ) {
        self.user = user
        self.trackID = trackID
        self.timestamp = timestamp
        self.msPlayed = msPlayed
        self.skipped = skipped
        self.source = source
        self.eventID = eventID
    }
}

extension CatalogueStore {
    /// Records a listen, creating its user if needed, in one durable transaction.
    ///
    /// - Returns: `false` when the client already sent this event (the same
    ///   event id, or the same user, track, given time and source): nothing
    ///   changes. `true` otherwise.
    public func recordListen(_ event: ListenEvent) throws -> Bool {
        try recordListens([event]) == 1
    }

    /// Stores many listens in one transaction (one disk sync for all);
    /// returns how many were new.
    @discardableResult
    public func recordListens(_ events: [ListenEvent]) throws -> Int {
        try database.transaction {
            let writer = try ListenWriter(database, clock: clock)
            var inserted = 0
            for event in events where try writer.insert(event) { inserted += 1 }
            return inserted
        }
    }

    /// The distinct track ids `user` has listened to, sorted; empty for an unknown user.
    public func listens(forUser user: String) throws -> [String] {
        let statement = try database.prepare(
            """
            SELECT DISTINCT l.track_id FROM listens l JOIN users u ON u.id = l.user_id
            WHERE u.name = ?1 ORDER BY l.track_id
            """)
        try statement.bind(user, at: 1)
        var ids: [String] = []
        while try statement.step() {
            ids.append(statement.string(at: 0))
        }
        return ids
    }

    /// Every user's name, sorted.
    public func userNames() throws -> [String] {
        let statement = try database.prepare("SELECT name FROM users ORDER BY name")
        var names: [String] = []
        while try statement.step() {
            names.append(statement.string(at: 0))
        }
        return names
    }
}
