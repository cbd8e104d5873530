import Foundation

/// Inserts listens through statements prepared once per import, remembering
/// the user ids it has looked up. Used inside the caller's transaction.
final class ListenWriter {
    private let database: SQLiteDatabase
    private let insertListen: SQLiteDatabase.Statement
    private let insertUser: SQLiteDatabase.Statement
    private let selectUser: SQLiteDatabase.Statement
    private var userIDs: [String: Int] = [:]

    init(_ database: SQLiteDatabase) throws {
        self.database = database
        insertListen = try database.prepare(
            """
            INSERT INTO listens (user_id, track_id, ts, ms_played, skipped, source)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (user_id, track_id, ts, source) DO NOTHING
            """)
        insertUser = try database.prepare("INSERT INTO users (name) VALUES (?1) ON CONFLICT (name) DO NOTHING")
        selectUser = try database.prepare("SELECT id FROM users WHERE name = ?1")
    }

    /// Stores `listen`, creating its user when new. Returns `false` when the
    /// same user, track, time and source were already stored.
    func insert(_ listen: ListenEvent) throws -> Bool {
        let user = try userID(named: listen.user)
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

    private func userID(named name: String) throws -> Int {
        if let id = userIDs[name] { return id }
        defer {
            insertUser.reset()
            selectUser.reset()
        }
        try insertUser.bind(name, at: 1)
        try insertUser.step()
        try selectUser.bind(name, at: 1)
        try selectUser.step()
        let id = selectUser.int(at: 0)
        userIDs[name] = id
        return id
    }
}
