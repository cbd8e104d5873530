/// The catalogue's tables, versioned with `PRAGMA user_version`.
///
/// Each entry of `migrations` takes the schema from version *i* to *i + 1*;
/// a database is brought up to date by applying the missing ones in order.
/// All missing migrations run in one `BEGIN IMMEDIATE` transaction that
/// re-reads the version under the write lock, so a migration that is
/// interrupted (even by SIGKILL) or raced by another process is safe to run again.
public enum CatalogueSchema {
    /// The schema version this build writes and understands.
    public static var version: Int { migrations.count }

    private static let migrations: [String] = [
        // 1: catalogue, listens and search index.
        """
        CREATE TABLE IF NOT EXISTS tracks (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            album TEXT NOT NULL,
            popularity INTEGER NOT NULL,
            duration_ms INTEGER NOT NULL,
            explicit INTEGER NOT NULL,
            -- Audio features: all NULL for a track imported without them.
            danceability REAL,
            energy REAL,
            "key" INTEGER,
            loudness REAL,
            mode INTEGER,
            speechiness REAL,
            acousticness REAL,
            instrumentalness REAL,
            liveness REAL,
            valence REAL,
            tempo REAL,
            time_signature INTEGER
        );
        CREATE TABLE IF NOT EXISTS artists (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        -- WITHOUT ROWID: rows are stored in key order, so a scan by track is one sequential read.
        CREATE TABLE IF NOT EXISTS track_artists (
            track_id TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
            artist_id INTEGER NOT NULL REFERENCES artists(id),
            position INTEGER NOT NULL,
            PRIMARY KEY (track_id, position)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS genres (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE IF NOT EXISTS track_genres (
            track_id TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
            genre_id INTEGER NOT NULL REFERENCES genres(id),
            PRIMARY KEY (track_id, genre_id)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        -- track_id is not a foreign key: listening histories name tracks the catalogue lacks.
        -- The UNIQUE index leads with user_id, so it also serves per-user lookups;
        -- a separate index on user_id would only slow down writes.
        CREATE TABLE IF NOT EXISTS listens (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            track_id TEXT NOT NULL,
            ts TEXT NOT NULL,  -- ISO 8601 UTC with milliseconds: sorts as text
            ms_played INTEGER,
            skipped INTEGER,
            source TEXT NOT NULL,
            UNIQUE (user_id, track_id, ts, source)
        );
        -- Full-text search over name, artists and album. It carries the track id
        -- itself instead of relying on tracks' implicit rowids, which VACUUM may
        -- renumber; importers rebuild it from the tables above.
        CREATE VIRTUAL TABLE IF NOT EXISTS tracks_fts USING fts5(
            name, artists, album, track_id UNINDEXED,
            tokenize = 'unicode61 remove_diacritics 2'
        );
        """,
        // 2: implicit feedback imported as (user, item, weight) rows, e.g. Last.fm play counts.
        // item is not a foreign key: interaction data names items the catalogue may lack.
        """
        CREATE TABLE IF NOT EXISTS interactions (
            user_id INTEGER NOT NULL REFERENCES users(id),
            item TEXT NOT NULL,
            weight REAL NOT NULL,
            PRIMARY KEY (user_id, item)
        ) WITHOUT ROWID;
        """,
        // 3: listen identity (docs/PROTOCOL.md, "listen"). A listen is a duplicate only when the
        // client says so: the same user, track, client-given ts and source, or the same client
        // event_id. Events the daemon stamped on receipt (stamped = 1) are never merged. ts moves
        // to microseconds; rows in the old millisecond form get three zeros, so old and new rows
        // still sort as text. SQLite cannot drop a table constraint, so the table is rebuilt; the
        // whole migration is one transaction, so an interrupted one leaves version 2 intact.
        """
        CREATE TABLE listens_v3 (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            track_id TEXT NOT NULL,
            ts TEXT NOT NULL,  -- ISO 8601 UTC with microseconds, e.g. 2024-05-01T12:00:00.000000Z: sorts as text
            ms_played INTEGER,
            skipped INTEGER,
            source TEXT NOT NULL,
            event_id TEXT,  -- the client's id for the event, when it gave one
            stamped INTEGER NOT NULL DEFAULT 0  -- 1: ts is the daemon's time of receipt
        );
        INSERT INTO listens_v3 (id, user_id, track_id, ts, ms_played, skipped, source)
            SELECT id, user_id, track_id,
                CASE WHEN ts GLOB '????-??-??T??:??:??.???Z' THEN substr(ts, 1, 23) || '000Z' ELSE ts END,
                ms_played, skipped, source
            FROM listens;
        DROP TABLE listens;
        ALTER TABLE listens_v3 RENAME TO listens;
        CREATE UNIQUE INDEX listens_given_time ON listens (user_id, track_id, ts, source)
            WHERE stamped = 0 AND event_id IS NULL;
        CREATE UNIQUE INDEX listens_event ON listens (user_id, event_id) WHERE event_id IS NOT NULL;
        -- Per-user reads (profiles, forget, the latest stamp) and time order within a user.
        CREATE INDEX listens_user_time ON listens (user_id, ts);
        -- Users whose data `forget` deleted, and when: models trained before that time
        -- still hold what they learnt of the user, and the daemon must not use it.
        CREATE TABLE forgotten_users (
            name TEXT PRIMARY KEY NOT NULL,
            forgotten_at TEXT NOT NULL  -- ISO 8601 UTC with microseconds
        ) WITHOUT ROWID;
        """,
        // 4: a revision of the track data, so a reload can tell an unchanged catalogue and keep
        // the one it has instead of reading every track again (README, "Reload"); and the search
        // index rebuilt with prefix indexes and the popularity it ranks ties by, so a short
        // prefix ("i") reads one list instead of merging every word it starts, and ranking
        // needs no lookup in tracks per match.
        revisionMigration + """
            DROP TABLE IF EXISTS tracks_fts;
            \(searchIndexTable)
            \(searchIndexFill)
            """,
    ]

