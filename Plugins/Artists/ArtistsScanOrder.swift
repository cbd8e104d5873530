import EarshotScoring

/// The order the artists scorer visits tracks in, built once at load so a
/// request scores fully only the tracks whose score depends on the listener.
///
/// Most catalogue tracks have no artist known to public listeners. Unless
/// one of the listener's own artists is credited on it, such a track scores
/// `priorWeight × prior`, the same for everyone: walked in that order, the
/// scan stops at the first that cannot enter the top k.
struct ArtistsScanOrder: Sendable {
    /// Tracks with a matched artist, in index order.
    let matched: [Int32]
    /// Tracks without one, best `priorWeight × prior` first, then lower index
    /// (the order `TopK` breaks ties in).
    let unmatchedByPrior: [Int32]
    /// The unmatched tracks crediting artist `a` are
    /// `unmatchedOfArtist[unmatchedOffsets[a]..<unmatchedOffsets[a + 1]]`;
    /// empty without credits.
    let unmatchedOffsets: [Int]
    let unmatchedOfArtist: [Int32]

    init(trackOffsets: [Int], creditOffsets: [Int], credits: [Int32], creditCount: Int, prior: [Float], priorWeight: Float) {
        let tracks = trackOffsets.count - 1
        let isMatched = (0..<tracks).map { trackOffsets[$0] < trackOffsets[$0 + 1] }
        matched = (0..<tracks).filter { isMatched[$0] }.map { Int32($0) }
        let unmatched = (0..<tracks).filter { !isMatched[$0] }
        unmatchedByPrior = unmatched.sorted {
            let a = priorWeight * prior[$0], b = priorWeight * prior[$1]
            return a > b || (a == b && $0 < $1)
        }.map { Int32($0) }
        guard !creditOffsets.isEmpty else {
            unmatchedOffsets = []
            unmatchedOfArtist = []
            return
        }
        var counts = [Int](repeating: 0, count: creditCount + 1)
        for track in unmatched {
            for position in creditOffsets[track]..<creditOffsets[track + 1] { counts[Int(credits[position]) + 1] += 1 }
        }
        for artist in 0..<creditCount { counts[artist + 1] += counts[artist] }
        var next = counts
        var ofArtist = [Int32](repeating: 0, count: counts[creditCount])
        for track in unmatched {
            for position in creditOffsets[track]..<creditOffsets[track + 1] {
                let artist = Int(credits[position])
                ofArtist[next[artist]] = Int32(track)
                next[artist] += 1
            }
        }
        unmatchedOffsets = counts
        unmatchedOfArtist = ofArtist
    }

    /// The top `k` of `tables`' scores over the tracks not excluded, as a
    /// scan over every track would give them: the matched tracks, then the
    /// unmatched ones crediting `ownArtists`, then the rest by prior until
    /// none can enter.
    func top(k: Int, tables: TrackTables, ownArtists: [Int32], excluding exclusion: ItemExclusion) -> [ScoredItem] {
        var best = TopK(k: max(1, k))
        // `>=`: an equal score may still win its tie on a lower index.
        for track in matched where !exclusion.contains(track) {
            let score = tables.score(Int(track))
            if score >= best.threshold { best.insert(item: track, score: score) }
        }
        var visited = ItemExclusion(count: ownArtists.isEmpty ? 0 : tables.prior.count)
        for artist in ownArtists where Int(artist) + 1 < unmatchedOffsets.count {
            for position in unmatchedOffsets[Int(artist)]..<unmatchedOffsets[Int(artist) + 1] {
                let track = unmatchedOfArtist[position]
                guard !visited.contains(track) else { continue }
                visited.exclude(track)
                guard !exclusion.contains(track) else { continue }
                let score = tables.score(Int(track))
                if score >= best.threshold { best.insert(item: track, score: score) }
            }
        }
        for track in unmatchedByPrior where !visited.contains(track) && !exclusion.contains(track) {
            let score = tables.score(Int(track))
            if score < best.threshold { break }
            best.insert(item: track, score: score)
        }
        return best.sorted()
    }
}
