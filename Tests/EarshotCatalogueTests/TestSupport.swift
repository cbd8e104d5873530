import Foundation

@testable import EarshotCatalogue

/// Runs `body` with a fresh directory that is removed afterwards, whatever happens.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("earshot-catalogue-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// Runs `body` with a new, empty catalogue in a temporary directory.
func withTemporaryStore<T>(_ body: (CatalogueStore, URL) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in
        let store = try CatalogueStore.open(path: directory.appendingPathComponent("catalogue.db").path, create: true)
        return try body(store, directory)
    }
}

/// Writes `lines` joined by `newline` (plus a final one) as `name` in `directory`; returns the path.
func writeCSV(_ lines: [String], named name: String = "tracks.csv", in directory: URL, newline: String = "\n")
    throws -> String
{
    let url = directory.appendingPathComponent(name)
    try Data((lines.joined(separator: newline) + newline).utf8).write(to: url)
    return url.path
}

/// The dataset's header line.
let tracksHeader = SpotifyTracksCSVImporter.columns.joined(separator: ",")

/// Everything from `popularity` to `time_signature` for a valid row.
func numbers(popularity: Int = 50) -> String {
    "\(popularity),210000,False,0.5,0.6,1,-5.25,1,0.05,0.1,1.01e-06,0.2,0.4,120.5,4"
}

/// A valid data row with plain (unquoted) text fields.
func plainRow(id: String, artists: String = "Artist", album: String = "Album", name: String = "Song",
              popularity: Int = 50, genre: String = "pop") -> String {
    "\(id),\(artists),\(album),\(name),\(numbers(popularity: popularity)),\(genre)"
}

/// Imports the CSV file at `path` into `store`.
func importCSV(_ path: String, into store: CatalogueStore) throws -> ImportSummary {
    try SpotifyTracksCSVImporter(store: store).importFile(atPath: path)
}
