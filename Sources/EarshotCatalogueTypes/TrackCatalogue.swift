/// The eleven Spotify audio features a track may carry, plus time signature.
///
/// Values are as the Spotify Web API reports them: `key` is a pitch class
/// 0–11 (or -1), `loudness` in dB, `tempo` in BPM, `mode` 0 or 1.
public struct AudioFeatures: Sendable, Hashable {
    public var danceability: Float
    public var energy: Float
    public var key: Float
    public var loudness: Float
    public var mode: Float
    public var speechiness: Float
    public var acousticness: Float
    public var instrumentalness: Float
    public var liveness: Float
    public var valence: Float
    public var tempo: Float
    public var timeSignature: Float

    public init(
        danceability: Float, energy: Float, key: Float, loudness: Float, mode: Float,
        speechiness: Float, acousticness: Float, instrumentalness: Float, liveness: Float,
        valence: Float, tempo: Float, timeSignature: Float
    ) {
        self.danceability = danceability
        self.energy = energy
        self.key = key
        self.loudness = loudness
        self.mode = mode
        self.speechiness = speechiness
        self.acousticness = acousticness
        self.instrumentalness = instrumentalness
        self.liveness = liveness
        self.valence = valence
        self.tempo = tempo
        self.timeSignature = timeSignature
    }
}

/// One catalogue track as the daemon holds it in memory.
public struct TrackRecord: Sendable, Hashable {
    /// The catalogue id (for Spotify data, the 22-character base-62 id).
    public var id: String
    public var name: String
    /// Artist names in credit order; the first is the primary artist.
    public var artists: [String]
    public var album: String
    /// Every genre the track was collected under, sorted.
    public var genres: [String]
    public var popularity: Int
    public var durationMs: Int
    public var explicit: Bool
    /// `nil` for tracks imported without audio features.
    public var features: AudioFeatures?

    public init(
        id: String, name: String, artists: [String], album: String, genres: [String],
        popularity: Int, durationMs: Int, explicit: Bool, features: AudioFeatures?
    ) {
        self.id = id
        self.name = name
        self.artists = artists
        self.album = album
        self.genres = genres
        self.popularity = popularity
        self.durationMs = durationMs
        self.explicit = explicit
        self.features = features
    }
}

/// An immutable, indexed view of the whole catalogue.
///
/// Built once per load or reload and shared by every request and scorer;
/// rows are addressed by a dense `Int32` index so scorers can keep
/// row-aligned arrays.
public final class TrackCatalogue: Sendable {
    public let tracks: [TrackRecord]
    /// Identifies the catalogue's content; snapshots record the one they were trained on.
    public let fingerprint: String
    private let rowByID: [String: Int32]
    /// Row → index of its song (all versions of one song share it).
    public let songOfRow: [Int32]
    /// Row → index of its primary artist by normalized name, as songs are
    /// keyed (so all versions of a song share it); -1 for a track without artists.
    public let artistOfRow: [Int32]
    /// Row → whether the track is marked explicit: an explicit filter scans
    /// these bytes, not every track record.
    public let explicitOfRow: [Bool]
    /// Rows of each genre, by lowercased name, ascending: a genre filter reads
    /// these instead of every track's genre strings.
    private let rowsByGenre: [String: [Int32]]

    public init(tracks: [TrackRecord], fingerprint: String) {
        self.tracks = tracks
        self.fingerprint = fingerprint
        var rows = [String: Int32](minimumCapacity: tracks.count)
        var songs = [SongKey: Int32]()
        var artists = [String: Int32]()
        var songOfRow = [Int32]()
        var artistOfRow = [Int32]()
        var rowsByGenre = [String: [Int32]]()
        songOfRow.reserveCapacity(tracks.count)
        artistOfRow.reserveCapacity(tracks.count)
        for (row, track) in tracks.enumerated() {
            rows[track.id] = Int32(row)
            for genre in Set(track.genres.map { $0.lowercased() }) { rowsByGenre[genre, default: []].append(Int32(row)) }
            let key = SongKey(title: track.name, primaryArtist: track.artists.first ?? "")
            if let song = songs[key] {
                songOfRow.append(song)
            } else {
                let song = Int32(songs.count)
                songs[key] = song
                songOfRow.append(song)
            }
            if track.artists.isEmpty {
                artistOfRow.append(-1)
            } else if let artist = artists[key.artist] {
                artistOfRow.append(artist)
            } else {
                let artist = Int32(artists.count)
                artists[key.artist] = artist
                artistOfRow.append(artist)
            }
        }
        self.rowByID = rows
        self.songOfRow = songOfRow
        self.artistOfRow = artistOfRow
        self.explicitOfRow = tracks.map(\.explicit)
        self.rowsByGenre = rowsByGenre
    }

    /// An empty catalogue, for a daemon started without a catalogue file.
    public static let empty = TrackCatalogue(tracks: [], fingerprint: "empty")

    public var count: Int { tracks.count }

    /// The row of a catalogue id, or `nil` when the catalogue lacks it.
    @inlinable
    public func row(of id: String) -> Int32? { rowIndex(id) }

    /// One flag per row: whether the track carries any of `genres`, compared
    /// without regard to case.
    public func rows(inAnyOf genres: some Sequence<String>) -> [Bool] {
        var matching = [Bool](repeating: false, count: tracks.count)
        for genre in Set(genres.map { $0.lowercased() }) {
            for row in rowsByGenre[genre] ?? [] { matching[Int(row)] = true }
        }
        return matching
    }

    @usableFromInline
    func rowIndex(_ id: String) -> Int32? { rowByID[id] }
}
