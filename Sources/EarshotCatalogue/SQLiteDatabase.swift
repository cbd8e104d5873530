import CSQLite

/// One connection to an SQLite database file: a thin wrapper over the C API.
///
/// The connection is opened with `SQLITE_OPEN_NOMUTEX`: SQLite does not lock
/// it internally, so an instance must be used by one thread at a time. It is
/// deliberately not `Sendable`; confine it to one task or actor, or guard it
/// with a lock. Other processes and connections may use the same file at the
/// same time: a busy database is retried for up to five seconds before a call
/// fails with `SQLITE_BUSY`.
public final class SQLiteDatabase {
    /// How to open the file.
    public enum OpenMode: Sendable {
        /// Reading only; the file must exist.
        case readOnly
        /// Reading and writing; the file must exist.
        case readWrite
        /// Reading and writing; the file is created when missing.
        case create
    }

    /// How a transaction takes its locks.
    public enum TransactionKind: Sendable {
        /// `BEGIN`: a read snapshot from the first read; for consistent multi-query reads.
        case deferred
        /// `BEGIN IMMEDIATE`: the write lock up front, so a writer waits at the
        /// start (within the busy timeout) instead of failing half-way through.
        case immediate
    }

    let handle: OpaquePointer

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        // close_v2 defers the close until every statement is finalized; statements
        // retain their database, so none can outlive it in practice.
        sqlite3_close_v2(handle)
    }

    /// Opens (or, with `.create`, creates) the database at `path`.
    public static func open(path: String, mode: OpenMode) throws -> SQLiteDatabase {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch mode {
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            // Even a failed open usually returns a handle that holds the message and must be closed.
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(handle)
            throw SQLiteError(code: rc, message: message, operation: "open \(path)")
        }
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, 5_000)
        return SQLiteDatabase(handle: handle)
    }

    /// Runs one or more SQL statements that take no parameters, ignoring any rows.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        guard rc == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(errorMessage)
            throw SQLiteError(code: rc, message: message, operation: sql)
        }
    }

    /// Compiles one SQL statement for binding and stepping.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when
    /// it (or the commit) throws. Transactions do not nest.
    public func transaction<T>(
        _ kind: TransactionKind = .immediate, _ body: () throws -> T
    ) throws -> T {
        try execute(kind == .immediate ? "BEGIN IMMEDIATE" : "BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            // Some errors (e.g. SQLITE_FULL) already roll back; only roll back an open transaction.
            if sqlite3_get_autocommit(handle) == 0 {
                sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            }
            throw error
        }
    }

    /// How long a call waits for another connection's lock before failing
    /// with `SQLITE_BUSY` (five seconds after `open`).
    public func setBusyTimeout(milliseconds: Int) {
        sqlite3_busy_timeout(handle, Int32(clamping: milliseconds))
    }

    /// Whether the file this connection opened is no longer at its path:
    /// removed, or replaced by another file. Writes to it would be lost.
    public var fileHasMoved: Bool {
        var moved: Int32 = 0
        let rc = sqlite3_file_control(handle, "main", SQLITE_FCNTL_HAS_MOVED, &moved)
        return rc != SQLITE_OK || moved != 0
    }

    /// Rows inserted, updated or deleted by the last completed statement.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// The rowid of the last successful `INSERT` on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// An error for result code `code`, with this connection's current message.
    func error(_ code: Int32, _ operation: @autoclosure () -> String) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)), operation: operation())
    }
}
