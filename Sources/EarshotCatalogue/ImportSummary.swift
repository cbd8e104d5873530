/// What an import did, for the JSON summary line and the user's report.
///
/// `rows == imported + updated + duplicates + skipped`. Encodes as
/// `{"duplicates":…,"imported":…,"rows":…,"skipped":…,"updated":…}`; the
/// problems are reported separately, one line each.
public struct ImportSummary: Codable, Sendable, Hashable {
    /// Data rows read (the header excluded).
    public var rows: Int
    /// Distinct tracks new to the catalogue.
    public var imported: Int
    /// Distinct tracks that were already in the catalogue; their metadata was refreshed.
    public var updated: Int
    /// Further rows for a track already read from the same file (the same
    /// track under another genre); their genre was added to it.
    public var duplicates: Int
    /// Rows that could not be read; each has an entry in `problems`.
    public var skipped: Int
    /// Every skipped row's line and reason, in file order; for a PostgreSQL
    /// dump also unreadable rows of its other tables and credits left out.
    public var problems: [ImportProblem] = []

    private enum CodingKeys: String, CodingKey {
        case rows, imported, updated, duplicates, skipped
    }

    /// A summary with the given counts; all zero by default.
    public init(
        rows: Int = 0, imported: Int = 0, updated: Int = 0, duplicates: Int = 0, skipped: Int = 0,
        problems: [ImportProblem] = []
    ) {
        self.rows = rows
        self.imported = imported
        self.updated = updated
        self.duplicates = duplicates
        self.skipped = skipped
        self.problems = problems
    }
}

/// A row that could not be imported.
public struct ImportProblem: Codable, Sendable, Hashable {
    /// The 1-based physical line where the row starts.
    public var line: Int
    /// Why it was skipped, e.g. `popularity: not an integer: "high"`.
    public var reason: String

    /// A problem on `line` (1-based).
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}
