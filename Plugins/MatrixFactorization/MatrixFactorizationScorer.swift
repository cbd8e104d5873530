import EarshotScoring

/// The loaded `mf` model: scores are dot products of a user vector with the
/// item factors, `similar` is the cosine of item factors.
struct MatrixFactorizationScorer: DenseItemScorer {
    let model: FactorModel

    var items: DenseItems { model.items }
    var users: TrainingUsers { model.users }

    /// A trained user without new history keeps the trained vector; a
    /// trained user with history items outside their training items is
    /// folded in from the union; anyone else from the history alone.
    func queryVector(for listener: Listener) throws(ScoringError) -> [Float] {
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
