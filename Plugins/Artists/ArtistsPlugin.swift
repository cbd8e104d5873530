import EarshotScoring

/// Scorer "artists": collaborative knowledge from public listeners for a
/// catalogue nobody else listens to. `earshot train artists` trains implicit
/// ALS over Last.fm listeners' artists and maps those artists onto the
/// catalogue's by normalized name. At request time the listener's tracks
/// become artist weights, folded in as one ALS user; a track scores by its
/// best credited artist plus `prior_weight` × its within-artist prior (its
/// catalogue popularity, 0–1).
public enum ArtistsPlugin: ScorerPlugin {
    public static let name = "artists"
    public static let summary = "Artist-level ALS from public listeners, mapped onto catalogue tracks by artist name"

    public static func load(_ context: ScorerLoadContext) throws(ScorerLoadError) -> any LoadedScorer {
        guard let part = context.part else {
            throw ScorerLoadError("no artists model in the snapshot (train one with `earshot train artists`)")
        }
        return try ArtistsScorer(part: part)
    }
}

/// The loaded `artists` part: artist factors, each track's artists and prior.
struct ArtistsScorer: LoadedScorer {
    let itemIDs: IDList
    let rowOfID: IDRowIndex
    let dimension: Int
    /// Row-major `artists × dimension`.
    let artistFactors: TensorElements<Float>
    /// Track `t`'s artists are `trackArtists[trackOffsets[t]..<trackOffsets[t + 1]]`.
    let trackOffsets: [Int]
    let trackArtists: [Int32]
    let prior: [Float]
    let priorWeight: Float
    /// Artists credited on some track, each once: only their scores are needed.
    let usedArtists: [Int32]
    let foldIn: ALSFoldIn

    init(part: SnapshotPart) throws(ScorerLoadError) {
        func fail(_ message: String) -> ScorerLoadError {
            ScorerLoadError("\(message); retrain with `earshot train artists` or fix the snapshot")
        }
        guard let items = part.idLists["items"] else { throw fail("artists/items.txt is missing") }
        guard let factors = part.matrices["artist_factors"], factors.columns > 0 else {
            throw fail("artists/artist_factors.npy is missing or empty")
        }
        guard let indptr = part.integers["track_artists_indptr"], let indices = part.integers["track_artists_indices"] else {
            throw fail("artists/track_artists_indptr.npy or artists/track_artists_indices.npy is missing")
        }
        guard indptr.count == items.count + 1, indptr.first == 0, indptr.last == Int64(indices.count),
            zip(indptr, indptr.dropFirst()).allSatisfy({ $0 <= $1 })
        else { throw fail("artists/track_artists_indptr.npy must rise from 0 to \(indices.count) over items + 1 entries") }
        guard indices.allSatisfy({ $0 >= 0 && $0 < Int64(factors.rows) }) else {
            throw fail("artists/track_artists_indices.npy has an artist outside 0..<\(factors.rows)")
        }
        guard let prior = part.matrices["track_prior"], prior.values.count == items.count else {
            throw fail("artists/track_prior.npy must hold one value per item in artists/items.txt")
        }
        guard let regularization = part.parameters["regularization"], regularization > 0 else {
            throw fail("the manifest's artists hyperparameters lack regularization > 0")
        }
        itemIDs = items
        rowOfID = try SnapshotPart.rowIndex(items, file: "artists/items.txt", fail: fail)
        dimension = factors.columns
        artistFactors = factors.values
        trackOffsets = indptr.map { Int($0) }
        trackArtists = indices.map { Int32($0) }
        self.prior = Array(prior.values)
        priorWeight = Float(part.parameters["prior_weight"] ?? 0)
        usedArtists = Array(Set(trackArtists)).sorted()
        foldIn = ALSFoldIn(
            itemFactors: factors.values, dimension: factors.columns, regularization: regularization,
            regularizationExponent: part.parameters["regularization_exponent"] ?? 0,
            alpha: part.parameters["alpha"] ?? 1, relativeWeights: (part.parameters["relative_weights"] ?? 0) != 0)
    }

