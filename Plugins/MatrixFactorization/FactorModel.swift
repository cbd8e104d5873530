import EarshotScoring

/// The `mf` snapshot part, checked and laid out for scoring: item factors,
/// the users' factors and training items, and what fold-in needs.
struct FactorModel: Sendable {
    /// Item factors.
    let items: DenseItems
    let users: TrainingUsers
    /// Row-major `users × dimension`.
    let userFactors: TensorElements<Float>
    /// Confidence of each training interaction (the trainer's `c`), aligned with `users.items`.
    let userItemConfidences: [Float]
    let foldIn: ALSFoldIn

    /// Reads and checks the part; every message names the file at fault.
    init(part: SnapshotPart, settings: [String: String] = [:]) throws(ScorerLoadError) {
        func fail(_ message: String) -> ScorerLoadError {
            ScorerLoadError("\(message); retrain with `earshot train mf` or fix the snapshot")
        }
        guard let items = part.idLists["items"] else { throw fail("mf/items.txt is missing") }
        guard let itemMatrix = part.matrices["item_factors"] else { throw fail("mf/item_factors.npy is missing") }
        guard itemMatrix.rows == items.count else {
            throw fail("mf/items.txt has \(items.count) ids but mf/item_factors.npy has \(itemMatrix.rows) rows")
        }
        let dimension = itemMatrix.columns
        if let factors = part.parameters["factors"], Int(factors) != dimension {
            throw fail("mf/item_factors.npy has \(dimension) columns but the manifest says factors = \(Int(factors))")
        }
        guard dimension > 0 else { throw fail("mf/item_factors.npy has no columns") }
        let users = part.idLists["users"] ?? []
        let userMatrix = part.matrices["user_factors"] ?? Matrix(rows: 0, columns: dimension, values: [])
        guard userMatrix.rows == users.count else {
            throw fail("mf/users.txt has \(users.count) ids but mf/user_factors.npy has \(userMatrix.rows) rows")
        }
        guard userMatrix.rows == 0 || userMatrix.columns == dimension else {
            throw fail("mf/user_factors.npy has \(userMatrix.columns) columns, mf/item_factors.npy \(dimension)")
        }
        let training = try TrainingUsers(ids: users, part: part, items: items.count, name: "mf", fail: fail)
        let confidences: [Float]
        if let data = part.matrices["user_items_data"] {
            guard data.values.count == training.items.count else {
                throw fail("mf/user_items_data.npy has \(data.values.count) values, mf/user_items_indices.npy \(training.items.count)")
            }
            confidences = Array(data.values)
        } else {
            confidences = []
        }
        guard let regularization = part.parameters["regularization"], regularization > 0 else {
            throw fail("the manifest's mf hyperparameters lack regularization > 0")
        }
        let alpha = part.parameters["alpha"] ?? 1
        let exponent = part.parameters["regularization_exponent"] ?? 0
        guard alpha >= 0, exponent >= 0 else { throw fail("the manifest's mf alpha and regularization_exponent must be ≥ 0") }

        self.items = try DenseItems(
            ids: items, matrix: itemMatrix, file: "mf/items.txt",
            graph: try part.hnswGraph(rows: items.count, part: "mf", fail: fail),
            ann: try ANNSettings(settings: settings, scorer: "mf"), fail: fail)
        self.users = training
        self.userFactors = userMatrix.values
        let foldIn = ALSFoldIn(
            itemFactors: itemMatrix.values, dimension: dimension, regularization: regularization,
            regularizationExponent: exponent, alpha: alpha, relativeWeights: (part.parameters["relative_weights"] ?? 0) != 0)
        self.foldIn = foldIn
        // Without stored confidences a training item counts as one play.
        self.userItemConfidences = confidences.isEmpty
            ? [Float](repeating: foldIn.confidences([1])[0], count: training.items.count) : confidences
    }
}
