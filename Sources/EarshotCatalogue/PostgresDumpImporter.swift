/// Imports the seed project's PostgreSQL database from its plain-SQL
/// `pg_dump` file (`pg_dump seed > dump.sql`, not `--inserts`, not `-Fc`).
///
/// The seed's schema, as far as the importer relies on it:
///
/// ```sql
/// CREATE TABLE track (id text PRIMARY KEY, name text NOT NULL, album text,
///     artist_ids text[] NOT NULL, popularity integer, duration_ms integer, explicit boolean);
/// CREATE TABLE audio_features (track_id text PRIMARY KEY REFERENCES track (id),
///     danceability real, energy real, key integer, loudness real, mode integer,
///     speechiness real, acousticness real, instrumentalness real, liveness real,
///     valence real, tempo real, time_signature integer);
/// CREATE TABLE artist (id text PRIMARY KEY, name text NOT NULL, genres text[]);
/// ```
///
/// Columns are read by the names in each `COPY` header, so their order and
/// extra columns do not matter; `track_id`/`track_name`/`album_name` and
/// `artist_id`/`artist_name` are accepted as other names of the id and name
/// columns, and plural table names as well. Which columns are required and
/// how NULLs read is documented with the readers in `PostgresSeedDump`.
///
/// Mapping: a track's artists are `artist_ids` resolved through `artist`, in
/// that order; its genres are the union of its artists' genres; its audio
/// features come from its `audio_features` row, and a track without one, or
/// with a NULL feature, is imported without features. An artist id missing
/// from `artist` is left out of the credits and reported.
///
/// Like ``SpotifyTracksCSVImporter``, importing is idempotent (tracks already
/// present get the dump's metadata, credits and features; genres are only
/// added) and a file is one transaction. ``ImportSummary/rows`` counts rows
/// of `track`; rows of any table that cannot be read are reported in
/// ``ImportSummary/problems`` with their line, and only unreadable `track`
/// rows count as skipped.
public struct PostgresDumpImporter {
    private let store: CatalogueStore

    public init(store: CatalogueStore) {
        self.store = store
    }

    /// Imports the dump at `path`.
    ///
    /// - Parameter progress: called with the number of tracks written so far,
    ///   every 1,000 tracks and with the final count.
    /// - Throws: ``CatalogueError/unreadableFile(path:reason:)``,
    ///   ``PostgresDumpError`` for a file that is not such a dump, SQLite errors.
    public func importFile(atPath path: String, progress: ((Int) -> Void)? = nil) throws -> ImportSummary {
        let dump = try PostgresSeedDump.read(atPath: path)
        var summary = ImportSummary(rows: dump.trackRows, skipped: dump.skippedTrackRows, problems: dump.problems)
        let trackIDs = Set(dump.tracks.map(\.id))
        for (trackID, features) in dump.features where !trackIDs.contains(trackID) {
            summary.problems.append(
                ImportProblem(line: features.line, reason: "audio_features: track \(trackID) is not in table track; ignored"))
        }
        try store.database.transaction {
            let writer = try TrackWriter(store.database)
            var seen = Set<String>()
            for (count, track) in dump.tracks.enumerated() {
                var credited: [PostgresSeedDump.Artist] = []
                for artistID in track.artistIDs {
                    if let artist = dump.artists[artistID] {
                        credited.append(artist)
                    } else {
                        summary.problems.append(
                            ImportProblem(line: track.line, reason: "track: artist \(artistID) is not in table artist; credit left out"))
                    }
                }
                let row = SpotifyTrackRow(track, artists: credited.map(\.name), features: dump.features[track.id]?.values)
                if seen.insert(track.id).inserted {
                    if try writer.upsert(row) { summary.updated += 1 } else { summary.imported += 1 }
                } else {
                    summary.duplicates += 1
                    try writer.keepHigherPopularity(of: row)
                }
                for artist in credited {
                    for genre in artist.genres { try writer.addGenre(genre, toTrack: track.id) }
                }
                if (count + 1) % 1_000 == 0 { progress?(count + 1) }
            }
            try store.rebuildSearchIndex()
        }
        if dump.tracks.count % 1_000 != 0 { progress?(dump.tracks.count) }
        summary.problems.sort { $0.line < $1.line }
        return summary
    }
}

extension SpotifyTrackRow {
    /// The catalogue row of a dump track; genres are added separately, one per credited artist genre.
    fileprivate init(_ track: PostgresSeedDump.Track, artists: [String], features: [Double]?) {
        id = track.id
        name = track.name
        album = track.album
        self.artists = artists
        genre = ""
        popularity = track.popularity
        durationMs = track.durationMs
        explicit = track.explicit
        self.features = features
    }
}