    var facts: [String: Int] {
        ["items": itemIDs.count, "artists": artistFactors.count / dimension, "matched_artists": usedArtists.count, "dims": dimension]
    }

    func item(of id: String) -> Int32? { rowOfID.row(of: id) }

    /// Every credited artist's score for `history`: the tracks' weights
    /// spread over their artists, folded in as one ALS user.
    func artistScores(_ history: [WeightedItem]) throws(ScoringError) -> [Float] {
        var weightOfArtist: [Int32: Float] = [:]
        var order: [Int32] = []
        for entry in history where entry.weight > 0 {
            let artists = trackArtists[trackOffsets[Int(entry.item)]..<trackOffsets[Int(entry.item) + 1]]
            for artist in artists {
                if weightOfArtist[artist] == nil { order.append(artist) }
                weightOfArtist[artist, default: 0] += entry.weight / Float(artists.count)
            }
        }
        guard !order.isEmpty else { throw .noKnownItems }
        let user = foldIn.userVector(
            items: order, confidences: foldIn.confidences(order.map { weightOfArtist[$0]! }), itemFactors: artistFactors)
        var scores = [Float](repeating: 0, count: artistFactors.count / dimension)
        user.withUnsafeBufferPointer { x in
            artistFactors.withUnsafeBufferPointer { y in
                for artist in usedArtists {
                    scores[Int(artist)] = VectorKernels.dot(x.baseAddress!, y.baseAddress! + Int(artist) * dimension, count: dimension)
                }
            }
        }
        return scores
    }

    @inline(__always)
    func trackScore(_ track: Int, artistScores: [Float]) -> Float {
        var best = -Float.infinity
        for position in trackOffsets[track]..<trackOffsets[track + 1] { best = max(best, artistScores[Int(trackArtists[position])]) }
        return best + priorWeight * prior[track]
    }

    func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError) -> [ScoredItem] {
        try preparedArtists(for: listener).recommend(k: k, excluding: exclusion)
    }

    func prepared(for listener: Listener) throws(ScoringError) -> any PreparedListener { try preparedArtists(for: listener) }

    /// The listener folded in once, for `recommend` and `score` alike.
    private func preparedArtists(for listener: Listener) throws(ScoringError) -> PreparedArtistScores {
        guard !listener.history.isEmpty else { throw .unknownUser(listener.user ?? "") }
        return PreparedArtistScores(scorer: self, artistScores: try artistScores(listener.history))
    }

    /// The seeds as a history (weighted 1, 2, … for `weighted`).
    func similar(to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError)
        -> [ScoredItem]
    {
        guard !seeds.isEmpty else { throw .noKnownItems }
        let history = seeds.enumerated().map { WeightedItem(item: $1, weight: strategy == .weighted ? Float($0 + 1) : 1) }
        return try recommend(for: Listener(user: nil, history: history), k: k, excluding: exclusion)
    }

    func score(_ items: [Int32], for listener: Listener) throws(ScoringError) -> [Float] {
        try preparedArtists(for: listener).score(items)
    }
}

/// A listener's artist scores, folded in once.
private struct PreparedArtistScores: PreparedListener {
    let scorer: ArtistsScorer
    let artistScores: [Float]

    func recommend(k: Int, excluding exclusion: ItemExclusion) -> [ScoredItem] {
        var best = TopK(k: max(1, k))
        for track in scorer.itemIDs.indices where !exclusion.contains(Int32(track)) {
            let score = scorer.trackScore(track, artistScores: artistScores)
            if score > best.threshold { best.insert(item: Int32(track), score: score) }
        }
        return best.sorted()
    }

    func score(_ items: [Int32]) -> [Float] { items.map { scorer.trackScore(Int($0), artistScores: artistScores) } }
}
