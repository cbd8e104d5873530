import EarshotScoring

/// The `two-tower` snapshot part, checked and laid out for scoring: the
/// candidate vectors (and a unit-length copy for cosine similarity), the
/// query tower's tables and the users' training items (CSR).
struct TwoTowerModelPart: Sendable {
    let dimension: Int
    let itemIDs: [String]
    let rowOfItem: [String: Int32]
    /// Row-major `items × dimension`: candidate-tower outputs.
    let itemEmbeddings: [Float]
    /// `itemEmbeddings` with every row scaled to unit length (zero rows stay zero).
    let unitItemEmbeddings: [Float]
    /// Row-major `items × dimension`, pooled into queries; empty when the
    /// model's query tower has no history pooling.
    let historyEmbeddings: [Float]
    let rowOfUser: [String: Int32]
    /// Row-major `users × dimension`; empty when the query tower has no user embedding.
    let userEmbeddings: [Float]
    /// User `u`'s training items are `userItems[userItemOffsets[u]..<userItemOffsets[u + 1]]`.
    let userItemOffsets: [Int]
    let userItems: [Int32]
    /// The play count of each training item (1 when the snapshot has none).
    let userItemWeights: [Float]
    /// Pool the history with weights `ln(1 + w / s)`, `s` the history's
    /// geometric-mean weight, as the trainer did (else a plain mean).
    let logWeightedPooling: Bool

    /// Reads and checks the part; every message names the file at fault.
    init(part: SnapshotPart) throws(ScorerLoadError) {
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
        let (offsets, userItems) = try Self.trainingItems(part: part, users: users.count, items: items.count, fail: fail)
        let weights = part.matrices["user_items_data"]?.values ?? [Float](repeating: 1, count: userItems.count)
        guard weights.count == userItems.count, weights.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw fail("two-tower/user_items_data.npy must hold one weight > 0 per entry of two-tower/user_items_indices.npy")
        }

        self.dimension = dimension
        self.itemIDs = items
        self.rowOfItem = try Self.index(items, file: "two-tower/items.txt", fail: fail)
        self.itemEmbeddings = candidates.values
        self.unitItemEmbeddings = Self.unitRows(candidates.values, dimension: dimension)
        self.historyEmbeddings = history?.values ?? []
        self.rowOfUser = try Self.index(users, file: "two-tower/users.txt", fail: fail)
        self.userEmbeddings = userMatrix?.values ?? []
        self.userItemOffsets = offsets
        self.userItems = userItems
        self.userItemWeights = weights
        self.logWeightedPooling = (part.parameters["history_weighting_log"] ?? 0) != 0
    }

    /// Training items of a user row.
    func trainingItems(ofRow user: Int) -> ArraySlice<Int32> {
        userItems[userItemOffsets[user]..<userItemOffsets[user + 1]]
    }

    /// Play counts of a user row's training items.
    func trainingWeights(ofRow user: Int) -> ArraySlice<Float> {
        userItemWeights[userItemOffsets[user]..<userItemOffsets[user + 1]]
    }

    /// The CSR of the users' training items; absent files mean no training items.
    private static func trainingItems(
        part: SnapshotPart, users: Int, items: Int, fail: (String) -> ScorerLoadError
    ) throws(ScorerLoadError) -> ([Int], [Int32]) {
        guard let indptr = part.integers["user_items_indptr"] else { return ([Int](repeating: 0, count: users + 1), []) }
        let indices = part.integers["user_items_indices"] ?? []
        guard indptr.count == users + 1 else {
            throw fail("two-tower/user_items_indptr.npy has \(indptr.count) entries, expected users + 1 = \(users + 1)")
        }
        guard indptr.first == 0, indptr.last == Int64(indices.count), zip(indptr, indptr.dropFirst()).allSatisfy({ $0 <= $1 })
        else {
            throw fail(
                "two-tower/user_items_indptr.npy must rise from 0 to the \(indices.count) entries of two-tower/user_items_indices.npy")
        }
        guard indices.allSatisfy({ $0 >= 0 && $0 < Int64(items) }) else {
            throw fail("two-tower/user_items_indices.npy has an item index outside 0..<\(items)")
        }
        return (indptr.map { Int($0) }, indices.map { Int32($0) })
    }

    private static func index(
        _ ids: [String], file: String, fail: (String) -> ScorerLoadError
    ) throws(ScorerLoadError) -> [String: Int32] {
        var index = [String: Int32](minimumCapacity: ids.count)
        for (row, id) in ids.enumerated() {
            guard index.updateValue(Int32(row), forKey: id) == nil else { throw fail("\(file) lists \(id) twice") }
        }
        return index
    }

    private static func unitRows(_ values: [Float], dimension: Int) -> [Float] {
        var unit = values
        unit.withUnsafeMutableBufferPointer { rows in
            for start in stride(from: 0, to: rows.count, by: dimension) {
                let row = rows.baseAddress! + start
                let norm = VectorKernels.dot(row, row, count: dimension).squareRoot()
                guard norm > 0 else { continue }
                for d in 0..<dimension { row[d] /= norm }
            }
        }
        return unit
    }
}
