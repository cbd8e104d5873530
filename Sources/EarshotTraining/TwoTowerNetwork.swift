import EarshotScoring

/// The two towers' parameters in one flat buffer (so the optimizer makes one
/// pass), and the gathers and scatters between them and batch rows.
///
/// Tables, each row-major with `dimension` columns: user embeddings (one row
/// per training user, when the query tower has them), history item
/// embeddings (one per item, when it pools the history), item-id embeddings
/// and tag embeddings of the candidate tower.
struct TwoTowerNetwork: Sendable {
    let dimension: Int
    let userRows: Int
    let historyRows: Int
    let itemRows: Int
    let tagRows: Int
    var parameters: [Float]

    var userOffset: Int { 0 }
    var historyOffset: Int { userRows * dimension }
    var itemOffset: Int { historyOffset + historyRows * dimension }
    var tagOffset: Int { itemOffset + itemRows * dimension }

    /// Every parameter uniform in [-0.05, 0.05) (Keras' embedding
    /// initializer), drawn table by table from `generator`.
    init(
        dimension: Int, users: Int, items: Int, tags: Int, configuration: TwoTowerConfiguration,
        generator: inout SeededGenerator
    ) {
        self.dimension = dimension
        userRows = configuration.userEmbeddings ? users : 0
        historyRows = configuration.historyPooling ? items : 0
        itemRows = items
        tagRows = tags
        let count = (userRows + historyRows + itemRows + tagRows) * dimension
        parameters = (0..<count).map { _ in (generator.nextUnitFloat() - 0.5) * 0.1 }
    }

    /// The query of `user` over the history `items` (entries of a CSR row)
    /// pooled with `weights` (same indices), leaving out the entry at `skip`,
    /// written to `out`.
    func query(
        user: Int?, items: ArraySlice<Int32>, weights: ArraySlice<Float>, skipping skip: Int?,
        into out: UnsafeMutablePointer<Float>, parameters p: UnsafePointer<Float>
    ) {
        let d = dimension
        out.update(repeating: 0, count: d)
        if let user, userRows > 0 { VectorKernels.axpy(1, p + userOffset + user * d, out, count: d) }
        guard historyRows > 0, let total = Self.poolingTotal(weights, skipping: skip) else { return }
        for position in items.indices where position != skip {
            VectorKernels.axpy(weights[position] / total, p + historyOffset + Int(items[position]) * d, out, count: d)
        }
    }

    /// The sum of the pooled weights, nil when nothing is pooled.
    private static func poolingTotal(_ weights: ArraySlice<Float>, skipping skip: Int?) -> Float? {
        var total: Float = 0
        for position in weights.indices where position != skip { total += weights[position] }
        return total > 0 ? total : nil
    }

    /// Adds the gradient of a query built by `query(...)` to `gradients`.
    func scatterQuery(
        _ gradient: UnsafePointer<Float>, user: Int?, items: ArraySlice<Int32>, weights: ArraySlice<Float>,
        skipping skip: Int?, into gradients: UnsafeMutablePointer<Float>
    ) {
        let d = dimension
        if let user, userRows > 0 { VectorKernels.axpy(1, gradient, gradients + userOffset + user * d, count: d) }
        guard historyRows > 0, let total = Self.poolingTotal(weights, skipping: skip) else { return }
        for position in items.indices where position != skip {
            VectorKernels.axpy(weights[position] / total, gradient, gradients + historyOffset + Int(items[position]) * d, count: d)
        }
    }

    /// The candidate vector of `item`: its id embedding plus its tags' weighted mean.
    func candidate(
        item: Int, features: TwoTowerTrainingSet, into out: UnsafeMutablePointer<Float>, parameters p: UnsafePointer<Float>
    ) {
        let d = dimension
        out.update(from: p + itemOffset + item * d, count: d)
        for position in features.itemTagOffsets[item]..<features.itemTagOffsets[item + 1] {
            VectorKernels.axpy(
                features.itemTagWeights[position], p + tagOffset + Int(features.itemTags[position]) * d, out, count: d)
        }
    }

    /// Adds the gradient of a candidate built by `candidate(...)` to `gradients`.
    func scatterCandidate(
        _ gradient: UnsafePointer<Float>, item: Int, features: TwoTowerTrainingSet,
        into gradients: UnsafeMutablePointer<Float>
    ) {
        let d = dimension
        VectorKernels.axpy(1, gradient, gradients + itemOffset + item * d, count: d)
        for position in features.itemTagOffsets[item]..<features.itemTagOffsets[item + 1] {
            VectorKernels.axpy(
                features.itemTagWeights[position], gradient, gradients + tagOffset + Int(features.itemTags[position]) * d,
                count: d)
        }
    }

    /// Candidate vectors of all items, row-major `items × dimension`.
    func allCandidates(features: TwoTowerTrainingSet, workers: Int) -> [Float] {
        let d = dimension
        var out = [Float](repeating: 0, count: itemRows * d)
        let block = 256
        parameters.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { rows in
                WorkSharing.run(pieces: (itemRows + block - 1) / block, workers: workers, makeScratch: {}) { piece, _ in
                    for item in (piece * block)..<min(itemRows, (piece + 1) * block) {
                        candidate(item: item, features: features, into: rows.baseAddress! + item * d, parameters: p.baseAddress!)
                    }
                }
            }
        }
        return out
    }

    /// A table's rows as a flat array (`user`, `history`, `item`, `tag` order).
    func table(offset: Int, rows: Int) -> [Float] {
        Array(parameters[offset..<(offset + rows * dimension)])
    }
}
