import EarshotScoring

/// The loaded `mf` model: scores are dot products of a user vector with the
/// item factors, `similar` is the cosine of item factors.
struct MatrixFactorizationScorer: LoadedScorer {
    let model: FactorModel

    var facts: [String: Int] {
        ["items": model.itemIDs.count, "users": model.rowOfUser.count, "dims": model.dimension]
    }

    var itemIDs: [String] { model.itemIDs }

    func item(of id: String) -> Int32? { model.rowOfItem[id] }

    func trainingItems(of user: String) -> [Int32] {
        guard let row = model.rowOfUser[user] else { return [] }
        return Array(model.trainingItems(ofRow: Int(row)))
    }

    func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError)
        -> [ScoredItem]
    {
        let vector = try userVector(for: listener)
        return model.itemFactors.withUnsafeBufferPointer {
            VectorKernels.topDotProducts(query: vector, matrix: $0, rows: model.itemIDs.count, k: k, excluding: exclusion)
        }
    }

    func score(_ items: [Int32], for listener: Listener) throws(ScoringError) -> [Float] {
        let vector = try userVector(for: listener)
        return vector.withUnsafeBufferPointer { query in
            model.itemFactors.withUnsafeBufferPointer { factors in
                items.map { VectorKernels.dot(query.baseAddress!, factors.baseAddress! + Int($0) * model.dimension, count: model.dimension) }
            }
        }
    }

    /// Cosine of item factors (see `CosineSimilarity.top`).
    func similar(
        to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion
    ) throws(ScoringError) -> [ScoredItem] {
        guard !seeds.isEmpty else { throw .noKnownItems }
        return CosineSimilarity.top(
            to: seeds, strategy: strategy, matrix: model.itemFactors, inverseNorms: model.inverseNorms,
            dimension: model.dimension, k: k, excluding: exclusion)
    }

    /// A trained user without new history keeps the trained vector; a
    /// trained user with history items outside their training items is
    /// folded in from the union; anyone else from the history alone.
    func userVector(for listener: Listener) throws(ScoringError) -> [Float] {
        let history = Self.merged(listener.history)
        guard let user = listener.user, let row = model.rowOfUser[user].map(Int.init) else {
            guard !history.items.isEmpty else { throw .unknownUser(listener.user ?? "") }
            return model.foldIn.userVector(
                items: history.items, confidences: model.foldIn.confidences(history.weights), itemFactors: model.itemFactors)
        }
        let training = model.trainingItems(ofRow: row)
        let known = Set(training)
        let extra = zip(history.items, history.weights).filter { !known.contains($0.0) }
        guard !extra.isEmpty else {
            return Array(model.userFactors[row * model.dimension..<(row + 1) * model.dimension])
        }
        let trainingConfidences = model.userItemConfidences[model.userItemOffsets[row]..<model.userItemOffsets[row + 1]]
        return model.foldIn.userVector(
            items: Array(training) + extra.map(\.0),
            confidences: Array(trainingConfidences) + model.foldIn.confidences(extra.map(\.1)),
            itemFactors: model.itemFactors)
    }

    /// History with repeated items merged (weights added), in first-seen order.
    static func merged(_ history: [WeightedItem]) -> (items: [Int32], weights: [Float]) {
        var position: [Int32: Int] = [:]
        var items: [Int32] = []
        var weights: [Float] = []
        for entry in history {
            if let index = position[entry.item] {
                weights[index] += entry.weight
            } else {
                position[entry.item] = items.count
                items.append(entry.item)
                weights.append(entry.weight)
            }
        }
        return (items, weights)
    }
}
