/// Finds or creates users by name through statements prepared once,
/// remembering the ids it has looked up. Used inside the caller's transaction.
final class UserDirectory {
    private let insertUser: SQLiteDatabase.Statement
    private let selectUser: SQLiteDatabase.Statement
    private var ids: [String: Int] = [:]

    init(_ database: SQLiteDatabase) throws {
        insertUser = try database.prepare("INSERT INTO users (name) VALUES (?1) ON CONFLICT (name) DO NOTHING")
        selectUser = try database.prepare("SELECT id FROM users WHERE name = ?1")
    }

    /// The id of the user `name`, created when new.
    func id(of name: String) throws -> Int {
        if let id = ids[name] { return id }
        defer {
            insertUser.reset()
            selectUser.reset()
        }
        try insertUser.bind(name, at: 1)
        try insertUser.step()
        try selectUser.bind(name, at: 1)
        try selectUser.step()
        let id = selectUser.int(at: 0)
        ids[name] = id
        return id
    }
}
