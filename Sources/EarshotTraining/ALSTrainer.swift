import EarshotScoring

/// Alternating least squares for implicit feedback (Hu, Koren & Volinsky
/// 2008), each half-iteration solved approximately by conjugate gradient
/// (Takács et al. 2011) warm-started from the previous factors.
///
/// The loss is `Σ_{u,i} c_ui (p_ui − x_u·y_i)² + Σ_u λ_u‖x_u‖² + Σ_i λ_i‖y_i‖²`
/// over all user–item cells: `p_ui = 1` with confidence `c_ui` for played
/// items (`ConfidenceScaling`), `0` with confidence 1 for the rest;
/// `λ_r = λ · n_r^e` for a row with `n_r` interactions.
///
/// The factors start uniform in [0, 0.01) from `configuration.seed` (users
/// first, then items, as `implicit` does); the same table, configuration and
/// seed give the same model for any thread count.
public final class ALSTrainer {
    public let configuration: ALSConfiguration
    public let userIDs: [String]
    public let itemIDs: [String]
    /// Each user's items (ascending) with their confidences.
    public let userItems: SparseRows
    private let itemUsers: SparseRows
    private let userRegularization: [Float]
    private let itemRegularization: [Float]
    /// Row-major `users × factors`.
    public private(set) var userFactors: [Float]
    /// Row-major `items × factors`.
    public private(set) var itemFactors: [Float]
    public private(set) var completedIterations = 0

    public init(interactions: InteractionTable, configuration: ALSConfiguration = ALSConfiguration()) throws(TrainingError) {
        try configuration.validate()
        DenseMath.configureBLAS()
        self.configuration = configuration
        userIDs = interactions.userIDs
        itemIDs = interactions.itemIDs
        let weights = SparseRows(
            rows: interactions.users, columns: interactions.items, values: interactions.weights,
            rowCount: userIDs.count, columnCount: itemIDs.count
        ).transposed().transposed()
        var confidences = [Float]()
        confidences.reserveCapacity(weights.nonzeroCount)
        weights.values.withUnsafeBufferPointer { values in
            for user in 0..<weights.rowCount {
                let row = UnsafeBufferPointer(rebasing: values[weights.offsets[user]..<weights.offsets[user + 1]])
                confidences += configuration.confidence.confidences(row)
            }
        }
        let userItems = weights.with(values: confidences)
        let itemUsers = userItems.transposed()
        self.userItems = userItems
        self.itemUsers = itemUsers
        userRegularization = (0..<userItems.rowCount).map { configuration.regularization(forCount: userItems.count(ofRow: $0)) }
        itemRegularization = (0..<itemUsers.rowCount).map { configuration.regularization(forCount: itemUsers.count(ofRow: $0)) }
        var generator = SeededGenerator(seed: configuration.seed)
        let k = configuration.factors
        userFactors = (0..<userIDs.count * k).map { _ in generator.nextUnitFloat() * 0.01 }
        itemFactors = (0..<itemIDs.count * k).map { _ in generator.nextUnitFloat() * 0.01 }
    }

    private var solver: ConjugateGradientSolver {
        ConjugateGradientSolver(dimension: configuration.factors, steps: configuration.conjugateGradientSteps)
    }

    /// One full iteration: all users against the items, then all items against the users.
    public func iterate() {
        solver.solve(
            rows: userItems, regularization: userRegularization, factors: &userFactors, fixed: itemFactors,
            workers: configuration.threads)
        solver.solve(
            rows: itemUsers, regularization: itemRegularization, factors: &itemFactors, fixed: userFactors,
            workers: configuration.threads)
        completedIterations += 1
    }

    /// Runs the remaining configured iterations, calling `progress(done, total)` after each.
    public func train(progress: (Int, Int) -> Void = { _, _ in }) -> ALSModel {
        while completedIterations < configuration.iterations {
            iterate()
            progress(completedIterations, configuration.iterations)
        }
        return model
    }

    /// The trained model as it stands.
    public var model: ALSModel {
        ALSModel(
            configuration: configuration, userIDs: userIDs, itemIDs: itemIDs, userFactors: userFactors,
            itemFactors: itemFactors, userItems: userItems)
    }

    /// The value of the loss the iterations minimize (see the type's
    /// documentation), summed over all cells; it never rises from one
    /// iteration to the next.
    public func loss() -> Double {
        let k = configuration.factors
        let gram = itemFactors.withUnsafeBufferPointer { DenseMath.gram($0.baseAddress!, rows: itemIDs.count, dimension: k) }
        var total: Double = 0
        var gx = [Float](repeating: 0, count: k)
        userFactors.withUnsafeBufferPointer { users in
            itemFactors.withUnsafeBufferPointer { items in
                for user in 0..<userIDs.count {
                    let x = users.baseAddress! + user * k
                    // Every cell as if unplayed (xᵀ YᵀY x), then the played cells' correction.
                    gram.withUnsafeBufferPointer { g in
                        for row in 0..<k { gx[row] = VectorKernels.dot(g.baseAddress! + row * k, x, count: k) }
                    }
                    var userLoss = Double(gx.withUnsafeBufferPointer { VectorKernels.dot($0.baseAddress!, x, count: k) })
                    for position in userItems.offsets[user]..<userItems.offsets[user + 1] {
                        let c = Double(userItems.values[position])
                        let s = Double(VectorKernels.dot(items.baseAddress! + Int(userItems.columns[position]) * k, x, count: k))
                        userLoss += (c - 1) * s * s - 2 * c * s + c
                    }
                    total += userLoss + Double(userRegularization[user]) * Double(VectorKernels.dot(x, x, count: k))
                }
                for item in 0..<itemIDs.count {
                    let y = items.baseAddress! + item * k
                    total += Double(itemRegularization[item]) * Double(VectorKernels.dot(y, y, count: k))
                }
            }
        }
        return total
    }
}
