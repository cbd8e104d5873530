import EarshotScoring
import Foundation

/// The features the blend ranks by, per source: the source's score
/// standardized over the listener's candidates, its rank discount
/// (1 / log2(2 + rank) inside the source's own top N, else 0), and the
/// standardized score times the listener's history length
/// (ln(1 + items) / 5), so a source can count more for long or short
/// histories. A `popular` source makes the item's popularity one feature.
public enum BlendFeatures {
    public static let perSource = 3

    /// Feature names in weight order, e.g. `mf.z`, `mf.rank`, `mf.z_history`.
    public static func names(sources: [String]) -> [String] {
        sources.flatMap { ["\($0).z", "\($0).rank", "\($0).z_history"] }
    }

    /// Weights for an unfitted blend: every source's standardized score and rank count once.
    public static func defaultWeights(sources: Int) -> [Float] {
        (0..<sources).flatMap { _ in [Float(1), 1, 0] }
    }

    static func historyFeature(_ count: Int) -> Float { Float(log1p(Double(count)) / 5) }
}

/// One listener's candidates with their features, row-major
/// `items.count × features`.
public struct BlendCandidates: Sendable {
    /// Blend items, in no particular order.
    public var items: [Int32]
    public var features: [Float]
    public let featureCount: Int

    /// The linear score of candidate `index` under `weights`.
    @inline(__always)
    public func score(_ index: Int, weights: [Float]) -> Float {
        var total: Float = 0
        let base = index * featureCount
        for j in 0..<featureCount { total += weights[j] * features[base + j] }
        return total
    }
}

/// Asks every source for its top N, pools them and scores the pool with
/// every source: what `blend` serves with and `earshot train blend` fits on.
public struct BlendPool: Sendable {
    let space: BlendItemSpace
    public let sources: [any LoadedScorer]
    public let sourceNames: [String]

    public init(sources: [(name: String, scorer: any LoadedScorer)]) {
        self.sources = sources.map(\.scorer)
        sourceNames = sources.map(\.name)
        space = BlendItemSpace(sources: self.sources)
    }

    public var itemIDs: IDList { space.ids }

    public func item(of id: String) -> Int32? { space.rowOfID[id] }

    /// The blend item of source `s`'s item.
    public func item(_ sourceItem: Int32, ofSource s: Int) -> Int32 { space.fromSource[s][Int(sourceItem)] }

    /// The union of each source's top `n` for `listener` (and `extra` items),
    /// with features. Throws only when no source can rank for the listener.
    public func candidates(
        for listener: Listener, n: Int, excluding exclusion: ItemExclusion, extra: [Int32] = []
    ) throws(ScoringError) -> BlendCandidates {
        var items: [Int32] = []
        var position: [Int32: Int] = [:]
        var ranks: [[Int32: Int]] = []
        // Each source looks at the listener once, for its top N and the pool's scores.
        var views: [(any PreparedListener)?] = []
        var failure: ScoringError?
        for s in sources.indices {
            let sourceExclusion = space.exclusion(exclusion, forSource: s)
            var rank: [Int32: Int] = [:]
            var view: (any PreparedListener)?
            do {
                let prepared = try sources[s].prepared(for: space.listener(listener, forSource: s))
                view = prepared
                let top = try prepared.recommend(k: n, excluding: sourceExclusion)
                for (r, scored) in top.enumerated() {
                    let item = space.fromSource[s][Int(scored.item)]
                    rank[item] = r
                    if position[item] == nil {
                        position[item] = items.count
                        items.append(item)
                    }
                }
            } catch {
                failure = failure ?? error
            }
            views.append(view)
            ranks.append(rank)
        }
        for item in extra where position[item] == nil {
            position[item] = items.count
            items.append(item)
        }
        if ranks.allSatisfy(\.isEmpty), items.isEmpty, let failure { throw failure }
        let f = BlendFeatures.perSource
        let width = f * sources.count
        var features = [Float](repeating: 0, count: items.count * width)
        let history = BlendFeatures.historyFeature(listener.history.count)
        for s in sources.indices {
            let map = space.toSource[s]
            var known: [Int] = []
            var sourceItems: [Int32] = []
            for (index, item) in items.enumerated() where map[Int(item)] >= 0 {
                known.append(index)
                sourceItems.append(map[Int(item)])
            }
            guard !ranks[s].isEmpty || !sourceItems.isEmpty, let view = views[s],
                let scores = try? view.score(sourceItems), !scores.isEmpty
            else { continue }
            let mean = scores.reduce(0, +) / Float(scores.count)
            let variance = scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(scores.count)
            let scale = variance > 1e-12 ? 1 / variance.squareRoot() : 0
            var lowest: Float = 0
            var z = [Float](repeating: 0, count: items.count)
            for (k, index) in known.enumerated() {
                z[index] = (scores[k] - mean) * scale
                lowest = min(lowest, z[index])
            }
            // Items this source does not know rank below all it knows.
            lowest -= 1
            var isKnown = [Bool](repeating: false, count: items.count)
            for index in known { isKnown[index] = true }
            for index in items.indices {
                let value = isKnown[index] ? z[index] : lowest
                let base = index * width + s * f
                features[base] = value
                features[base + 1] = ranks[s][items[index]].map { 1 / log2(Float(2 + $0)) } ?? 0
                features[base + 2] = value * history
            }
        }
        return BlendCandidates(items: items, features: features, featureCount: width)
    }
}
