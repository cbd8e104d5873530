extension CatalogueStore {
    /// Play counts of one user for one track, the input of `earshot train ... --db`.
    public struct PlayCount: Sendable, Hashable {
        public var user: String
        public var trackID: String
        public var plays: Int

        public init(user: String, trackID: String, plays: Int) {
            self.user = user
            self.trackID = trackID
            self.plays = plays
        }
    }

    /// Every (user, track) pair with its number of listens plus its imported
    /// interaction weight (`earshot import interactions`), ordered by user
    /// name then track id, read in one transaction so a concurrent import or
    /// `listen` is seen entirely or not at all. Tracks the catalogue lacks are
    /// included: they are what the user played.
    public func playCounts() throws -> [PlayCount] {
        var counts: [PlayCount] = []
        try forEachPlayCount { counts.append($0) }
        return counts
    }

    /// ``playCounts()`` one row at a time, for exports larger than memory.
    public func forEachPlayCount(_ body: (PlayCount) throws -> Void) throws {
        try database.transaction(.deferred) {
            let statement = try database.prepare(
                """
                SELECT u.name, p.item, CAST(round(sum(p.plays)) AS INTEGER)
                FROM (
                    SELECT user_id, track_id AS item, count(*) AS plays FROM listens GROUP BY user_id, track_id
                    UNION ALL
                    SELECT user_id, item, weight FROM interactions
                ) p JOIN users u ON u.id = p.user_id
                GROUP BY p.user_id, p.item ORDER BY u.name, p.item
                """)
            while try statement.step() {
                try body(PlayCount(user: statement.string(at: 0), trackID: statement.string(at: 1), plays: statement.int(at: 2)))
            }
        }
    }
}
