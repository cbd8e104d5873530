import EarshotScoring

/// Scorer "content": cosine similarity over standardized audio features and
/// genre TF-IDF, computed per request in one pass over the catalogue (no
/// precomputed N×N matrix).
public enum ContentSimilarityPlugin: ScorerPlugin {
    public static let name = "content"
    public static let summary = "Cosine similarity over standardized Spotify audio features and genre TF-IDF"

    /// Genres predict what a listener plays next better than sound alone: on
    /// a validation slice of a real listening history (the profile's own
    /// last 20%), genre weights of 2 and more found twice the tracks weight 1
    /// did (scripts/content-history-eval.py --validation).
    public static let defaultGenreWeight: Float = 2

    /// Settings (`[scorer.content]`): `feature_weight` (default 1), `genre_weight` (default 2).
    public static func load(_ context: ScorerLoadContext) throws(ScorerLoadError) -> any LoadedScorer {
        let featureWeight = try weight("feature_weight", in: context.settings, default: 1)
        let genreWeight = try weight("genre_weight", in: context.settings, default: defaultGenreWeight)
        let model = ContentModel(catalogue: context.catalogue, featureWeight: featureWeight, genreWeight: genreWeight)
        guard !model.itemIDs.isEmpty else {
            throw ScorerLoadError("the catalogue has no tracks with audio features (import a catalogue first)")
        }
        return ContentSimilarityScorer(model: model)
    }

    private static func weight(
        _ key: String, in settings: [String: String], default value: Float
    ) throws(ScorerLoadError) -> Float {
        guard let text = settings[key] else { return value }
        guard let value = Float(text), value >= 0, value.isFinite else {
            throw ScorerLoadError("scorer.content.\(key) must be a number ≥ 0, found \(text)")
        }
        return value
    }
}

struct ContentSimilarityScorer: LoadedScorer {
    let model: ContentModel

    var facts: [String: Int] { ["items": model.itemIDs.count, "dims": ContentModel.featureNames.count + model.genreCount] }
    var itemIDs: IDList { model.itemIDs }

    func item(of id: String) -> Int32? { model.rowOfID[id] }

    func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError)
        -> [ScoredItem]
    {
        try preparedQuery(for: listener).recommend(k: k, excluding: exclusion)
    }

    func prepared(for listener: Listener) throws(ScoringError) -> any PreparedListener { try preparedQuery(for: listener) }

    /// The history's one query point, for `recommend` and `score` alike.
    private func preparedQuery(for listener: Listener) throws(ScoringError) -> PreparedContentQuery {
        guard !listener.history.isEmpty else { throw .unknownUser(listener.user ?? "") }
        return PreparedContentQuery(scorer: self, query: ContentQuery(model: model, items: listener.history))
    }

    func similar(
        to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion
    ) throws(ScoringError) -> [ScoredItem] {
        guard !seeds.isEmpty else { throw .noKnownItems }
        switch strategy {
        case .average:
            return top(k: k, excluding: exclusion, queries: [ContentQuery(model: model, items: seeds.map { WeightedItem(item: $0, weight: 1) })])
        case .weighted:
            // Later seeds (the most recent plays) count more: weights 1, 2, …, n.
            let items = seeds.enumerated().map { WeightedItem(item: $1, weight: Float($0 + 1)) }
            return top(k: k, excluding: exclusion, queries: [ContentQuery(model: model, items: items)])
        case .max:
            let queries = seeds.map { ContentQuery(model: model, items: [WeightedItem(item: $0, weight: 1)]) }
            return top(k: k, excluding: exclusion, queries: queries)
        }
    }

    func score(_ items: [Int32], for listener: Listener) throws(ScoringError) -> [Float] {
        try preparedQuery(for: listener).score(items)
    }

    /// One pass over all items, split across cores; an item's score is its
    /// best over `queries`.
    fileprivate func top(k: Int, excluding exclusion: ItemExclusion, queries: [ContentQuery]) -> [ScoredItem] {
        ParallelTopK.select(count: model.itemIDs.count, k: k, parallelFrom: 20_000) { [model] range in
            var best = TopK(k: k)
            for item in range where !exclusion.contains(Int32(item)) {
                var score = -Float.infinity
                for query in queries { score = max(score, query.score(item, in: model)) }
                if score > best.threshold { best.insert(item: Int32(item), score: score) }
            }
            return best.sorted()
        }
    }
}

/// A listener's content query, computed once.
private struct PreparedContentQuery: PreparedListener {
    let scorer: ContentSimilarityScorer
    let query: ContentQuery

    func recommend(k: Int, excluding exclusion: ItemExclusion) -> [ScoredItem] {
        scorer.top(k: k, excluding: exclusion, queries: [query])
    }

    func score(_ items: [Int32]) -> [Float] { items.map { query.score(Int($0), in: scorer.model) } }
}
