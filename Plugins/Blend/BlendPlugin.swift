import EarshotScoring
import Foundation

/// Scorer "blend": one ranking from several scorers. For a listener it pools
/// each source's top N (`candidates`), scores the pool with every source and
/// ranks it by a learned linear combination of per-source features
/// (``BlendFeatures``). Sources are scorers the daemon loaded before it,
/// reached only through the scoring API.
///
/// Settings (`[scorer.blend]`): `sources` (comma-separated names; default the
/// snapshot part's `blend/sources.txt`), `candidates` (N, default the part's
/// or 100) and `weights` (comma-separated, 3 per source; default the part's
/// `blend/weights.npy` when its sources are the same, else every source's
/// standardized score and rank once).
public enum BlendPlugin: ScorerPlugin {
    public static let name = "blend"
    public static let summary = "Blend of other scorers: their pooled top candidates ranked by fitted weights"
    public static let defaultCandidates = 100
    /// Manifest hyperparameters of a `blend/` part: the pool size, and the
    /// cut-off its weights were fitted at (which a refit keeps).
    public static let candidatesKey = "candidates"
    public static let fitKKey = "fit_k"

    public static func load(_ context: ScorerLoadContext) throws(ScorerLoadError) -> any LoadedScorer {
        func fail(_ message: String) -> ScorerLoadError {
            ScorerLoadError("\(message); retrain with `earshot train blend` or fix [scorer.blend]")
        }
        let partSources = context.part?.idLists["sources"].map { Array($0) }
        if context.part != nil, partSources == nil { throw fail("blend/sources.txt is missing") }
        let names: [String]
        if let text = context.settings["sources"] {
            names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        } else if let partSources {
            names = partSources
        } else {
            throw ScorerLoadError("no blend part in the snapshot and no [scorer.blend] sources (train one with `earshot train blend`)")
        }
        guard !names.isEmpty, Set(names).count == names.count, !names.contains(Self.name) else {
            throw fail("blend sources must be distinct scorer names other than blend, found \(names)")
        }
        var sources: [(name: String, scorer: any LoadedScorer)] = []
        for source in names {
            guard let scorer = context.sources.scorer(named: source) else {
                throw ScorerLoadError("blend source \(source) is not loaded (not enabled, not ready, or not before blend)")
            }
            sources.append((source, scorer))
        }
        let width = BlendFeatures.perSource * names.count
        var weights = BlendFeatures.defaultWeights(sources: names.count)
        if let text = context.settings["weights"] {
            let values = text.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == width, values.allSatisfy(\.isFinite) else {
                throw fail("scorer.blend.weights must be \(width) numbers (3 per source), found \(text)")
            }
            weights = values
        } else if let part = context.part, partSources == names {
            guard let stored = part.matrices["weights"], stored.values.count == width, stored.values.allSatisfy(\.isFinite)
            else { throw fail("blend/weights.npy must hold \(width) finite weights (3 per source in blend/sources.txt)") }
            weights = Array(stored.values)
        }
        var candidates = context.part?.parameters[candidatesKey].map { Int($0) } ?? defaultCandidates
        if let text = context.settings["candidates"] {
            guard let value = Int(text), (1...10_000).contains(value) else {
                throw fail("scorer.blend.candidates must be an integer 1…10000, found \(text)")
            }
            candidates = value
        }
        return BlendScorer(pool: BlendPool(sources: sources), weights: weights, candidates: max(1, candidates))
    }
}

/// The loaded blend: its pool of sources and the weights.
public struct BlendScorer: LoadedScorer {
    public let pool: BlendPool
    public let weights: [Float]
    public let candidates: Int

    public init(pool: BlendPool, weights: [Float], candidates: Int) {
        precondition(weights.count == BlendFeatures.perSource * pool.sources.count, "3 weights per source")
        self.pool = pool
        self.weights = weights
        self.candidates = candidates
    }

    public var facts: [String: Int] { ["items": pool.itemIDs.count, "sources": pool.sources.count, "candidates": candidates] }
    public var itemIDs: IDList { pool.itemIDs }

    public func item(of id: String) -> Int32? { pool.item(of: id) }

    public func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError)
        -> [ScoredItem]
    {
        let pooled = try pool.candidates(for: listener, n: max(candidates, k), excluding: exclusion)
        var best = TopK(k: max(1, k))
        for index in pooled.items.indices {
            best.insert(item: pooled.items[index], score: pooled.score(index, weights: weights))
        }
        return best.sorted()
    }

    /// A listener whose history is the seeds (weighted by `strategy`), blended as in `recommend`.
    public func similar(
        to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion
    ) throws(ScoringError) -> [ScoredItem] {
        guard !seeds.isEmpty else { throw .noKnownItems }
        let history = seeds.enumerated().map { WeightedItem(item: $1, weight: strategy == .weighted ? Float($0 + 1) : 1) }
        return try recommend(for: Listener(user: nil, history: history), k: k, excluding: exclusion)
    }

    /// Scores as `recommend` would give them: features over the listener's pool plus these items.
    public func score(_ items: [Int32], for listener: Listener) throws(ScoringError) -> [Float] {
        let pooled = try pool.candidates(
            for: listener, n: candidates, excluding: ItemExclusion(count: pool.itemIDs.count), extra: items)
        var position: [Int32: Int] = [:]
        for (index, item) in pooled.items.enumerated() { position[item] = index }
        return items.map { pooled.score(position[$0]!, weights: weights) }
    }

    public func trainingItems(of user: String) -> [Int32] {
        var items = Set<Int32>()
        for (s, source) in pool.sources.enumerated() {
            for item in source.trainingItems(of: user) { items.insert(pool.item(item, ofSource: s)) }
        }
        return items.sorted()
    }
}
