import EarshotScoring
import Popular
import Testing

@testable import Blend

/// Real `popular` scorers (loaded by their plugin from in-memory parts) as a
/// blend's sources: each ranks its own items in a fixed order.
enum Sources {
    static func popular(_ scores: [(String, Float)]) throws -> any LoadedScorer {
        let part = SnapshotPart(
            kind: "popular", matrices: ["scores": Matrix(rows: scores.count, columns: 1, values: scores.map(\.1))], integers: [:],
            idLists: ["items": IDList(scores.map(\.0))], parameters: [:])
        return try PopularPlugin.load(ScorerLoadContext(catalogue: .empty, part: part))
    }

    /// Source "a" knows a…f, best first; source "b" knows d…h, h best.
    static func pair() throws -> [String: any LoadedScorer] {
        [
            "a": try popular([("a", 6), ("b", 5), ("c", 4), ("d", 3), ("e", 2), ("f", 1)]),
            "b": try popular([("d", 1), ("e", 2), ("f", 3), ("g", 4), ("h", 5)]),
        ]
    }

    static func blend(settings: [String: String], scorers: [String: any LoadedScorer]) throws -> any LoadedScorer {
        var context = ScorerLoadContext(catalogue: .empty, part: nil, settings: settings)
        context.sources = ScorerSources { scorers[$0] }
        return try BlendPlugin.load(context)
    }
}

@Suite("blend scorer")
struct BlendScorerTests {
    let listener = Listener(user: nil, history: [])

    @Test("the item space is the union of the sources' items, the first source's order first")
    func itemSpace() throws {
        let blend = try Sources.blend(settings: ["sources": "a,b"], scorers: try Sources.pair())
        #expect(blend.itemIDs == ["a", "b", "c", "d", "e", "f", "g", "h"])
        #expect(blend.item(of: "g") == 6)
        #expect(blend.item(of: "z") == nil)
    }

    @Test("weights on one source's standardized score give that source's order over the pool")
    func followsWeights() throws {
        let scorers = try Sources.pair()
        let onlyA = try Sources.blend(settings: ["sources": "a,b", "weights": "1,0,0,0,0,0"], scorers: scorers)
        let ids = { (scorer: any LoadedScorer, items: [ScoredItem]) in items.map { scorer.itemIDs[Int($0.item)] } }
        let none = ItemExclusion(count: 8)
        #expect(ids(onlyA, try onlyA.recommend(for: listener, k: 3, excluding: none)) == ["a", "b", "c"])
        let onlyB = try Sources.blend(settings: ["sources": "a,b", "weights": "0,0,0,1,0,0"], scorers: scorers)
        // b's items first (h best); items b does not know rank below all it knows.
        #expect(ids(onlyB, try onlyB.recommend(for: listener, k: 5, excluding: none)) == ["h", "g", "f", "e", "d"])
    }

    @Test("excluded items never come back, whichever source proposed them")
    func exclusion() throws {
        let blend = try Sources.blend(settings: ["sources": "a,b"], scorers: try Sources.pair())
        var exclusion = ItemExclusion(count: 8)
        for id in ["a", "h", "d"] { exclusion.exclude(blend.item(of: id)!) }
        let ids = try blend.recommend(for: listener, k: 8, excluding: exclusion).map { blend.itemIDs[Int($0.item)] }
        #expect(ids.count == 5)
        #expect(Set(ids).isDisjoint(with: ["a", "h", "d"]))
    }

    @Test("sources over the same items in the same order take the exclusion as it is, and honour it")
    func sameItemsExclusion() throws {
        let scorers: [String: any LoadedScorer] = [
            "a": try Sources.popular([("a", 3), ("b", 2), ("c", 1)]),
            "b": try Sources.popular([("a", 1), ("b", 2), ("c", 3)]),
        ]
        let blend = try Sources.blend(settings: ["sources": "a,b"], scorers: scorers)
        var exclusion = ItemExclusion(count: 3)
        exclusion.exclude(blend.item(of: "b")!)
        let ids = try blend.recommend(for: listener, k: 3, excluding: exclusion).map { blend.itemIDs[Int($0.item)] }
        #expect(Set(ids) == ["a", "c"])
    }

