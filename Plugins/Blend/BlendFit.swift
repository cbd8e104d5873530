import EarshotScoring
import Foundation

/// Fits a blend's weights on held-out data: for each example listener, the
/// pool is built once, then coordinate ascent searches the weights that
/// maximize the mean ndcg@K of the held-out items over the examples.
///
/// Deterministic: the same pool and examples give the same weights.
public struct BlendFit: Sendable {
    /// One held-out listener: what the sources may see, what they must not
    /// return, and the items that count as hits (blend items).
    public struct Example: Sendable {
        public var listener: Listener
        public var exclusion: ItemExclusion
        public var relevant: Set<Int32>

        public init(listener: Listener, exclusion: ItemExclusion, relevant: Set<Int32>) {
            self.listener = listener
            self.exclusion = exclusion
            self.relevant = relevant
        }
    }

    public struct Result: Sendable {
        public var weights: [Float]
        /// Mean ndcg@K on the examples with the default and with the searched weights.
        public var defaultNDCG: Double
        public var fittedNDCG: Double
        /// Each source alone (its standardized score only), same metric.
        public var sourceNDCG: [Double]
        public var examples: Int
        /// Whether the weights were searched; false when fewer than
        /// `minimumExamples` examples reached the pool, and `weights` are the
        /// defaults (or the previous weights, when given).
        public var fitted: Bool
        /// The previous weights' mean ndcg@K on the same examples, when given.
        public var previousNDCG: Double?
        /// Whether `weights` are the previous weights: too few examples to
        /// fit, or the previous weights score at least as well as the search's.
        public var keptPrevious: Bool

        /// Mean ndcg@K on the examples of `weights`, the weights to serve.
        public var weightsNDCG: Double { keptPrevious ? previousNDCG ?? fittedNDCG : fittedNDCG }
    }

    /// The cut-off `earshot train blend` and a refit use unless told: ndcg@10.
    public static let defaultK = 10

    public let k: Int
    public let candidates: Int
    /// Coordinate-ascent sweeps over all weights.
    public let sweeps: Int
    /// The fewest pooled examples worth fitting on. Below it, a search over
    /// the weights follows one or two listeners' held-out tracks rather than
    /// what the sources predict, so the default weights are kept.
    public let minimumExamples: Int

    /// The fewest examples a fit uses unless told (see `minimumExamples`).
    public static let defaultMinimumExamples = 20

    public init(k: Int, candidates: Int, sweeps: Int = 6, minimumExamples: Int = Self.defaultMinimumExamples) {
        self.k = k
        self.candidates = candidates
        self.sweeps = sweeps
        self.minimumExamples = minimumExamples
    }

    /// `progress(done, total, note)` reports pooling, then each sweep. With
    /// `previous` weights (a refit), those are judged on the same examples
    /// and kept unless the search beats them.
    public func fit(
        pool: BlendPool, examples: [Example], previous: [Float]? = nil, progress: (Int, Int, String) -> Void = { _, _, _ in }
    ) -> Result {
        var pooled: [(BlendCandidates, [Bool], Int)] = []
        for (index, example) in examples.enumerated() {
            if let candidates = try? pool.candidates(for: example.listener, n: candidates, excluding: example.exclusion) {
                pooled.append((candidates, candidates.items.map { example.relevant.contains($0) }, example.relevant.count))
            }
            if index % 64 == 63 || index == examples.count - 1 { progress(index + 1, examples.count, "pooling candidates") }
        }
        let width = BlendFeatures.perSource * pool.sources.count
        func ndcg(_ weights: [Float]) -> Double {
            var total = 0.0
            for (candidates, hits, relevantCount) in pooled {
                var best = TopK(k: k)
                for index in candidates.items.indices {
                    best.insert(item: Int32(index), score: candidates.score(index, weights: weights))
                }
                var dcg = 0.0
                for (rank, scored) in best.sorted().enumerated() where hits[Int(scored.item)] {
                    dcg += 1 / log2(Double(rank) + 2)
                }
                var ideal = 0.0
                for rank in 0..<min(k, relevantCount) { ideal += 1 / log2(Double(rank) + 2) }
                total += ideal > 0 ? dcg / ideal : 0
            }
            return pooled.isEmpty ? 0 : total / Double(pooled.count)
        }
        let sourceNDCG = (0..<pool.sources.count).map { s in
            var alone = [Float](repeating: 0, count: width)
            alone[s * BlendFeatures.perSource] = 1
            return ndcg(alone)
        }
        var weights = BlendFeatures.defaultWeights(sources: pool.sources.count)
        let defaultNDCG = ndcg(weights)
        var current = defaultNDCG
        let fitting = pooled.count >= minimumExamples
        var step: Float = 1
        let multipliers: [Float] = [-2, -1, -0.5, -0.25, 0.25, 0.5, 1, 2]
        for sweep in 0..<(fitting ? sweeps : 0) {
            for j in 0..<width {
                var bestValue = weights[j]
                for multiplier in multipliers {
                    var trial = weights
                    trial[j] += multiplier * step
                    let value = ndcg(trial)
                    if value > current + 1e-9 {
                        current = value
                        bestValue = trial[j]
                    }
                }
                weights[j] = bestValue
            }
            step /= 2
            progress(sweep + 1, sweeps, "fitting weights, ndcg@\(k) \(String(current))")
        }
        var result = Result(
            weights: weights, defaultNDCG: defaultNDCG, fittedNDCG: current, sourceNDCG: sourceNDCG, examples: pooled.count,
            fitted: fitting, previousNDCG: nil, keptPrevious: false)
        if let previous, previous.count == width {
            let score = ndcg(previous)
            result.previousNDCG = score
            if !fitting || score >= current {
                result.weights = previous
                result.keptPrevious = true
            }
        }
        return result
    }
}
