import EarshotScoring
import Foundation
import Testing

@testable import EarshotTraining

@Suite("Ranking metrics")
struct RankingMetricsTests {
    @Test("hits at ranks 1 and 3 of 4 relevant, K = 5")
    func handComputed() {
        let metrics = RankingMetrics.of(relevance: [true, false, true, false, false], relevantCount: 4, k: 5)
        #expect(metrics.recall == 0.5)
        #expect(metrics.hit == 1)
        let dcg = 1 + 1 / log2(4.0)
        let ideal = 1 + 1 / log2(3.0) + 1 / log2(4.0) + 1 / log2(5.0)
        #expect(abs(metrics.ndcg - dcg / ideal) < 1e-12)
    }

    @Test("fewer relevant items than K: recall and the ideal DCG use min(K, relevant)")
    func fewRelevant() {
        let perfect = RankingMetrics.of(relevance: [true, false, false], relevantCount: 1, k: 3)
        #expect(perfect == RankingMetrics(recall: 1, ndcg: 1, hit: 1))
        let second = RankingMetrics.of(relevance: [false, true, false], relevantCount: 1, k: 3)
        #expect(second.recall == 1 && abs(second.ndcg - 1 / log2(3.0)) < 1e-12)
        // More relevant items than K: all K hits is perfect.
        #expect(RankingMetrics.of(relevance: [true, true], relevantCount: 5, k: 2) == RankingMetrics(recall: 1, ndcg: 1, hit: 1))
    }

    @Test("no hits, ranks past K ignored, means")
    func missesAndMeans() {
        let miss = RankingMetrics.of(relevance: [false, false, true], relevantCount: 2, k: 2)
        #expect(miss == RankingMetrics(recall: 0, ndcg: 0, hit: 0))
        let mean = RankingMetrics.mean([RankingMetrics(recall: 1, ndcg: 0.5, hit: 1), miss])
        #expect(mean == RankingMetrics(recall: 0.5, ndcg: 0.25, hit: 0.5))
        #expect(RankingMetrics.mean([]) == RankingMetrics(recall: 0, ndcg: 0, hit: 0))
    }
}

@Suite("Offline evaluation")
struct OfflineEvaluationTests {
    /// A fixed ranking: every listener gets items by descending index, so results are known in advance.
    struct FixedOrderScorer: LoadedScorer {
        let itemIDs: IDList = ["i0", "i1", "i2", "i3", "i4"]
        var facts: [String: Int] { [:] }
        func item(of id: String) -> Int32? { itemIDs.firstIndex(of: id).map(Int32.init) }
        func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError) -> [ScoredItem] {
            guard listener.user != "stranger" || !listener.history.isEmpty else { throw .unknownUser("stranger") }
            return (0..<5).reversed().filter { !exclusion.contains(Int32($0)) }.prefix(k).map {
                ScoredItem(item: Int32($0), score: Float($0))
            }
        }
        func similar(to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError) -> [ScoredItem] { [] }
        func score(_ items: [Int32], for listener: Listener) throws(ScoringError) -> [Float] { items.map(Float.init) }
    }

    @Test("training items are excluded, users without test items skipped, unknown users count as misses")
    func protocolOnAFixedRanking() {
        var train = InteractionTable()
        train.add(user: "a", item: "i4", weight: 3)
        train.add(user: "b", item: "i0", weight: 1)
        var test = InteractionTable()
        test.add(user: "a", item: "i3", weight: 1)  // i4 is excluded, so i3 ranks first: a perfect hit
        test.add(user: "b", item: "i1", weight: 1)  // b gets i4, i3 at K = 2: a miss
        test.add(user: "stranger", item: "i2", weight: 1)  // no history: unscored
        let result = OfflineEvaluation(k: 2, workers: 2).run(scorer: FixedOrderScorer(), train: train, test: test)
        #expect(result.users == 3)
        #expect(result.unscoredUsers == 1)
        #expect(abs(result.metrics.ndcg - 1.0 / 3) < 1e-12)
        #expect(abs(result.metrics.hit - 1.0 / 3) < 1e-12)
    }
}
