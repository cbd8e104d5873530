import EarshotScoring

/// The loaded `mf` model: scores are dot products of a user vector with the
/// item factors, `similar` is the cosine of item factors.
struct MatrixFactorizationScorer: LoadedScorer {
    let model: FactorModel

    var facts: [String: Int] {
        ["items": model.items.ids.count, "users": model.users.ids.count, "dims": model.items.dimension]
    }

    var itemIDs: [String] { model.items.ids }

    func item(of id: String) -> Int32? { model.items.row(of: id) }

    func trainingItems(of user: String) -> [Int32] { model.users.trainingItems(of: user) }

    func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError)
        -> [ScoredItem]
    {
        model.items.top(query: try userVector(for: listener), k: k, excluding: exclusion)
    }

    func score(_ items: [Int32], for listener: Listener) throws(ScoringError) -> [Float] {
        model.items.scores(query: try userVector(for: listener), items: items)
    }

    /// Cosine of item factors.
    func similar(
        to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion
    ) throws(ScoringError) -> [ScoredItem] {
        try model.items.similar(to: seeds, strategy: strategy, k: k, excluding: exclusion)
    }

    /// A trained user without new history keeps the trained vector; a
    /// trained user with history items outside their training items is
    /// folded in from the union; anyone else from the history alone.
    func userVector(for listener: Listener) throws(ScoringError) -> [Float] {
        let history = Self.merged(listener.history)
        guard let user = listener.user, let row = model.users.row(of: user) else {
            guard !history.items.isEmpty else { throw .unknownUser(listener.user ?? "") }
            return model.foldIn.userVector(
                items: history.items, confidences: model.foldIn.confidences(history.weights), itemFactors: model.items.vectors)
        }
        let training = model.users.items(ofRow: row)
        let known = Set(training)
        let extra = zip(history.items, history.weights).filter { !known.contains($0.0) }
        guard !extra.isEmpty else {
            let d = model.items.dimension
            return Array(model.userFactors[row * d..<(row + 1) * d])
        }
        let trainingConfidences = model.userItemConfidences[model.users.range(ofRow: row)]
        return model.foldIn.userVector(
            items: Array(training) + extra.map(\.0),
            confidences: Array(trainingConfidences) + model.foldIn.confidences(extra.map(\.1)),
            itemFactors: model.items.vectors)
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
