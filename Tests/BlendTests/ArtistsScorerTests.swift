import Artists
import EarshotScoring
import Testing

@Suite("artists scorer")
struct ArtistsScorerTests {
    /// Four tracks over three artists in two dimensions: artists 0 and 1 alike, artist 2 apart.
    static func scorer() throws -> any LoadedScorer {
        let part = SnapshotPart(
            kind: "artists",
            matrices: [
                "artist_factors": Matrix(rows: 3, columns: 2, values: [1, 0, 0.9, 0.1, 0, 1]),
                "track_prior": Matrix(rows: 4, columns: 1, values: [0.5, 0.1, 0.9, 0.2]),
            ],
            integers: ["track_artists_indptr": [0, 1, 2, 3, 5], "track_artists_indices": [0, 1, 2, 1, 2]],
            idLists: ["items": IDList(["t0", "t1", "t2", "t3"])], parameters: ["regularization": 0.1, "prior_weight": 0.01])
        return try ArtistsPlugin.load(ScorerLoadContext(catalogue: .empty, part: part))
    }

    @Test("a listener of artist 0 gets the alike artist's tracks first, the more popular first; a prepared listener scores what it ranks by")
    func recommendAndPrepared() throws {
        let scorer = try Self.scorer()
        let listener = Listener(user: nil, history: [WeightedItem(item: 0, weight: 3)])
        var exclusion = ItemExclusion(count: 4)
        exclusion.exclude(0)
        let top = try scorer.recommend(for: listener, k: 3, excluding: exclusion)
        // t3 is credited to artists 1 and 2: it scores by artist 1, as t1, and its prior is higher.
        #expect(top.map(\.item) == [3, 1, 2])
        let prepared = try scorer.prepared(for: listener)
        #expect(try prepared.recommend(k: 3, excluding: exclusion) == top)
        #expect(try prepared.score(top.map(\.item)) == top.map(\.score))
        #expect(try prepared.score([0, 1, 2, 3]) == scorer.score([0, 1, 2, 3], for: listener))
        #expect(throws: ScoringError.unknownUser("u")) { try scorer.prepared(for: Listener(user: "u", history: [])) }
    }
}
