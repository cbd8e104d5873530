import EarshotScoring
import Foundation

/// Scorer "artists": collaborative knowledge from public listeners for a
/// catalogue nobody else listens to. `earshot train artists` trains implicit
/// ALS over Last.fm listeners' artists and maps those artists onto the
/// catalogue's by normalized name. At request time the listener's tracks
/// become artist weights, folded in as one ALS user; a track scores by its
/// best matched artist (0 with none), plus `own_weight` × ln(1 + the
/// listener's weight on its best credited artist) — the listener's own
/// artists, known to public listeners or not — plus `prior_weight` × its
/// within-artist prior (its catalogue popularity, 0–1).
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
    /// Each track's matched artists, credited artists (numbered by the part) and prior.
    let tables: TrackTableStorage
    let creditCount: Int
    let priorWeight: Float
    let ownWeight: Float
    /// Artists credited on some track, each once: only their scores are needed.
    let usedArtists: [Int32]
    let scanOrder: ArtistsScanOrder
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
        let creditPointers = part.integers["track_credits_indptr"]
        let creditIndices = part.integers["track_credits_indices"]
        if creditPointers != nil || creditIndices != nil {
            guard let creditPointers, let creditIndices, creditPointers.count == items.count + 1, creditPointers.first == 0,
                creditPointers.last == Int64(creditIndices.count), zip(creditPointers, creditPointers.dropFirst()).allSatisfy({ $0 <= $1 }),
                creditIndices.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) })
            else {
                throw fail(
                    "artists/track_credits_indptr.npy and artists/track_credits_indices.npy must both be present, rising from 0 to the credits over items + 1 entries"
                )
            }
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
        let trackOffsets = indptr.map { Int($0) }
        let trackArtists = indices.map { Int32($0) }
        let creditOffsets = creditPointers.map { $0.map { Int($0) } } ?? []
        let trackCredits = creditIndices.map { $0.map { Int32($0) } } ?? []
        let trackPrior = Array(prior.values)
        tables = TrackTableStorage(
            offsets: trackOffsets, artists: trackArtists, creditOffsets: creditOffsets, credits: trackCredits, prior: trackPrior)
        creditCount = Int(trackCredits.max() ?? -1) + 1
        priorWeight = Float(part.parameters["prior_weight"] ?? 0)
        ownWeight = creditOffsets.isEmpty ? 0 : Float(part.parameters["own_weight"] ?? 0)
        usedArtists = Array(Set(trackArtists)).sorted()
        scanOrder = ArtistsScanOrder(
            trackOffsets: trackOffsets, creditOffsets: creditOffsets, credits: trackCredits, creditCount: creditCount,
            prior: trackPrior, priorWeight: priorWeight)
        foldIn = ALSFoldIn(
            itemFactors: factors.values, dimension: factors.columns, regularization: regularization,
            regularizationExponent: part.parameters["regularization_exponent"] ?? 0,
            alpha: part.parameters["alpha"] ?? 1, relativeWeights: (part.parameters["relative_weights"] ?? 0) != 0)
    }

    var facts: [String: Int] {
        ["items": itemIDs.count, "artists": artistFactors.count / dimension, "matched_artists": usedArtists.count, "dims": dimension]
    }

    func item(of id: String) -> Int32? { rowOfID.row(of: id) }

    /// Every matched artist's score for `history`: the tracks' weights
    /// spread over their artists, folded in as one ALS user (all 0 when no
    /// history track has a matched artist).
    func artistScores(_ history: [WeightedItem]) -> [Float] {
        var weightOfArtist: [Int32: Float] = [:]
        var order: [Int32] = []
        for entry in history where entry.weight > 0 {
            let artists = tables.artists[tables.offsets[Int(entry.item)]..<tables.offsets[Int(entry.item) + 1]]
            for artist in artists {
                if weightOfArtist[artist] == nil { order.append(artist) }
                weightOfArtist[artist, default: 0] += entry.weight / Float(artists.count)
            }
        }
        var scores = [Float](repeating: 0, count: artistFactors.count / dimension)
        guard !order.isEmpty else { return scores }
        let user = foldIn.userVector(
            items: order, confidences: foldIn.confidences(order.map { weightOfArtist[$0]! }), itemFactors: artistFactors)
        user.withUnsafeBufferPointer { x in
            artistFactors.withUnsafeBufferPointer { y in
                for artist in usedArtists {
                    scores[Int(artist)] = VectorKernels.dot(x.baseAddress!, y.baseAddress! + Int(artist) * dimension, count: dimension)
                }
            }
        }
        return scores
    }

    /// ln(1 + the listener's weight on each credited artist), every history
    /// track counting whole for each artist it credits, and those artists in
    /// order of first credit; both empty without an own weight.
    func ownScores(_ history: [WeightedItem]) -> (scores: [Float], artists: [Int32]) {
        guard ownWeight != 0 else { return ([], []) }
        var weights = [Float](repeating: 0, count: creditCount)
        var artists: [Int32] = []
        for entry in history where entry.weight > 0 {
            for position in tables.creditOffsets[Int(entry.item)]..<tables.creditOffsets[Int(entry.item) + 1] {
                let artist = tables.credits[position]
                if weights[Int(artist)] == 0 { artists.append(artist) }
                weights[Int(artist)] += entry.weight
            }
        }
        for artist in artists { weights[Int(artist)] = log1p(weights[Int(artist)]) }
        return (weights, artists)
    }

    /// The per-track tables and one listener's scores as raw buffers, so
    /// the scan over every catalogue track runs without bounds checks.
    func withTables<R>(artistScores: [Float], ownScores: [Float], _ body: (TrackTables) -> R) -> R {
        withExtendedLifetime(tables) {
            artistScores.withUnsafeBufferPointer { artistScores in
                ownScores.withUnsafeBufferPointer { ownScores in
                    body(TrackTables(tables, artistScores: artistScores, ownScores: ownScores, priorWeight: priorWeight, ownWeight: ownWeight))
                }
            }
        }
    }

    func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError) -> [ScoredItem] {
        try preparedArtists(for: listener).recommend(k: k, excluding: exclusion)
    }

    func prepared(for listener: Listener) throws(ScoringError) -> any PreparedListener { try preparedArtists(for: listener) }

    /// The listener folded in once, for `recommend` and `score` alike.
    private func preparedArtists(for listener: Listener) throws(ScoringError) -> PreparedArtistScores {
        guard !listener.history.isEmpty else { throw .unknownUser(listener.user ?? "") }
        let own = ownScores(listener.history)
        let known = !own.artists.isEmpty
            || listener.history.contains { $0.weight > 0 && tables.offsets[Int($0.item)] < tables.offsets[Int($0.item) + 1] }
        guard known else { throw .noKnownItems }
        return PreparedArtistScores(
            scorer: self, artistScores: artistScores(listener.history), ownScores: own.scores, ownArtists: own.artists)
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

/// A listener's artist scores, folded in once, and their own artists' weights.
private struct PreparedArtistScores: PreparedListener {
    let scorer: ArtistsScorer
    let artistScores: [Float]
    let ownScores: [Float]
    let ownArtists: [Int32]

    func recommend(k: Int, excluding exclusion: ItemExclusion) -> [ScoredItem] {
        scorer.withTables(artistScores: artistScores, ownScores: ownScores) { tables in
            scorer.scanOrder.top(k: k, tables: tables, ownArtists: ownArtists, excluding: exclusion)
        }
    }

    func score(_ items: [Int32]) -> [Float] {
        scorer.withTables(artistScores: artistScores, ownScores: ownScores) { tables in items.map { tables.score(Int($0)) } }
    }
}
