/// The catalogue database: tracks, artists, genres, users and their listens.
///
/// Owns one ``SQLiteDatabase`` connection and, like it, is not thread-safe:
/// use an instance from one task or thread at a time (confine it to an actor
/// or guard it with a lock). Several processes may open the same file: the
/// daemon reading and recording listens while `earshot import` writes.
public final class CatalogueStore {
    /// The connection; importers in this module write through it.
    let database: SQLiteDatabase
    /// Stamps for listens recorded without a time, per user of this connection.
    let clock = ListenClock()

    private init(database: SQLiteDatabase) {
        self.database = database
    }

    /// Opens the catalogue at `path` for reading and writing and brings its
    /// schema up to date.
    ///
    /// - Parameter create: create the file when it is missing; otherwise a
    ///   missing file is an error.
    public static func open(path: String, create: Bool) throws -> CatalogueStore {
        let database = try SQLiteDatabase.open(path: path, mode: create ? .create : .readWrite)
        // WAL: readers (the daemon loading the catalogue) never block the writer and vice versa.
        try database.execute("PRAGMA journal_mode = WAL")
        // FULL: in WAL mode, NORMAL may lose the last commits on power loss (they
        // survive only a process crash). An acknowledged listen must survive power
        // loss, so every commit waits for the WAL to reach the disk. Imports are one
        // transaction each, so this costs them a single extra sync.
        try database.execute("PRAGMA synchronous = FULL")
        try database.execute("PRAGMA foreign_keys = ON")
        try CatalogueSchema.migrate(database)
        return CatalogueStore(database: database)
    }

    /// Opens the catalogue at `path` for reading only: no schema change, no
    /// write lock ever taken. For the daemon's pool of read connections, which
    /// in WAL mode never wait for the writer.
    ///
    /// - Throws: ``CatalogueError/newerSchema(found:supported:)`` for a file
    ///   written by a newer build; SQLite errors (a missing file among them).
    public static func openForReading(path: String) throws -> CatalogueStore {
        let database = try SQLiteDatabase.open(path: path, mode: .readOnly)
        let statement = try database.prepare("PRAGMA user_version")
        try statement.step()
        let found = statement.int(at: 0)
        guard found <= CatalogueSchema.version else {
            throw CatalogueError.newerSchema(found: found, supported: CatalogueSchema.version)
        }
        return CatalogueStore(database: database)
    }

    /// How long a write waits for another process's write lock (an import)
    /// before it fails with `SQLITE_BUSY`.
    public func setBusyTimeout(milliseconds: Int) {
        database.setBusyTimeout(milliseconds: milliseconds)
    }

    /// Whether the file this store opened was removed or replaced since.
    public var fileHasMoved: Bool { database.fileHasMoved }

    /// A number that changes whenever the track data does (tracks, their
    /// artists and genres): equal revisions of one file mean the catalogue
    /// `loadCatalogue()` would build is the same. Listens do not change it.
    public func catalogueRevision() throws -> Int64 {
        let statement = try database.prepare("SELECT revision FROM catalogue_revision")
        try statement.step()
        return Int64(statement.int(at: 0))
    }

    /// The number of tracks in the catalogue.
    public func trackCount() throws -> Int {
        let statement = try database.prepare("SELECT count(*) FROM tracks")
        try statement.step()
        return statement.int(at: 0)
    }
}
