/// Why a PostgreSQL dump cannot be imported as a whole.
///
/// Each description is one line, fit to print as `earshot: <description>`.
/// (A file that cannot be opened is ``CatalogueError/unreadableFile(path:reason:)``.)
public enum PostgresDumpError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A custom-format (`pg_dump -Fc`) archive, which is binary.
    case customFormat(path: String)
    /// The dump has no `COPY` data block for `table`.
    case missingTable(path: String, table: String)
    /// The `COPY` header on `line` lacks a column the importer needs; `column`
    /// lists the accepted names, `found` the header's columns.
    case missingColumn(path: String, line: Int, table: String, column: String, found: [String])
    /// A `COPY … FROM stdin;` line whose table and columns cannot be read.
    case unreadableCopyHeader(path: String, line: Int, found: String)
    /// The file ends inside the `COPY` block that starts on `line`, before its `\.` line.
    case unterminatedCopy(path: String, line: Int, table: String)

    public var description: String {
        switch self {
        case let .customFormat(path):
            return "\(path): a custom-format pg_dump archive; convert it to plain SQL with pg_restore -f dump.sql \(path)"
        case let .missingTable(path, table):
            return "\(path): no data for table \(table) (a COPY … FROM stdin block); expected a plain-SQL pg_dump "
                + "of the seed database, made without --inserts"
        case let .missingColumn(path, line, table, column, found):
            return "\(path):\(line): table \(table) has no column \(column) (found \(found.joined(separator: ", ")))"
        case let .unreadableCopyHeader(path, line, found):
            return "\(path):\(line): cannot read the COPY header \(CatalogueError.quotedExcerpt(found))"
        case let .unterminatedCopy(path, line, table):
            return "\(path):\(line): the data of table \(table) has no end line (\\.); is the dump truncated?"
        }
    }
}
