import EarshotScoring

/// The `mf` snapshot part, checked and laid out for scoring: item factors
/// contiguous and row-major, a unit-length copy for cosine similarity, the
/// users' training items (CSR) and what fold-in needs.
struct FactorModel: Sendable {
    let dimension: Int
    let itemIDs: [String]
    let rowOfItem: [String: Int32]
    /// Row-major `items × dimension`.
    let itemFactors: [Float]
    /// 1 / ‖row‖ of each item factor row (0 for zero rows): cosine without a
    /// normalized copy of the factors, so memory stays at the data's size.
    let inverseNorms: [Float]
    let rowOfUser: [String: Int32]
    /// Row-major `users × dimension`.
    let userFactors: [Float]
    /// User `u`'s training items are `userItems[userItemOffsets[u]..<userItemOffsets[u + 1]]`.
    let userItemOffsets: [Int]
    let userItems: [Int32]
    /// Confidence of each training interaction (the trainer's `c`).
    let userItemConfidences: [Float]
    let foldIn: FoldIn

    /// Reads and checks the part; every message names the file at fault.
    init(part: SnapshotPart) throws(ScorerLoadError) {
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
        let (offsets, userItems) = try part.userItems(users: users.count, items: items.count, part: "mf", fail: fail)
        let confidences: [Float]
        if let data = part.matrices["user_items_data"] {
            guard data.values.count == userItems.count else {
                throw fail("mf/user_items_data.npy has \(data.values.count) values, mf/user_items_indices.npy \(userItems.count)")
            }
            confidences = data.values
        } else {
            confidences = []
        }
        guard let regularization = part.parameters["regularization"], regularization > 0 else {
            throw fail("the manifest's mf hyperparameters lack regularization > 0")
        }
        let alpha = part.parameters["alpha"] ?? 1
        let exponent = part.parameters["regularization_exponent"] ?? 0
        guard alpha >= 0, exponent >= 0 else { throw fail("the manifest's mf alpha and regularization_exponent must be ≥ 0") }

        self.dimension = dimension
        self.itemIDs = items
        self.rowOfItem = try SnapshotPart.rowIndex(items, file: "mf/items.txt", fail: fail)
        self.itemFactors = itemMatrix.values
        self.inverseNorms = CosineSimilarity.inverseNorms(itemMatrix.values, dimension: dimension)
        self.rowOfUser = try SnapshotPart.rowIndex(users, file: "mf/users.txt", fail: fail)
        self.userFactors = userMatrix.values
        self.userItemOffsets = offsets
        self.userItems = userItems
        let foldIn = FoldIn(
            itemFactors: itemMatrix.values, dimension: dimension, regularization: regularization,
            regularizationExponent: exponent, alpha: alpha, relativeWeights: (part.parameters["relative_weights"] ?? 0) != 0)
        self.foldIn = foldIn
        // Without stored confidences a training item counts as one play.
        self.userItemConfidences = confidences.isEmpty
            ? [Float](repeating: foldIn.confidences([1])[0], count: userItems.count) : confidences
    }

    /// Training items of a user row.
    func trainingItems(ofRow user: Int) -> ArraySlice<Int32> {
        userItems[userItemOffsets[user]..<userItemOffsets[user + 1]]
    }
}
