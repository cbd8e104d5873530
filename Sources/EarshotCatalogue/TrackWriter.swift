/// Writes tracks with their credits and genres through statements prepared
/// once per import, remembering artist and genre ids it has looked up.
/// Used inside the caller's transaction.
final class TrackWriter {
    private let database: SQLiteDatabase
    private let insertTrack: SQLiteDatabase.Statement
    private let updateTrack: SQLiteDatabase.Statement
    private let raisePopularity: SQLiteDatabase.Statement
    private let deleteCredits: SQLiteDatabase.Statement
    private let insertCredit: SQLiteDatabase.Statement
    private let insertTrackGenre: SQLiteDatabase.Statement
    private let artists: NameTable
    private let genres: NameTable

    init(_ database: SQLiteDatabase) throws {
        self.database = database
        // Both statements take the same parameters: ?1 id, ?2… the columns in order.
        insertTrack = try database.prepare(
            """
            INSERT INTO tracks (id, name, album, popularity, duration_ms, explicit,
                danceability, energy, "key", loudness, mode, speechiness, acousticness,
                instrumentalness, liveness, valence, tempo, time_signature)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
            ON CONFLICT (id) DO NOTHING
            """)
        updateTrack = try database.prepare(
            """
            UPDATE tracks SET name = ?2, album = ?3, popularity = ?4, duration_ms = ?5, explicit = ?6,
                danceability = ?7, energy = ?8, "key" = ?9, loudness = ?10, mode = ?11,
                speechiness = ?12, acousticness = ?13, instrumentalness = ?14, liveness = ?15,
                valence = ?16, tempo = ?17, time_signature = ?18
            WHERE id = ?1
            """)
        raisePopularity = try database.prepare(
            "UPDATE tracks SET popularity = ?2 WHERE id = ?1 AND popularity < ?2")
        deleteCredits = try database.prepare("DELETE FROM track_artists WHERE track_id = ?1")
        insertCredit = try database.prepare(
            "INSERT INTO track_artists (track_id, artist_id, position) VALUES (?1, ?2, ?3)")
        insertTrackGenre = try database.prepare(
            "INSERT INTO track_genres (track_id, genre_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")
        artists = try NameTable(database, table: "artists")
        genres = try NameTable(database, table: "genres")
    }

    /// Inserts the row's track, or replaces the metadata and credits of the
    /// track with its id. Returns whether the track was already present.
    func upsert(_ row: SpotifyTrackRow) throws -> Bool {
        try run(insertTrack) { try bindTrack(row, to: $0) }
        let existed = database.changes == 0
        if existed {
            try run(updateTrack) { try bindTrack(row, to: $0) }
            try run(deleteCredits) { try $0.bind(row.id, at: 1) }
        }
        for (position, artist) in row.artists.enumerated() {
            let artistID = try artists.id(of: artist)
            try run(insertCredit) {
                try $0.bind(row.id, at: 1)
                try $0.bind(artistID, at: 2)
                try $0.bind(position, at: 3)
            }
        }
        return existed
    }

    /// Keeps the highest popularity among a track's rows: rows collected under
    /// different genres were fetched at different times and may differ by a
    /// point, and the maximum does not depend on the order of the rows.
    func keepHigherPopularity(of row: SpotifyTrackRow) throws {
        try run(raisePopularity) {
            try $0.bind(row.id, at: 1)
            try $0.bind(row.popularity, at: 2)
        }
    }

    /// Adds the row's genre to its track (nothing for an empty genre or one it has).
    func addGenre(of row: SpotifyTrackRow) throws {
        try addGenre(row.genre, toTrack: row.id)
    }

    /// Adds `genre` to track `trackID` (nothing for an empty genre or one it has).
    func addGenre(_ genre: String, toTrack trackID: String) throws {
        guard !genre.isEmpty else { return }
        let genreID = try genres.id(of: genre)
        try run(insertTrackGenre) {
            try $0.bind(trackID, at: 1)
            try $0.bind(genreID, at: 2)
        }
    }

    private func bindTrack(_ row: SpotifyTrackRow, to statement: SQLiteDatabase.Statement) throws {
        try statement.bind(row.id, at: 1)
        try statement.bind(row.name, at: 2)
        try statement.bind(row.album, at: 3)
        try statement.bind(row.popularity, at: 4)
        try statement.bind(row.durationMs, at: 5)
        try statement.bind(row.explicit ? 1 : 0, at: 6)
        for (offset, column) in SpotifyTracksColumn.features.enumerated() {
            let index = Int32(7 + offset)
            let value = row.features?[offset]
            if column.isIntegerFeature {
                try statement.bind(value.map { Int($0) }, at: index)
            } else {
                try statement.bind(value, at: index)
            }
        }
    }
}

/// Binds `statement` with `bind`, runs it to completion and resets it for the next use.
private func run(_ statement: SQLiteDatabase.Statement, _ bind: (SQLiteDatabase.Statement) throws -> Void) throws {
    defer { statement.reset() }
    try bind(statement)
    try statement.step()
}

/// The `id`/`name` pairs of a table with unique names (`artists`, `genres`),
/// inserting names on first use.
private final class NameTable {
    private let database: SQLiteDatabase
    private let select: SQLiteDatabase.Statement
    private let insert: SQLiteDatabase.Statement
    /// Ids looked up so far: most names recur across rows.
    private var ids: [String: Int] = [:]

    init(_ database: SQLiteDatabase, table: String) throws {
        self.database = database
        select = try database.prepare("SELECT id FROM \(table) WHERE name = ?1")
        insert = try database.prepare("INSERT INTO \(table) (name) VALUES (?1)")
    }

    func id(of name: String) throws -> Int {
        if let id = ids[name] { return id }
        defer { select.reset() }
        try select.bind(name, at: 1)
        let id: Int
        if try select.step() {
            id = select.int(at: 0)
        } else {
            try run(insert) { try $0.bind(name, at: 1) }
            id = Int(database.lastInsertRowID)
        }
        ids[name] = id
        return id
    }
}
