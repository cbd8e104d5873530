import CSQLite
import Foundation

/// Tells SQLite to copy bound text and blobs before the bind call returns, so
/// Swift's buffers need only live for the duration of the call.
/// (The C macro `SQLITE_TRANSIENT` is a cast that Swift does not import.)
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension SQLiteDatabase {
    /// A prepared statement: bind parameters (1-based), step through rows,
    /// read columns (0-based), then `reset()` to run it again.
    ///
    /// Like its database, a statement must be used by one thread at a time.
    public final class Statement {
        private let database: SQLiteDatabase
        private let handle: OpaquePointer

        init(database: SQLiteDatabase, sql: String) throws {
            var handle: OpaquePointer?
            let rc = sqlite3_prepare_v2(database.handle, sql, -1, &handle, nil)
            guard rc == SQLITE_OK else { throw database.error(rc, "prepare \(sql)") }
            guard let handle else {
                throw SQLiteError(code: SQLITE_MISUSE, message: "no SQL statement", operation: "prepare \(sql)")
            }
            self.database = database
            self.handle = handle
        }

        deinit { sqlite3_finalize(handle) }

        /// The statement's SQL text, for error messages.
        private var sql: String { String(cString: sqlite3_sql(handle)) }

        private func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws {
            guard rc == SQLITE_OK else { throw database.error(rc, operation()) }
        }

        // MARK: Binding

        /// Binds an integer, or NULL for `nil`, to parameter `index` (1-based).
        public func bind(_ value: Int?, at index: Int32) throws {
            guard let value else { return try bindNull(at: index) }
            try check(sqlite3_bind_int64(handle, index, Int64(value)), "bind \(index) of \(sql)")
        }

        /// Binds a floating-point number, or NULL for `nil`, to parameter `index` (1-based).
        public func bind(_ value: Double?, at index: Int32) throws {
            guard let value else { return try bindNull(at: index) }
            try check(sqlite3_bind_double(handle, index, value), "bind \(index) of \(sql)")
        }

        /// Binds UTF-8 text, or NULL for `nil`, to parameter `index` (1-based).
        public func bind(_ value: String?, at index: Int32) throws {
            guard var value else { return try bindNull(at: index) }
            let rc = value.withUTF8 { bytes in
                if let base = bytes.baseAddress {
                    let text = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
                    return sqlite3_bind_text64(
                        handle, index, text, sqlite3_uint64(bytes.count), sqliteTransient, UInt8(SQLITE_UTF8))
                }
                // An empty buffer may have no address, and a NULL pointer would bind NULL, not "".
                return sqlite3_bind_text64(handle, index, "", 0, sqliteTransient, UInt8(SQLITE_UTF8))
            }
            try check(rc, "bind \(index) of \(sql)")
        }

        /// Binds a blob, or NULL for `nil`, to parameter `index` (1-based).
        public func bind(_ value: Data?, at index: Int32) throws {
            guard let value else { return try bindNull(at: index) }
            let rc = value.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress {
                    sqlite3_bind_blob64(handle, index, base, sqlite3_uint64(bytes.count), sqliteTransient)
                } else {
                    sqlite3_bind_zeroblob(handle, index, 0)  // empty, not NULL
                }
            }
            try check(rc, "bind \(index) of \(sql)")
        }

        /// Binds NULL to parameter `index` (1-based).
        public func bindNull(at index: Int32) throws {
            try check(sqlite3_bind_null(handle, index), "bind \(index) of \(sql)")
        }

        // MARK: Running

        /// Runs the statement to its next row: `true` when a row is available,
        /// `false` when the statement has finished.
        @discardableResult
        public func step() throws -> Bool {
            switch sqlite3_step(handle) {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            case let rc: throw database.error(rc, "step \(sql)")
            }
        }

        /// Rewinds the statement and clears its bindings so it can run again.
        public func reset() {
            // reset's return value repeats the last step's error, which step already threw.
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }

        // MARK: Columns of the current row

        /// Whether column `index` (0-based) of the current row is NULL.
        public func isNull(at index: Int32) -> Bool {
            sqlite3_column_type(handle, index) == SQLITE_NULL
        }

        /// Column `index` (0-based) as an integer; NULL reads as 0.
        public func int(at index: Int32) -> Int {
            Int(sqlite3_column_int64(handle, index))
        }

        /// Column `index` (0-based) as a floating-point number; NULL reads as 0.
        public func double(at index: Int32) -> Double {
            sqlite3_column_double(handle, index)
        }

        /// Column `index` (0-based) as text; NULL reads as "". Invalid UTF-8 is repaired.
        public func string(at index: Int32) -> String {
            withUTF8(at: index) { String(decoding: $0, as: UTF8.self) }
        }

        /// Column `index` (0-based) as a blob; NULL reads as empty data.
        public func data(at index: Int32) -> Data {
            guard let base = sqlite3_column_blob(handle, index) else { return Data() }
            return Data(bytes: base, count: Int(sqlite3_column_bytes(handle, index)))
        }

        /// Calls `body` with the UTF-8 text of column `index` (0-based), without
        /// copying. The bytes are valid only during the call.
        func withUTF8<R>(at index: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
            // column_text before column_bytes: the documented order that measures the UTF-8 form.
            let text = sqlite3_column_text(handle, index)
            let count = Int(sqlite3_column_bytes(handle, index))
            return try body(UnsafeBufferPointer(start: text, count: text == nil ? 0 : count))
        }
    }
}
