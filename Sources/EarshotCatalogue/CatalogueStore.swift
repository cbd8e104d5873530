/// The catalogue database: tracks, artists, genres, users and their listens.
///
/// Owns one ``SQLiteDatabase`` connection and, like it, is not thread-safe:
/// use an instance from one task or thread at a time (confine it to an actor
/// or guard it with a lock). Several processes may open the same file: the
/// daemon reading and recording listens while `earshot import` writes.
public final class CatalogueStore {
    /// The connection; importers in this module write through it.
    let database: SQLiteDatabase

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

    /// The number of tracks in the catalogue.
    public func trackCount() throws -> Int {
        let statement = try database.prepare("SELECT count(*) FROM tracks")
        try statement.step()
        return statement.int(at: 0)
    }
}
