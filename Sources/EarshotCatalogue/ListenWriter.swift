import Foundation

/// Inserts listens through statements prepared once per import, remembering
/// the user ids it has looked up. Used inside the caller's transaction.
final class ListenWriter {
    private let database: SQLiteDatabase
    private let insertListen: SQLiteDatabase.Statement
    private let users: UserDirectory

    init(_ database: SQLiteDatabase) throws {
        self.database = database
        insertListen = try database.prepare(
            """
            INSERT INTO listens (user_id, track_id, ts, ms_played, skipped, source)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (user_id, track_id, ts, source) DO NOTHING
            """)
        users = try UserDirectory(database)
    }

    /// Stores `listen`, creating its user when new. Returns `false` when the
    /// same user, track, time and source were already stored.
    func insert(_ listen: ListenEvent) throws -> Bool {
        let user = try users.id(of: listen.user)
        defer { insertListen.reset() }
        try insertListen.bind(user, at: 1)
        try insertListen.bind(listen.trackID, at: 2)
        try insertListen.bind(CatalogueStore.timestampText(listen.timestamp), at: 3)
        try insertListen.bind(listen.msPlayed, at: 4)
        try insertListen.bind(listen.skipped.map { $0 ? 1 : 0 }, at: 5)
        try insertListen.bind(listen.source, at: 6)
        try insertListen.step()
        return database.changes == 1
    }
}
