import Foundation

/// Top-K ranking quality against held-out items with binary relevance
/// (README, "Training and evaluation"):
///
/// - recall@K = hits / min(K, |relevant|), so a user with more held-out
///   items than K can still reach 1 (the convention of `implicit`'s
///   evaluation; on the Last.fm split no user holds out more than 10 items,
///   so at K = 10 it equals hits / |relevant|);
/// - ndcg@K = DCG / ideal DCG, DCG = Σ_{rank r hit} 1 / log2(r + 1) with
///   ranks from 1, the ideal one over min(K, |relevant|) hits;
/// - hit@K = 1 when any of the top K is relevant.
public struct RankingMetrics: Sendable, Equatable {
    public var recall: Double
    public var ndcg: Double
    public var hit: Double

    public init(recall: Double, ndcg: Double, hit: Double) {
        self.recall = recall
        self.ndcg = ndcg
        self.hit = hit
    }

    /// Metrics of one ranked list: `relevance[r]` says whether the item at
    /// rank `r + 1` is relevant; only the first `k` entries count.
    /// `relevantCount` is the number of relevant items overall (> 0).
    public static func of(relevance: [Bool], relevantCount: Int, k: Int) -> RankingMetrics {
        precondition(relevantCount > 0 && k > 0, "need relevant items and k > 0")
        let top = relevance.prefix(k)
        let hits = top.filter { $0 }.count
        let dcg = top.enumerated().reduce(0.0) { sum, entry in entry.element ? sum + 1 / log2(Double(entry.offset) + 2) : sum }
        let idealCount = min(k, relevantCount)
        let ideal = (0..<idealCount).reduce(0.0) { $0 + 1 / log2(Double($1) + 2) }
        return RankingMetrics(recall: Double(hits) / Double(idealCount), ndcg: dcg / ideal, hit: hits > 0 ? 1 : 0)
    }

    /// The mean of per-user metrics (all zero for no users).
    public static func mean(_ metrics: [RankingMetrics]) -> RankingMetrics {
        guard !metrics.isEmpty else { return RankingMetrics(recall: 0, ndcg: 0, hit: 0) }
        let count = Double(metrics.count)
        return RankingMetrics(
            recall: metrics.reduce(0) { $0 + $1.recall } / count, ndcg: metrics.reduce(0) { $0 + $1.ndcg } / count,
            hit: metrics.reduce(0) { $0 + $1.hit } / count)
    }
}