    @Test("score gives what recommend ranks by")
    func scoresMatchRecommend() throws {
        let blend = try Sources.blend(settings: ["sources": "a,b"], scorers: try Sources.pair())
        let ranked = try blend.recommend(for: listener, k: 4, excluding: ItemExclusion(count: 8))
        let scores = try blend.score(ranked.map(\.item), for: listener)
        for (item, score) in zip(ranked, scores) { #expect(abs(item.score - score) < 1e-5) }
    }

    @Test("a source that is not loaded, or bad weights, make the blend not ready with a reason")
    func loadErrors() throws {
        #expect(throws: ScorerLoadError.self) { try Sources.blend(settings: ["sources": "a,missing"], scorers: try Sources.pair()) }
        #expect(throws: ScorerLoadError.self) { try Sources.blend(settings: ["sources": "a,b", "weights": "1,2"], scorers: try Sources.pair()) }
        #expect(throws: ScorerLoadError.self) { try Sources.blend(settings: [:], scorers: try Sources.pair()) }
        do {
            _ = try Sources.blend(settings: ["sources": "a,missing"], scorers: try Sources.pair())
        } catch {
            #expect("\(error)".contains("missing"))
        }
    }

    /// A pool of sources a and b, and `count` copies of one listener whose
    /// held-out items are b's favourites (h and g).
    func fitExamples(count: Int) throws -> (BlendPool, [BlendFit.Example]) {
        let scorers = try Sources.pair()
        let pool = BlendPool(sources: [("a", scorers["a"]!), ("b", scorers["b"]!)])
        let relevant: Set<Int32> = [pool.item(of: "h")!, pool.item(of: "g")!]
        let examples = (0..<count).map { _ in
            BlendFit.Example(listener: listener, exclusion: ItemExclusion(count: 8), relevant: relevant)
        }
        return (pool, examples)
    }

    @Test("fitting finds the source that predicts the held-out items and beats the unfitted weights")
    func fit() throws {
        let (pool, examples) = try fitExamples(count: BlendFit.defaultMinimumExamples)
        let result = BlendFit(k: 2, candidates: 10).fit(pool: pool, examples: examples)
        #expect(result.fitted)
        #expect(result.fittedNDCG == 1)
        #expect(result.fittedNDCG > result.defaultNDCG)
        #expect(result.sourceNDCG[1] == 1)
        #expect(result.sourceNDCG[0] < 1)
        let again = BlendFit(k: 2, candidates: 10).fit(pool: pool, examples: examples)
        #expect(again.weights == result.weights)
    }

    @Test("with fewer examples than the minimum, the fit keeps the default weights and says so")
    func fitBelowMinimum() throws {
        let (pool, examples) = try fitExamples(count: BlendFit.defaultMinimumExamples - 1)
        let result = BlendFit(k: 2, candidates: 10).fit(pool: pool, examples: examples)
        #expect(!result.fitted)
        #expect(result.examples == examples.count)
        #expect(result.weights == BlendFeatures.defaultWeights(sources: 2))
        #expect(result.fittedNDCG == result.defaultNDCG)
        #expect(result.sourceNDCG[1] == 1)
        let previous: [Float] = [0, 0, 0, 2, 0, 0]
        let refit = BlendFit(k: 2, candidates: 10).fit(pool: pool, examples: examples, previous: previous)
        #expect(refit.keptPrevious && refit.weights == previous && refit.previousNDCG == 1)
    }

    @Test("a refit judges the weights in use on the same examples: kept when the search does not beat them, replaced when it does")
    func refitJudgesPreviousWeights() throws {
        let (pool, examples) = try fitExamples(count: BlendFit.defaultMinimumExamples)
        // Only source b's score: ndcg 1 already, which the search can equal but not beat.
        let good: [Float] = [0, 0, 0, 3, 0, 0]
        let kept = BlendFit(k: 2, candidates: 10).fit(pool: pool, examples: examples, previous: good)
        #expect(kept.fitted && kept.keptPrevious && kept.weights == good && kept.previousNDCG == 1 && kept.weightsNDCG == 1)
        // Only source a's score, which ranks the hits lower.
        let poor: [Float] = [3, 0, 0, 0, 0, 0]
        let replaced = BlendFit(k: 2, candidates: 10).fit(pool: pool, examples: examples, previous: poor)
        #expect(!replaced.keptPrevious && replaced.weights != poor)
        #expect(try #require(replaced.previousNDCG) < replaced.fittedNDCG && replaced.weightsNDCG == replaced.fittedNDCG)
    }
}
