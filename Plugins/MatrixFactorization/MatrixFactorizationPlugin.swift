import EarshotScoring

/// Scorer "mf": implicit-feedback matrix factorization (ALS, trained by
/// `earshot train mf`). A user in the model is scored with their trained
/// vector; anyone else, or a request with new history, with a vector folded
/// in at request time by one exact least-squares solve.
public enum MatrixFactorizationPlugin: ScorerPlugin {
    public static let name = "mf"
    public static let summary = "Matrix factorization (implicit-feedback ALS); new listeners are folded in from their history"

    public static func load(_ context: ScorerLoadContext) throws(ScorerLoadError) -> any LoadedScorer {
        guard let part = context.part else {
            throw ScorerLoadError("no mf model in the snapshot (train one with `earshot train mf`)")
        }
        return MatrixFactorizationScorer(model: try FactorModel(part: part, settings: context.settings))
    }
}
