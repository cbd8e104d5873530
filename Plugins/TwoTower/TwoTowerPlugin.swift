import EarshotScoring

/// Scorer "two-tower": two-tower retrieval (trained by `earshot train
/// two-tower`). The query vector is computed at request time from the
/// listener's history (and the user's embedding when the model was trained
/// with the user), so a listener the model never saw is served from a
/// history alone; items are ranked by the dot product with their
/// precomputed candidate vectors.
public enum TwoTowerPlugin: ScorerPlugin {
    public static let name = "two-tower"
    public static let summary = "Two-tower retrieval (in-batch softmax, log-q corrected); queries pool the listener's history"

    public static func load(_ context: ScorerLoadContext) throws(ScorerLoadError) -> any LoadedScorer {
        guard let part = context.part else {
            throw ScorerLoadError("no two-tower model in the snapshot (train one with `earshot train two-tower`)")
        }
        return TwoTowerScorer(model: try TwoTowerModelPart(part: part, settings: context.settings))
    }
}
