import EarshotScoring

/// The `two-tower` snapshot part, checked and laid out for scoring: the
/// candidate vectors, the query tower's tables and the users' training items.
struct TwoTowerModelPart: Sendable {
    /// Candidate-tower outputs.
    let items: DenseItems
    /// Row-major `items × dimension`, pooled into queries; empty when the
    /// model's query tower has no history pooling.
    let historyEmbeddings: TensorElements<Float>
    let users: TrainingUsers
    /// Row-major `users × dimension`; empty when the query tower has no user embedding.
    let userEmbeddings: TensorElements<Float>
    /// The play count of each training item (1 when the snapshot has none), aligned with `users.items`.
    let userItemWeights: [Float]
    /// Pool the history with weights `ln(1 + w / s)`, `s` the history's
    /// geometric-mean weight, as the trainer did (else a plain mean).
    let logWeightedPooling: Bool

    /// Reads and checks the part; every message names the file at fault.
    init(part: SnapshotPart, settings: [String: String] = [:]) throws(ScorerLoadError) {
        func fail(_ message: String) -> ScorerLoadError {
            ScorerLoadError("\(message); retrain with `earshot train two-tower` or fix the snapshot")
        }
        guard let items = part.idLists["items"] else { throw fail("two-tower/items.txt is missing") }
        guard let candidates = part.matrices["item_embeddings"] else { throw fail("two-tower/item_embeddings.npy is missing") }
        guard candidates.rows == items.count else {
            throw fail("two-tower/items.txt has \(items.count) ids but two-tower/item_embeddings.npy has \(candidates.rows) rows")
        }
        let dimension = candidates.columns
        guard dimension > 0 else { throw fail("two-tower/item_embeddings.npy has no columns") }
        if let dims = part.parameters["dims"], Int(dims) != dimension {
            throw fail("two-tower/item_embeddings.npy has \(dimension) columns but the manifest says dims = \(Int(dims))")
        }
        let history = part.matrices["history_embeddings"]
        if let history, history.rows != items.count || history.columns != dimension {
            throw fail(
                "two-tower/history_embeddings.npy is \(history.rows)×\(history.columns), expected \(items.count)×\(dimension) like item_embeddings.npy")
        }
        let users = part.idLists["users"] ?? []
        let userMatrix = part.matrices["user_embeddings"]
        if let userMatrix, userMatrix.rows != users.count || userMatrix.columns != dimension {
            throw fail(
                "two-tower/user_embeddings.npy is \(userMatrix.rows)×\(userMatrix.columns), expected \(users.count) users × \(dimension)")
        }
        guard history != nil || userMatrix != nil else {
            throw fail("two-tower has neither history_embeddings.npy nor user_embeddings.npy, so it cannot build a query")
        }
        let training = try TrainingUsers(ids: users, part: part, items: items.count, name: "two-tower", fail: fail)
        let weights = part.matrices["user_items_data"].map { Array($0.values) } ?? [Float](repeating: 1, count: training.items.count)
        guard weights.count == training.items.count, weights.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw fail("two-tower/user_items_data.npy must hold one weight > 0 per entry of two-tower/user_items_indices.npy")
        }

        self.items = try DenseItems(
            ids: items, matrix: candidates, file: "two-tower/items.txt",
            graph: try part.hnswGraph(rows: items.count, part: "two-tower", fail: fail),
            ann: try ANNSettings(settings: settings, scorer: "two-tower"), fail: fail)
        self.historyEmbeddings = history?.values ?? TensorElements([])
        self.users = training
        self.userEmbeddings = userMatrix?.values ?? TensorElements([])
        self.userItemWeights = weights
        self.logWeightedPooling = (part.parameters["history_weighting_log"] ?? 0) != 0
    }
}
