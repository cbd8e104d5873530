import EarshotTime
import Foundation

/// What `forget` deleted.
public struct ForgetSummary: Sendable, Equatable {
    /// Listens deleted.
    public var listens: Int
    /// Imported interactions deleted.
    public var interactions: Int
    /// When the user was forgotten: models trained before it must not use what they learnt of the user.
    public var forgottenAt: Date
}

extension CatalogueStore {
    /// Deletes everything stored about `user` (listens, interactions, the
    /// user row) in one durable transaction and records when, so that
    /// models trained before can be told apart. Forgetting an unknown user
    /// deletes nothing and still records the time.
    public func forget(user: String, at time: Date = Date()) throws -> ForgetSummary {
        let stamp = ListenTime(time)
        let summary = try database.transaction {
            let find = try database.prepare("SELECT id FROM users WHERE name = ?1")
            try find.bind(user, at: 1)
            var summary = ForgetSummary(listens: 0, interactions: 0, forgottenAt: stamp.date)
            if try find.step() {
                let id = find.int(at: 0)
                for (table, column) in [("listens", \ForgetSummary.listens), ("interactions", \ForgetSummary.interactions)] {
                    let delete = try database.prepare("DELETE FROM \(table) WHERE user_id = ?1")
                    try delete.bind(id, at: 1)
                    try delete.step()
                    summary[keyPath: column] = database.changes
                }
                let deleteUser = try database.prepare("DELETE FROM users WHERE id = ?1")
                try deleteUser.bind(id, at: 1)
                try deleteUser.step()
                clock.reset(user: id)
            }
            let remember = try database.prepare(
                """
                INSERT INTO forgotten_users (name, forgotten_at) VALUES (?1, ?2)
                ON CONFLICT (name) DO UPDATE SET forgotten_at = excluded.forgotten_at
                """)
            try remember.bind(user, at: 1)
            try remember.bind(stamp.text, at: 2)
            try remember.step()
            return summary
        }
        return summary
    }

    /// Every forgotten user and when it was forgotten (the latest time, if several).
    public func forgottenUsers() throws -> [String: Date] {
        let statement = try database.prepare("SELECT name, forgotten_at FROM forgotten_users")
        var users: [String: Date] = [:]
        while try statement.step() {
            users[statement.string(at: 0)] = statement.withUTF8(at: 1, ISO8601Timestamp.parse) ?? .distantFuture
        }
        return users
    }
}
