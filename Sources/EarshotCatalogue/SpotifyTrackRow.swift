import Foundation

/// The columns of the Spotify Tracks Dataset CSV, in file order.
enum SpotifyTracksColumn: Int, CaseIterable {
    case trackID, artists, albumName, trackName, popularity, durationMs, explicit
    case danceability, energy, key, loudness, mode, speechiness, acousticness
    case instrumentalness, liveness, valence, tempo, timeSignature, trackGenre

    /// The header names, indexed by `rawValue`.
    static let names = [
        "track_id", "artists", "album_name", "track_name", "popularity", "duration_ms", "explicit",
        "danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
        "instrumentalness", "liveness", "valence", "tempo", "time_signature", "track_genre",
    ]

    var name: String { Self.names[rawValue] }

    /// The audio features, in the order of the `tracks` table's feature columns.
    static let features: [SpotifyTracksColumn] = (danceability.rawValue...timeSignature.rawValue).map { Self(rawValue: $0)! }

    /// Features that are categories or counts, stored as integers.
    var isIntegerFeature: Bool { self == .key || self == .mode || self == .timeSignature }
}

/// Why a data row cannot be imported, as shown to the user.
struct RowRejection: Error {
    let reason: String
}

/// One data row of the Spotify Tracks Dataset, checked and converted.
struct SpotifyTrackRow {
    var id: String
    var name: String
    var album: String
    /// Credited artists in order: the `;`-separated list, each name trimmed, empty names dropped.
    var artists: [String]
    /// The genre this row was collected under; empty when the cell is.
    var genre: String
    var popularity: Int
    var durationMs: Int
    var explicit: Bool
    /// The audio features in `SpotifyTracksColumn.features` order, or `nil`
    /// when every feature cell is empty (a track without audio analysis).
    var features: [Double]?

    /// Reads a record whose first dataset column is field `firstColumn` (1 when
    /// the file has a leading index column).
    init(_ record: CSVRecord, firstColumn: Int) throws(RowRejection) {
        if let defect = record.defect { throw RowRejection(reason: defect.description) }
        let expected = firstColumn + SpotifyTracksColumn.allCases.count
        guard record.count == expected else {
            throw RowRejection(reason: "expected \(expected) fields, found \(record.count)")
        }
        func text(_ column: SpotifyTracksColumn) throws(RowRejection) -> String {
            guard let value = record.string(at: firstColumn + column.rawValue) else {
                throw RowRejection(reason: "\(column.name): not valid UTF-8")
            }
            return value
        }

        id = try text(.trackID)
        guard !id.isEmpty else { throw RowRejection(reason: "track_id: empty") }
        name = try text(.trackName)
        album = try text(.albumName)
        artists = try text(.artists).split(separator: ";")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        genre = try text(.trackGenre)
        popularity = try Self.integer(text(.popularity), .popularity)
        durationMs = try Self.integer(text(.durationMs), .durationMs)
        let flag = try text(.explicit)
        switch flag.lowercased() {
        case "true": explicit = true
        case "false": explicit = false
        default: throw RowRejection(reason: "explicit: expected True or False, found \(CatalogueError.quotedExcerpt(flag))")
        }

        var cells: [String] = []
        for column in SpotifyTracksColumn.features { cells.append(try text(column)) }
        if cells.allSatisfy(\.isEmpty) {
            features = nil
        } else {
            var values: [Double] = []
            for (column, cell) in zip(SpotifyTracksColumn.features, cells) {
                values.append(column.isIntegerFeature ? Double(try Self.integer(cell, column)) : try Self.number(cell, column))
            }
            features = values
        }
    }

    private static func integer(_ text: String, _ column: SpotifyTracksColumn) throws(RowRejection) -> Int {
        guard let value = Int(text) else {
            throw RowRejection(reason: "\(column.name): not an integer: \(CatalogueError.quotedExcerpt(text))")
        }
        return value
    }

    private static func number(_ text: String, _ column: SpotifyTracksColumn) throws(RowRejection) -> Double {
        // Double("nan") and Double("inf") parse, but are no feature values.
        guard let value = Double(text), value.isFinite else {
            throw RowRejection(reason: "\(column.name): not a number: \(CatalogueError.quotedExcerpt(text))")
        }
        return value
    }
}
