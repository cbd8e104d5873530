import CEarshotScorer
import EarshotScoring
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The catalogue as C plugins read it (`earshot_catalogue`): row-aligned
/// arrays and interned artist and genre names, built once per catalogue
/// and shared by every plugin model built on it.
// @unchecked Sendable: the buffers are written in `init` and only read after.
final class PluginCatalogue: @unchecked Sendable {
    let catalogue: TrackCatalogue
    /// `earshot_catalogue` followed by a pointer back to this object.
    let pointer: UnsafeMutablePointer<earshot_catalogue>
    private let raw: UnsafeMutableRawPointer
    private var allocations: [UnsafeMutableRawPointer] = []

    private init(_ catalogue: TrackCatalogue) {
        self.catalogue = catalogue
        let stride = MemoryLayout<earshot_catalogue>.stride
        raw = .allocate(byteCount: stride + MemoryLayout<UnsafeRawPointer>.size, alignment: 16)
        pointer = raw.bindMemory(to: earshot_catalogue.self, capacity: 1)
        pointer.initialize(to: earshot_catalogue())
        let tracks = catalogue.tracks
        var artistIndex: [String: Int32] = [:]
        var genreIndex: [String: Int32] = [:]
        var artistNames: [String] = []
        var genreNames: [String] = []
        var artistOffsets: [Int32] = [0]
        var genreOffsets: [Int32] = [0]
        var trackArtists: [Int32] = []
        var trackGenres: [Int32] = []
        var popularity: [Int32] = []
        var features: [Float] = []
        artistOffsets.reserveCapacity(tracks.count + 1)
        genreOffsets.reserveCapacity(tracks.count + 1)
        popularity.reserveCapacity(tracks.count)
        features.reserveCapacity(tracks.count * Int(EARSHOT_FEATURE_COUNT))
        for track in tracks {
            for artist in track.artists {
                if let index = artistIndex[artist] {
                    trackArtists.append(index)
                } else {
                    let index = Int32(artistNames.count)
                    artistIndex[artist] = index
                    artistNames.append(artist)
                    trackArtists.append(index)
                }
            }
            artistOffsets.append(Int32(trackArtists.count))
            for genre in track.genres {
                if let index = genreIndex[genre] {
                    trackGenres.append(index)
                } else {
                    let index = Int32(genreNames.count)
                    genreIndex[genre] = index
                    genreNames.append(genre)
                    trackGenres.append(index)
                }
            }
            genreOffsets.append(Int32(trackGenres.count))
            popularity.append(Int32(clamping: track.popularity))
            if let f = track.features {
                features.append(contentsOf: [
                    f.danceability, f.energy, f.key, f.loudness, f.mode, f.speechiness, f.acousticness,
                    f.instrumentalness, f.liveness, f.valence, f.tempo, f.timeSignature,
                ])
            } else {
                features.append(contentsOf: repeatElement(Float.nan, count: Int(EARSHOT_FEATURE_COUNT)))
            }
        }
        let songs = catalogue.songOfRow
        var view = earshot_catalogue()
        view.struct_size = UInt32(MemoryLayout<earshot_catalogue>.size)
        view.track_count = Int32(tracks.count)
        view.track_ids = strings(tracks.map(\.id))
        view.track_names = strings(tracks.map(\.name))
        view.song_of_track = copy(songs)
        view.song_count = (songs.max() ?? -1) + 1
        view.artist_offsets = copy(artistOffsets)
        view.track_artists = copy(trackArtists)
        view.artist_count = Int32(artistNames.count)
        view.artist_names = strings(artistNames)
        view.genre_offsets = copy(genreOffsets)
        view.track_genres = copy(trackGenres)
        view.genre_count = Int32(genreNames.count)
        view.genre_names = strings(genreNames)
        view.popularity = copy(popularity)
        view.features = copy(features)
        view.fingerprint = UnsafePointer(strdup(catalogue.fingerprint))
        allocations.append(UnsafeMutableRawPointer(mutating: view.fingerprint!))
        pointer.pointee = view
        (raw + stride).storeBytes(of: Unmanaged.passUnretained(self).toOpaque(), as: UnsafeMutableRawPointer.self)
    }

    deinit {
        for allocation in allocations { free(allocation) }
        raw.deallocate()
    }

    static func from(_ view: UnsafePointer<earshot_catalogue>?) -> PluginCatalogue? {
        guard let view else { return nil }
        let owner = UnsafeRawPointer(view).load(
            fromByteOffset: MemoryLayout<earshot_catalogue>.stride, as: UnsafeMutableRawPointer.self)
        return Unmanaged<PluginCatalogue>.fromOpaque(owner).takeUnretainedValue()
    }

    /// An array copied into malloc'd memory that lives as long as this view.
    private func copy<T>(_ values: [T]) -> UnsafePointer<T> {
        let memory = malloc(max(1, values.count * MemoryLayout<T>.stride))!
        allocations.append(memory)
        let typed = memory.bindMemory(to: T.self, capacity: max(1, values.count))
        _ = UnsafeMutableBufferPointer(start: typed, count: values.count).initialize(from: values)
        return UnsafePointer(typed)
    }

    /// NUL-terminated copies of `values` in one block, and the array of their addresses.
    private func strings(_ values: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
        let bytes = values.reduce(0) { $0 + $1.utf8.count + 1 }
        let block = malloc(max(1, bytes))!.assumingMemoryBound(to: CChar.self)
        allocations.append(UnsafeMutableRawPointer(block))
        let table = malloc(max(1, values.count) * MemoryLayout<UnsafePointer<CChar>?>.stride)!
            .assumingMemoryBound(to: UnsafePointer<CChar>?.self)
        allocations.append(UnsafeMutableRawPointer(table))
        var offset = 0
        for (index, value) in values.enumerated() {
            table[index] = UnsafePointer(block + offset)
            for byte in value.utf8 {
                block[offset] = CChar(bitPattern: byte)
                offset += 1
            }
            block[offset] = 0
            offset += 1
        }
        return UnsafePointer(table)
    }

    /// The view of `catalogue`: plugin models built on one catalogue share it.
    static func of(_ catalogue: TrackCatalogue) -> PluginCatalogue {
        latest.withLock { latest in
            if let view = latest.view, view.catalogue === catalogue { return view }
            let view = PluginCatalogue(catalogue)
            latest = WeakView(view: view)
            return view
        }
    }

    private struct WeakView {
        weak var view: PluginCatalogue?
    }

    private static let latest = Mutex(WeakView(view: nil))
}
