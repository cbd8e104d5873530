import CSQLite

/// A failed SQLite call: SQLite's result code and message, and what was being attempted.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The extended result code, e.g. `SQLITE_BUSY` (5) or `SQLITE_CONSTRAINT_UNIQUE` (2067).
    public let code: Int32
    /// SQLite's explanation (`sqlite3_errmsg`) at the time of the failure.
    public let message: String
    /// What was being attempted: `open PATH`, `prepare SQL`, `step SQL`, …
    public let operation: String

    /// Creates an error; `operation` is collapsed to one line so that the
    /// description can be printed as a single log or terminal line.
    public init(code: Int32, message: String, operation: String) {
        self.code = code
        self.message = message
        self.operation = operation.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// `OPERATION: MESSAGE (SQLite code N)`, on one line.
    public var description: String { "\(operation): \(message) (SQLite code \(code))" }
}
