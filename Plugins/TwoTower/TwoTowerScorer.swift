import EarshotScoring
import Foundation

/// The loaded `two-tower` model: a listener's query vector is the user's
/// embedding (for users seen in training) plus the mean of the history
/// embeddings of their items; scores are dot products with the candidate
/// vectors, `similar` is the cosine of candidate vectors.
struct TwoTowerScorer: DenseItemScorer {
    let model: TwoTowerModelPart

    var items: DenseItems { model.items }
    var users: TrainingUsers { model.users }

    /// The query tower at request time. A training user's history is their
    /// training items plus any new items in the listener's history; anyone
    /// else's is the listener's history alone (repeated items' weights
    /// added). The pooling is the trainer's: a plain mean, or weighted by
    /// `ln(1 + w / s)` with `s` the geometric mean of the history's weights.
    func queryVector(for listener: Listener) throws(ScoringError) -> [Float] {
        let d = model.items.dimension
        var items: [Int32] = []
        var weights: [Float] = []
        var position: [Int32: Int] = [:]
        var training = Set<Int32>()
        var userRow: Int?
        if let user = listener.user, let row = model.users.row(of: user) {
            userRow = row
            let entries = model.users.range(ofRow: row)
            for (item, weight) in zip(model.users.items[entries], model.userItemWeights[entries]) {
                training.insert(item)
                position[item] = items.count
                items.append(item)
                weights.append(weight)
            }
        }
        // A training item keeps its training weight; new items add up.
        for entry in listener.history where entry.weight > 0 && !training.contains(entry.item) {
            if let index = position[entry.item] {
                weights[index] += entry.weight
            } else {
                position[entry.item] = items.count
                items.append(entry.item)
                weights.append(entry.weight)
            }
        }
        let pools = !model.historyEmbeddings.isEmpty && !items.isEmpty
        let hasUser = userRow != nil && !model.userEmbeddings.isEmpty
        guard pools || hasUser else {
            if userRow == nil && items.isEmpty { throw .unknownUser(listener.user ?? "") }
            throw .noKnownItems
        }
        var query = [Float](repeating: 0, count: d)
        query.withUnsafeMutableBufferPointer { q in
            if hasUser, let row = userRow {
                model.userEmbeddings.withUnsafeBufferPointer { VectorKernels.axpy(1, $0.baseAddress! + row * d, q.baseAddress!, count: d) }
            }
            guard pools else { return }
            let shares = poolingShares(weights)
            model.historyEmbeddings.withUnsafeBufferPointer { table in
                for (item, share) in zip(items, shares) {
                    VectorKernels.axpy(share, table.baseAddress! + Int(item) * d, q.baseAddress!, count: d)
                }
            }
        }
        return query
    }

    /// Each history item's share of the pooled vector (summing to 1).
    func poolingShares(_ weights: [Float]) -> [Float] {
        guard model.logWeightedPooling else { return [Float](repeating: 1 / Float(weights.count), count: weights.count) }
        let scale = exp(weights.reduce(0.0) { $0 + log(Double($1)) } / Double(weights.count))
        let pooled = weights.map { log1p(Double($0) / scale) }
        let total = pooled.reduce(0, +)
        return pooled.map { Float($0 / total) }
    }
}
