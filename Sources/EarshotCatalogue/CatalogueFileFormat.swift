/// The kinds of catalogue file `earshot import catalogue` reads.
public enum CatalogueFileFormat: Sendable, Hashable {
    /// The public Spotify Tracks Dataset CSV (``SpotifyTracksCSVImporter``).
    case spotifyTracksCSV
    /// The seed project's `pg_dump` file (``PostgresDumpImporter``).
    case postgresDump

    /// The format of the file at `path`: a PostgreSQL dump when its name ends
    /// in `.sql` or its content starts like one (an SQL comment, as pg_dump's
    /// header is, or a custom-format archive's `PGDMP`), else the CSV, whose
    /// importer checks the header.
    ///
    /// - Throws: ``CatalogueError/unreadableFile(path:reason:)``.
    public static func detect(atPath path: String) throws -> CatalogueFileFormat {
        if path.lowercased().hasSuffix(".sql") { return .postgresDump }
        var start = try CatalogueFileReader.prefix(ofFileAt: path, count: 5)[...]
        if start.starts(with: [0xEF, 0xBB, 0xBF]) { start = start.dropFirst(3) }
        return start.starts(with: "--".utf8) || start.starts(with: "PGDMP".utf8) ? .postgresDump : .spotifyTracksCSV
    }
}
