import EarshotScoring
import Foundation

extension CatalogueStore {
    /// Reads the whole catalogue into memory: every track sorted by id (in
    /// byte order), its artists in credit order, its genres sorted, its audio
    /// features or `nil`, and the catalogue's fingerprint.
    ///
    /// Three sequential scans (tracks, credits, genres), all ordered by track
    /// id and merged in one pass, inside one read transaction so that an
    /// import running meanwhile is seen either entirely or not at all.
    public func loadCatalogue() throws -> TrackCatalogue {
        try database.transaction(.deferred) {
            var fingerprint = CatalogueFingerprint()
            var ids = TrackIDs()
            var tracks: [TrackRecord] = []
            tracks.reserveCapacity(try trackCount())

            let trackRows = try database.prepare(
                """
                SELECT id, name, album, popularity, duration_ms, explicit,
                       danceability, energy, "key", loudness, mode, speechiness,
                       acousticness, instrumentalness, liveness, valence, tempo, time_signature
                FROM tracks ORDER BY id
                """)
            while try trackRows.step() {
                trackRows.withUTF8(at: 0) { id in
                    trackRows.withUTF8(at: 1) { name in fingerprint.add(id: id, name: name) }
                    ids.append(id)
                }
                tracks.append(
                    TrackRecord(
                        id: trackRows.string(at: 0), name: trackRows.string(at: 1), artists: [],
                        album: trackRows.string(at: 2), genres: [], popularity: trackRows.int(at: 3),
                        durationMs: trackRows.int(at: 4), explicit: trackRows.int(at: 5) != 0,
                        features: Self.features(trackRows, from: 6)))
            }

            let credits = try database.prepare(
                """
                SELECT ta.track_id, a.name FROM track_artists ta JOIN artists a ON a.id = ta.artist_id
                ORDER BY ta.track_id, ta.position
                """)
            try ids.merge(credits) { row in tracks[row].artists.append(credits.string(at: 1)) }

            let genres = try database.prepare(
                """
                SELECT tg.track_id, g.name FROM track_genres tg JOIN genres g ON g.id = tg.genre_id
                ORDER BY tg.track_id
                """)
            try ids.merge(genres) { row in tracks[row].genres.append(genres.string(at: 1)) }
            for row in tracks.indices where tracks[row].genres.count > 1 {
                tracks[row].genres.sort()
            }

            return TrackCatalogue(tracks: tracks, fingerprint: fingerprint.value)
        }
    }

    /// The twelve feature columns starting at `first`, or `nil` when any is NULL.
    private static func features(_ row: SQLiteDatabase.Statement, from first: Int32) -> AudioFeatures? {
        var column = first  // a plain loop: this runs per track, and ranges are slow in debug builds
        while column < first + 12 {
            if row.isNull(at: column) { return nil }
            column += 1
        }
        func value(_ offset: Int32) -> Float { Float(row.double(at: first + offset)) }
        return AudioFeatures(
            danceability: value(0), energy: value(1), key: value(2), loudness: value(3), mode: value(4),
            speechiness: value(5), acousticness: value(6), instrumentalness: value(7), liveness: value(8),
            valence: value(9), tempo: value(10), timeSignature: value(11))
    }
}

/// The ids of loaded tracks as UTF-8, in the order SQLite sorted them, for
/// merging other scans ordered by track id without hashing or allocating a
/// string per row.
private struct TrackIDs {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    mutating func append(_ id: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: id)
        ends.append(bytes.count)
    }

    /// Steps through `statement`, whose rows are ordered by the track id in
    /// column 0, calling `body` with the row index of each row's track. Rows
    /// of tracks that are not loaded are passed over.
    func merge(_ statement: SQLiteDatabase.Statement, _ body: (Int) -> Void) throws {
        var row = 0
        while try statement.step() {
            let matched = statement.withUTF8(at: 0) { key in
                while row < ends.count, compare(row, key) < 0 { row += 1 }
                return row < ends.count && compare(row, key) == 0
            }
            if matched { body(row) }
        }
    }

    /// Compares id `row` with `key` the way SQLite's BINARY collation does:
    /// bytewise, then the shorter first.
    private func compare(_ row: Int, _ key: UnsafeBufferPointer<UInt8>) -> Int {
        let start = row == 0 ? 0 : ends[row - 1]
        let length = ends[row] - start
        let common = min(length, key.count)
        let order = bytes.withUnsafeBytes { all in
            common == 0 ? 0 : Int(memcmp(all.baseAddress! + start, key.baseAddress!, common))
        }
        return order != 0 ? order : length - key.count
    }
}
