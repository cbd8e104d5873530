import EarshotScoring
import Foundation
import Testing

@testable import ContentSimilarity

@Suite("Content scorer: many seeds as one product")
struct HeavySimilarTests {
    static func value(_ index: Int, _ seed: Int) -> Float {
        let x = sin(Double(index) * 12.9898 + Double(seed) * 78.233) * 43758.5453
        return Float(x - x.rounded(.down))
    }

    /// `count` tracks with varied features, one to three of 30 genres each.
    static func catalogue(_ count: Int) -> TrackCatalogue {
        let tracks = (0..<count).map { index -> TrackRecord in
            let v = { (lane: Int) in value(index * 16 + lane, 3) }
            let features = AudioFeatures(
                danceability: v(0), energy: v(1), key: Float(Int(v(2) * 12)), loudness: -30 * v(3), mode: v(4) > 0.5 ? 1 : 0,
                speechiness: v(5), acousticness: v(6), instrumentalness: v(7), liveness: v(8), valence: v(9),
                tempo: 60 + 120 * v(10), timeSignature: 4)
            let genres = (0..<(1 + index % 3)).map { "g\((index * 7 + $0 * 13) % 30)" }
            return TrackRecord(
                id: "t\(index)", name: "song \(index)", artists: ["a\(index % 97)"], album: "", genres: Array(Set(genres)).sorted(),
                popularity: 50, durationMs: 1, explicit: false, features: features)
        }
        return TrackCatalogue(tracks: tracks, fingerprint: "heavy")
    }

    static func run(_ scorer: any LoadedScorer, _ request: ScoringRequest) throws -> [ScoredItem] {
        let pass = scorer.pass(for: [request], workers: 2)
        for slice in 0..<pass.sliceCount { pass.run(slice: slice, worker: slice % 2) }
        return try pass.results()[0].get()
    }

    @Test("max over many seeds equals the per-seed scan, scores bit for bit")
    func productEqualsScan() throws {
        let scorer = try ContentSimilarityPlugin.load(ScorerLoadContext(catalogue: Self.catalogue(3_000), part: nil))
        let seeds = (0..<400).map { Int32($0 * 7 % 3_000) }
        var exclusion = ItemExclusion(count: 3_000)
        seeds.forEach { exclusion.exclude($0) }
        let product = try Self.run(scorer, ScoringRequest(query: .seeds(seeds, .max), k: 50, exclusion: exclusion))
        let scanned = try scorer.similar(to: seeds, strategy: .max, k: 50, excluding: exclusion)
        #expect(product.count == 50)
        #expect(product == scanned)
    }

    @Test("10,000 seeds (the request limit) answer with k items")
    func tenThousandSeeds() throws {
        let scorer = try ContentSimilarityPlugin.load(ScorerLoadContext(catalogue: Self.catalogue(10_100), part: nil))
        let seeds = (0..<10_000).map { Int32($0) }
        var exclusion = ItemExclusion(count: 10_100)
        seeds.forEach { exclusion.exclude($0) }
        let result = try Self.run(scorer, ScoringRequest(query: .seeds(seeds, .max), k: 10, exclusion: exclusion))
        #expect(result.count == 10)
        #expect(result.allSatisfy { $0.item >= 10_000 })
        #expect(zip(result, result.dropFirst()).allSatisfy { $0.score >= $1.score })
    }

    @Test("recommend and average similar in slices equal the single scan")
    func slicedEqualsScan() throws {
        let scorer = try ContentSimilarityPlugin.load(ScorerLoadContext(catalogue: Self.catalogue(3_000), part: nil))
        let history = [WeightedItem(item: 3, weight: 2), WeightedItem(item: 40, weight: 1)]
        let exclusion = ItemExclusion(count: 3_000)
        let listener = Listener(user: nil, history: history)
        #expect(
            try Self.run(scorer, ScoringRequest(query: .listener(listener), k: 20, exclusion: exclusion))
                == scorer.recommend(for: listener, k: 20, excluding: exclusion))
        #expect(
            try Self.run(scorer, ScoringRequest(query: .seeds([5, 6, 7], .weighted), k: 20, exclusion: exclusion))
                == scorer.similar(to: [5, 6, 7], strategy: .weighted, k: 20, excluding: exclusion))
    }
}
