/// Each catalogue track's matched artists, credited artists and prior,
/// copied once at load into memory this object owns, so the scan over every
/// track reads them through raw pointers without bounds checks.
final class TrackTableStorage: @unchecked Sendable {
    // @unchecked: the buffers are written only in `init` and freed only in
    // `deinit`; in between every access, from any thread, is a read.

    /// Track `t`'s matched artists are `artists[offsets[t]..<offsets[t + 1]]`.
    let offsets: UnsafeBufferPointer<Int>
    let artists: UnsafeBufferPointer<Int32>
    /// Track `t`'s credited artists are `credits[creditOffsets[t]..<creditOffsets[t + 1]]`;
    /// both empty for a part without credits.
    let creditOffsets: UnsafeBufferPointer<Int>
    let credits: UnsafeBufferPointer<Int32>
    let prior: UnsafeBufferPointer<Float>

    init(offsets: [Int], artists: [Int32], creditOffsets: [Int], credits: [Int32], prior: [Float]) {
        func owned<T>(_ values: [T]) -> UnsafeBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: values.count)
            _ = buffer.initialize(from: values)
            return UnsafeBufferPointer(buffer)
        }
        self.offsets = owned(offsets)
        self.artists = owned(artists)
        self.creditOffsets = owned(creditOffsets)
        self.credits = owned(credits)
        self.prior = owned(prior)
    }

    deinit {
        offsets.deallocate()
        artists.deallocate()
        creditOffsets.deallocate()
        credits.deallocate()
        prior.deallocate()
    }
}

/// A track's score from the scorer's tables and one listener's scores: its
/// best matched artist (0 with none), plus `ownWeight` × its best credited
/// artist's own score, plus `priorWeight` × its prior. Valid only inside
/// `ArtistsScorer.withTables`.
struct TrackTables {
    let offsets: UnsafeBufferPointer<Int>
    let artists: UnsafeBufferPointer<Int32>
    let creditOffsets: UnsafeBufferPointer<Int>
    let credits: UnsafeBufferPointer<Int32>
    let prior: UnsafeBufferPointer<Float>
    let artistScores: UnsafeBufferPointer<Float>
    /// Empty when the part has no credits or no own weight.
    let ownScores: UnsafeBufferPointer<Float>
    let priorWeight: Float
    let ownWeight: Float

    init(
        _ storage: TrackTableStorage, artistScores: UnsafeBufferPointer<Float>, ownScores: UnsafeBufferPointer<Float>,
        priorWeight: Float, ownWeight: Float
    ) {
        offsets = storage.offsets
        artists = storage.artists
        creditOffsets = storage.creditOffsets
        credits = storage.credits
        prior = storage.prior
        self.artistScores = artistScores
        self.ownScores = ownScores
        self.priorWeight = priorWeight
        self.ownWeight = ownWeight
    }

    @inline(__always)
    func score(_ track: Int) -> Float {
        let start = offsets[track], end = offsets[track + 1]
        var best: Float = start == end ? 0 : -.infinity
        for position in start..<end { best = max(best, artistScores[Int(artists[position])]) }
        var own: Float = 0
        if !ownScores.isEmpty {
            for position in creditOffsets[track]..<creditOffsets[track + 1] { own = max(own, ownScores[Int(credits[position])]) }
        }
        return best + ownWeight * own + priorWeight * prior[track]
    }
}