    /// The full-text index `search` reads (`CatalogueStore.search`).
    static let searchIndexTable = """
        CREATE VIRTUAL TABLE tracks_fts USING fts5(
            name, artists, album, track_id UNINDEXED, popularity UNINDEXED,
            tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
        );
        """

    /// Fills `tracks_fts` from the tables; importers run it (after emptying it) inside their transaction.
    static let searchIndexFill = """
        INSERT INTO tracks_fts (name, artists, album, track_id, popularity)
        SELECT t.name,
               coalesce((SELECT group_concat(a.name, '; ') FROM track_artists ta
                         JOIN artists a ON a.id = ta.artist_id WHERE ta.track_id = t.id), ''),
               t.album, t.id, t.popularity
        FROM tracks t;
        """

    /// The tables a loaded catalogue is built from (`CatalogueStore.loadCatalogue`).
    static let trackTables = ["tracks", "track_artists", "artists", "genres", "track_genres"]

    /// One row that every change to `trackTables` bumps, by trigger, so no
    /// writer (ours or another program's) can change tracks unnoticed.
    private static var revisionMigration: String {
        var sql = """
            CREATE TABLE catalogue_revision (revision INTEGER NOT NULL);
            INSERT INTO catalogue_revision (revision) VALUES (1);

            """
        for table in trackTables {
            for event in ["INSERT", "UPDATE", "DELETE"] {
                sql += """
                    CREATE TRIGGER \(table)_\(event.lowercased())_revision AFTER \(event) ON \(table)
                    BEGIN UPDATE catalogue_revision SET revision = revision + 1; END;

                    """
            }
        }
        return sql
    }

    /// Brings the schema of `database` up to `version`, creating it in an empty file.
    ///
    /// Runs no write when the schema is current, so it is cheap on every open.
    /// Throws ``CatalogueError/newerSchema(found:supported:)`` for a database
    /// written by a newer build, which this one must not touch.
    public static func migrate(_ database: SQLiteDatabase) throws {
        guard try checkedVersion(of: database) < version else { return }
        try database.transaction {
            // Re-read under the write lock: another process may have migrated meanwhile.
            let found = try checkedVersion(of: database)
            guard found < version else { return }
            for migration in migrations[found...] {
                try database.execute(migration)
            }
            try database.execute("PRAGMA user_version = \(version)")
        }
    }

    /// The database's schema version, refusing one newer than this build's.
    private static func checkedVersion(of database: SQLiteDatabase) throws -> Int {
        let statement = try database.prepare("PRAGMA user_version")
        try statement.step()
        let found = statement.int(at: 0)
        guard found <= version else { throw CatalogueError.newerSchema(found: found, supported: version) }
        return found
    }
}
