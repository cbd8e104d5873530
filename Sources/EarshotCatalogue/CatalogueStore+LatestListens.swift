extension CatalogueStore {
    /// When a user last played a track: the input of `earshot retrain`'s
    /// per-user hold-out of each listener's latest plays.
    public struct LatestListen: Sendable, Hashable {
        public var user: String
        public var trackID: String
        /// ISO 8601 UTC with milliseconds (sorts as text).
        public var lastPlayed: String

        public init(user: String, trackID: String, lastPlayed: String) {
            self.user = user
            self.trackID = trackID
            self.lastPlayed = lastPlayed
        }
    }

    /// Every (user, track) pair of the listens table with its latest play,
    /// ordered by user name, then latest play, then track id; read in one
    /// transaction like `playCounts()`.
    public func latestListens() throws -> [LatestListen] {
        try database.transaction(.deferred) {
            let statement = try database.prepare(
                """
                SELECT u.name, l.track_id, max(l.ts) AS last
                FROM listens l JOIN users u ON u.id = l.user_id
                GROUP BY l.user_id, l.track_id ORDER BY u.name, last, l.track_id
                """)
            var rows: [LatestListen] = []
            while try statement.step() {
                rows.append(LatestListen(user: statement.string(at: 0), trackID: statement.string(at: 1), lastPlayed: statement.string(at: 2)))
            }
            return rows
        }
    }
}
