import EarshotScoring
import Testing

@testable import ContentSimilarity

@Suite("Content scorer")
struct ContentSimilarityTests {
    static func features(_ energy: Float, _ acousticness: Float) -> AudioFeatures {
        AudioFeatures(
            danceability: 0.5, energy: energy, key: 5, loudness: -8, mode: 1, speechiness: 0.05,
            acousticness: acousticness, instrumentalness: 0, liveness: 0.1, valence: 0.5, tempo: 120, timeSignature: 4)
    }

    static func track(_ id: String, _ genre: String, _ energy: Float, _ acousticness: Float, features: Bool = true) -> TrackRecord {
        TrackRecord(
            id: id, name: id, artists: ["artist \(id)"], album: "", genres: [genre], popularity: 50, durationMs: 200_000,
            explicit: false, features: features ? Self.features(energy, acousticness) : nil)
    }

    /// Two loud rock tracks, two quiet acoustic folk tracks, one track without features.
    let catalogue = TrackCatalogue(
        tracks: [
            track("rock1", "rock", 0.9, 0.1), track("rock2", "rock", 0.85, 0.15),
            track("folk1", "folk", 0.2, 0.9), track("folk2", "folk", 0.25, 0.85),
            track("bare", "rock", 0, 0, features: false),
        ], fingerprint: "test")

    func load(_ settings: [String: String] = [:]) throws -> any LoadedScorer {
        try ContentSimilarityPlugin.load(ScorerLoadContext(catalogue: catalogue, part: nil, settings: settings))
    }

    @Test("tracks without features are skipped")
    func skipsBareTracks() throws {
        let scorer = try load()
        #expect(scorer.itemIDs == ["rock1", "rock2", "folk1", "folk2"])
        #expect(scorer.item(of: "bare") == nil)
        #expect(scorer.facts["dims"] == 11 + 2)
    }

    @Test("the nearest track is the one alike in sound and genre")
    func similar() throws {
        let scorer = try load()
        let seed = try #require(scorer.item(of: "rock1"))
        var exclusion = ItemExclusion(count: 4)
        exclusion.exclude(seed)
        let result = try scorer.similar(to: [seed], strategy: .average, k: 3, excluding: exclusion)
        #expect(result.map { scorer.itemIDs[Int($0.item)] } == ["rock2", "folk2", "folk1"])
        #expect(result[0].score > 0.9 && result[0].score <= 1.0001)
    }

    @Test("max strategy serves each seed's neighbourhood")
    func maxStrategy() throws {
        let scorer = try load()
        let seeds = [scorer.item(of: "rock1")!, scorer.item(of: "folk1")!]
        var exclusion = ItemExclusion(count: 4)
        seeds.forEach { exclusion.exclude($0) }
        let result = try scorer.similar(to: seeds, strategy: .max, k: 2, excluding: exclusion)
        #expect(Set(result.map { scorer.itemIDs[Int($0.item)] }) == ["rock2", "folk2"])
    }

    @Test("recommend scores by the listener's profile; no history means unknown user")
    func recommend() throws {
        let scorer = try load()
        let history = [WeightedItem(item: scorer.item(of: "folk1")!, weight: 1)]
        var exclusion = ItemExclusion(count: 4)
        exclusion.exclude(history[0].item)
        let result = try scorer.recommend(for: Listener(user: "u", history: history), k: 1, excluding: exclusion)
        #expect(result.map { scorer.itemIDs[Int($0.item)] } == ["folk2"])
        #expect(throws: ScoringError.unknownUser("u")) {
            try scorer.recommend(for: Listener(user: "u", history: []), k: 1, excluding: exclusion)
        }
        let scores = try scorer.score([0, 2], for: Listener(user: nil, history: history))
        #expect(scores[1] > scores[0])
    }

    @Test("a prepared listener ranks as the scorer does and scores what it ranks by; no history means unknown user")
    func prepared() throws {
        let scorer = try load()
        let listener = Listener(user: "u", history: [WeightedItem(item: scorer.item(of: "folk1")!, weight: 1)])
        let exclusion = ItemExclusion(count: 4)
        let prepared = try scorer.prepared(for: listener)
        let top = try prepared.recommend(k: 3, excluding: exclusion)
        #expect(try top == scorer.recommend(for: listener, k: 3, excluding: exclusion))
        #expect(try prepared.score(top.map(\.item)) == top.map(\.score))
        #expect(try prepared.score([0, 1, 2, 3]) == scorer.score([0, 1, 2, 3], for: listener))
        #expect(throws: ScoringError.unknownUser("u")) { try scorer.prepared(for: Listener(user: "u", history: [])) }
    }

    @Test("genre weight 0 ranks by sound alone; bad settings are refused")
    func settings() throws {
        let scorer = try load(["genre_weight": "0"])
        #expect(scorer.facts["items"] == 4)
        #expect(throws: ScorerLoadError.self) { try load(["feature_weight": "-1"]) }
    }

    @Test("an empty catalogue leaves the scorer not ready")
    func empty() {
        #expect(throws: ScorerLoadError.self) {
            try ContentSimilarityPlugin.load(ScorerLoadContext(catalogue: .empty, part: nil))
        }
    }
}
