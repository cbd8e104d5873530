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

    /// Six tracks: t0–t3 as in `scorer()`, and t4, t5 by an artist public
    /// listeners never played (credited artist 3, matched to none).
    static func scorerWithCredits(ownWeight: Double) throws -> any LoadedScorer {
        let part = SnapshotPart(
            kind: "artists",
            matrices: [
                "artist_factors": Matrix(rows: 3, columns: 2, values: [1, 0, 0.9, 0.1, 0, 1]),
                "track_prior": Matrix(rows: 6, columns: 1, values: [0.5, 0.1, 0.9, 0.2, 0.3, 0.4]),
            ],
            integers: [
                "track_artists_indptr": [0, 1, 2, 3, 5, 5, 5], "track_artists_indices": [0, 1, 2, 1, 2],
                "track_credits_indptr": [0, 1, 2, 3, 5, 6, 7], "track_credits_indices": [0, 1, 2, 1, 2, 3, 3],
            ],
            idLists: ["items": IDList(["t0", "t1", "t2", "t3", "t4", "t5"])],
            parameters: ["regularization": 0.1, "prior_weight": 0.01, "own_weight": ownWeight])
        return try ArtistsPlugin.load(ScorerLoadContext(catalogue: .empty, part: part))
    }

    @Test("the listener's own artists rank first even when public listeners never played them")
    func ownArtists() throws {
        let scorer = try Self.scorerWithCredits(ownWeight: 3)
        var exclusion = ItemExclusion(count: 6)
        exclusion.exclude(0)
        exclusion.exclude(4)
        let mixed = Listener(user: nil, history: [WeightedItem(item: 0, weight: 1), WeightedItem(item: 4, weight: 2)])
        let top = try scorer.recommend(for: mixed, k: 4, excluding: exclusion)
        // t5 shares t4's unmatched artist; then the collaborative order of before.
        #expect(top.map(\.item) == [5, 3, 1, 2])
        #expect(try scorer.prepared(for: mixed).score(top.map(\.item)) == top.map(\.score))

        // Only an unmatched artist in the history: still served, by that artist.
        let alone = Listener(user: nil, history: [WeightedItem(item: 4, weight: 1)])
        #expect(try scorer.recommend(for: alone, k: 1, excluding: exclusion).map(\.item) == [5])

        // Without an own weight the same history knows no artist at all.
        let collaborativeOnly = try Self.scorerWithCredits(ownWeight: 0)
        #expect(throws: ScoringError.noKnownItems) { try collaborativeOnly.recommend(for: alone, k: 1, excluding: exclusion) }
    }

    @Test("credits that do not cover every item make the part fail to load with a reason")
    func badCredits() throws {
        let part = SnapshotPart(
            kind: "artists",
            matrices: [
                "artist_factors": Matrix(rows: 1, columns: 1, values: [1]),
                "track_prior": Matrix(rows: 2, columns: 1, values: [0, 0]),
            ],
            integers: [
                "track_artists_indptr": [0, 1, 1], "track_artists_indices": [0],
                "track_credits_indptr": [0, 1], "track_credits_indices": [0],
            ],
            idLists: ["items": IDList(["t0", "t1"])], parameters: ["regularization": 0.1])
        #expect(throws: ScorerLoadError.self) { try ArtistsPlugin.load(ScorerLoadContext(catalogue: .empty, part: part)) }
        do {
            _ = try ArtistsPlugin.load(ScorerLoadContext(catalogue: .empty, part: part))
        } catch {
            #expect("\(error)".contains("track_credits_indptr"))
        }
    }

    @Test("recommend gives the order a full scan of every track's score gives, ties to the lower index, for every k")
    func recommendMatchesFullScan() throws {
        // t0–t3 matched; t4–t11 unmatched with tied priors, credited to artists 3 and 4 or to none.
        let part = SnapshotPart(
            kind: "artists",
            matrices: [
                "artist_factors": Matrix(rows: 3, columns: 2, values: [1, 0, 0.9, 0.1, 0, 1]),
                "track_prior": Matrix(rows: 12, columns: 1, values: [0.5, 0.1, 0.9, 0.2, 0.3, 0.3, 0.5, 0.1, 0.5, 0, 0.3, 0.2]),
            ],
            integers: [
                "track_artists_indptr": [0, 1, 2, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5], "track_artists_indices": [0, 1, 2, 1, 2],
                "track_credits_indptr": [0, 1, 2, 3, 5, 6, 7, 8, 10, 10, 11, 11, 12],
                "track_credits_indices": [0, 1, 2, 1, 2, 3, 3, 4, 3, 4, 4, 3],
            ],
            idLists: ["items": IDList((0..<12).map { "t\($0)" })],
            parameters: ["regularization": 0.1, "prior_weight": 0.5, "own_weight": 0.2])
        let scorer = try ArtistsPlugin.load(ScorerLoadContext(catalogue: .empty, part: part))
        let histories: [[WeightedItem]] = [
            [WeightedItem(item: 0, weight: 1)],
            [WeightedItem(item: 4, weight: 1)],
            [WeightedItem(item: 2, weight: 2), WeightedItem(item: 7, weight: 1)],
            [WeightedItem(item: 9, weight: 1), WeightedItem(item: 1, weight: 0.5)],
        ]
        for history in histories {
            let listener = Listener(user: nil, history: history)
            var exclusion = ItemExclusion(count: 12)
            for entry in history { exclusion.exclude(entry.item) }
            let scores = try scorer.score(Array(0..<12), for: listener)
            let expected = (0..<12).filter { !exclusion.contains(Int32($0)) }
                .sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            for k in 1...12 {
                let top = try scorer.recommend(for: listener, k: k, excluding: exclusion)
                #expect(top.map { Int($0.item) } == Array(expected.prefix(k)), "history \(history.map(\.item)), k \(k)")
            }
        }
    }
}

