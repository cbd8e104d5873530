/// Imports the public "Spotify Tracks Dataset" CSV into a catalogue.
///
/// The file has one row per (track, genre): a track collected under several
/// genres appears once for each, and keeps them all. Importing is idempotent:
/// a track already in the catalogue has its metadata and credits replaced
/// by the file's, and genres are only ever added. A file is imported in one
/// transaction, so a failure leaves the catalogue as it was.
///
/// Rows that cannot be read (wrong number of fields, a value that is not a
/// number, an empty `track_id`, invalid UTF-8, broken quoting) are skipped
/// and reported in ``ImportSummary/problems`` with their line; a row with an
/// empty name, album or artist list is valid. A file whose header is not the
/// dataset's is refused with ``CatalogueError/notSpotifyTracksCSV(path:found:)``.
public struct SpotifyTracksCSVImporter {
    /// The expected header. A leading unnamed index column (`""` or
    /// `Unnamed: 0`, as pandas writes it) is accepted and ignored.
    public static let columns: [String] = SpotifyTracksColumn.names

    private let store: CatalogueStore

    public init(store: CatalogueStore) {
        self.store = store
    }

    /// Imports the CSV file at `path`.
    ///
    /// - Parameter progress: called with the number of data rows read so far,
    ///   every 1,000 rows and with the final count.
    public func importFile(atPath path: String, progress: ((Int) -> Void)? = nil) throws -> ImportSummary {
        try store.database.transaction {
            let writer = try TrackWriter(store.database)
            var summary = ImportSummary()
            var firstColumn: Int?  // of the dataset's columns; known once the header is read
            var seen = Set<String>()
            try CSVFileReader.forEachRecord(inFileAt: path) { record in
                guard let first = firstColumn else {
                    firstColumn = try Self.firstColumn(ofHeader: record, path: path)
                    return
                }
                summary.rows += 1
                if summary.rows % 1_000 == 0 { progress?(summary.rows) }
                let row: SpotifyTrackRow
                do throws(RowRejection) {
                    row = try SpotifyTrackRow(record, firstColumn: first)
                } catch {
                    summary.skipped += 1
                    summary.problems.append(ImportProblem(line: record.line, reason: error.reason))
                    return
                }
                if seen.insert(row.id).inserted {
                    if try writer.upsert(row) { summary.updated += 1 } else { summary.imported += 1 }
                } else {
                    summary.duplicates += 1
                    try writer.keepHigherPopularity(of: row)
                }
                try writer.addGenre(of: row)
            }
            guard firstColumn != nil else { throw CatalogueError.notSpotifyTracksCSV(path: path, found: "") }
            try store.rebuildSearchIndex()
            if summary.rows % 1_000 != 0 { progress?(summary.rows) }
            return summary
        }
    }

    /// The field where the dataset's columns start (0, or 1 after an index
    /// column), or an error when `header` is not the dataset's.
    private static func firstColumn(ofHeader header: CSVRecord, path: String) throws -> Int {
        let fields = header.lossyFields
        if header.defect == nil {
            if fields == columns { return 0 }
            if fields.dropFirst().elementsEqual(columns), fields[0] == "" || fields[0] == "Unnamed: 0" { return 1 }
        }
        throw CatalogueError.notSpotifyTracksCSV(path: path, found: fields.joined(separator: ","))
    }
}
