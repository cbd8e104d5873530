import EarshotTime
import Foundation

/// Inserts listens through statements prepared once per transaction,
/// remembering the user ids it has looked up. Used inside the caller's
/// transaction.
final class ListenWriter {
    private let database: SQLiteDatabase
    private let insertListen: SQLiteDatabase.Statement
    private let users: UserDirectory
    private let clock: ListenClock

    init(_ database: SQLiteDatabase, clock: ListenClock) throws {
        self.database = database
        self.clock = clock
        // No conflict target: the partial unique indexes of schema version 3 decide what a
        // duplicate is (the same client-given time, or the same event id).
        insertListen = try database.prepare(
            """
            INSERT INTO listens (user_id, track_id, ts, ms_played, skipped, source, event_id, stamped)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            ON CONFLICT DO NOTHING
            """)
        users = try UserDirectory(database)
    }

    /// Stores `listen`, creating its user when new. Returns `false` when the
    /// client already sent this event: the same event id, or the same user,
    /// track, given time and source. A listen without a time is stamped with
    /// the time of receipt and is never a duplicate.
    func insert(_ listen: ListenEvent) throws -> Bool {
        let user = try users.id(of: listen.user)
        let time = try listen.timestamp.map(ListenTime.init) ?? clock.stamp(user: user, in: database)
        defer { insertListen.reset() }
        try insertListen.bind(user, at: 1)
        try insertListen.bind(listen.trackID, at: 2)
        try insertListen.bind(time.text, at: 3)
        try insertListen.bind(listen.msPlayed, at: 4)
        try insertListen.bind(listen.skipped.map { $0 ? 1 : 0 }, at: 5)
        try insertListen.bind(listen.source, at: 6)
        try insertListen.bind(listen.eventID, at: 7)
        try insertListen.bind(listen.timestamp == nil ? 1 : 0, at: 8)
        try insertListen.step()
        return database.changes == 1
    }
}

/// Times of receipt for listens sent without one: strictly increasing per
/// user at microsecond resolution, so that two events never share a stamp
/// even when they arrive faster than the clock ticks.
final class ListenClock {
    private var latest: [Int: ListenTime] = [:]

    /// The next stamp for `user`: now, or one microsecond after the user's
    /// latest stamp (read from the table once per user) when that is later.
    func stamp(user: Int, in database: SQLiteDatabase) throws -> ListenTime {
        let previous: ListenTime?
        if let known = latest[user] {
            previous = known
        } else {
            let statement = try database.prepare("SELECT max(ts) FROM listens WHERE user_id = ?1 AND stamped = 1")
            try statement.bind(user, at: 1)
            try statement.step()
            previous = statement.isNull(at: 0)
                ? nil : statement.withUTF8(at: 0, ISO8601Timestamp.parse).map(ListenTime.init)
        }
        var next = ListenTime(Date())
        if let previous, next <= previous { next = previous.successor }
        latest[user] = next
        return next
    }

    /// Forgets `user`'s latest stamp (after the user's listens were deleted).
    func reset(user: Int) {
        latest[user] = nil
    }
}
