import CEarshotScorer

/// The host's top-k for one answer (`earshot_collector`): keeps the best
/// `k` offered items that respect the request's song and artist limits, so
/// a plugin's one pass returns `k` results that need no second scan.
///
/// An item replaces a kept version of its song only when it scores higher,
/// and an artist at its limit gives up its lowest item only to a higher
/// one; the kept count never shrinks, so the threshold only rises and an
/// item below it can never be needed later.
final class ResultCollector {
    private let k: Int
    private let songOfItem: UnsafePointer<Int32>?
    private let excludedSongs: UnsafePointer<UInt64>?
    private let artistOfItem: UnsafePointer<Int32>?
    private let maxPerArtist: Int
    private let result: UnsafeMutablePointer<earshot_result>
    /// Kept items, best first (ties: lower item first).
    private var kept: [(item: Int32, score: Float, song: Int32, artist: Int32)] = []

    init(k: Int, constraints: earshot_constraints, result: UnsafeMutablePointer<earshot_result>) {
        self.k = k
        songOfItem = constraints.song_of_item
        excludedSongs = constraints.excluded_songs
        artistOfItem = constraints.artist_of_item
        maxPerArtist = Int(constraints.max_per_artist)
        self.result = result
        kept.reserveCapacity(k + 1)
    }

    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ handle: OpaquePointer?) -> ResultCollector {
        Unmanaged<ResultCollector>.fromOpaque(UnsafeRawPointer(handle!)).takeUnretainedValue()
    }

    var threshold: Float { kept.count < k ? -.infinity : kept[kept.count - 1].score }

    func offer(item: Int32, score: Float) -> Float {
        guard score > threshold else { return threshold }
        let song = songOfItem.map { $0[Int(item)] } ?? -1
        if song >= 0, let excluded = excludedSongs, excluded[Int(song) >> 6] & (1 << UInt64(song & 63)) != 0 {
            return threshold
        }
        if song >= 0, let same = kept.firstIndex(where: { $0.song == song }) {
            guard Self.ranks(score, item, above: kept[same].score, kept[same].item) else { return threshold }
            kept.remove(at: same)
        } else {
            let artist = maxPerArtist > 0 ? (artistOfItem.map { $0[Int(item)] } ?? -1) : -1
            if artist >= 0, kept.lazy.filter({ $0.artist == artist }).count >= maxPerArtist {
                let lowest = kept.lastIndex { $0.artist == artist }!
                guard Self.ranks(score, item, above: kept[lowest].score, kept[lowest].item) else { return threshold }
                kept.remove(at: lowest)
            }
        }
        let artist = maxPerArtist > 0 ? (artistOfItem.map { $0[Int(item)] } ?? -1) : -1
        let position = kept.firstIndex { !Self.ranks($0.score, $0.item, above: score, item) } ?? kept.count
        kept.insert((item, score, song, artist), at: position)
        if kept.count > k { kept.removeLast() }
        return threshold
    }

    /// Writes the kept items into the result, best first.
    func finish() {
        let count = min(kept.count, Int(result.pointee.capacity))
        for index in 0..<count {
            result.pointee.items[index] = kept[index].item
            result.pointee.scores[index] = kept[index].score
        }
        result.pointee.count = Int32(count)
    }

    private static func ranks(_ score: Float, _ item: Int32, above other: Float, _ otherItem: Int32) -> Bool {
        score > other || (score == other && item < otherItem)
    }
}
