import Foundation

/// The user vector of a history the model was not trained on: the exact
/// ALS user step for that one row, as `implicit`'s `recalculate_user`,
///
///     (YᵀY + λ_u I + Σ_i (c_i − 1) y_i y_iᵀ) x = Σ_i c_i y_i,
///
/// with `YᵀY` computed once at load and the trainer's confidence and
/// regularization formulas (`c = 1 + α·ln(1 + w/s)`, `λ_u = λ·n^e`), so
/// folding in a training user's own items gives back their trained vector.
/// With relative weights, `s` is the geometric mean of the weights being
/// folded in (for a trained user with new history: of the new items' weights;
/// their training items keep the confidences stored in the snapshot).
public struct ALSFoldIn: Sendable {
    public let dimension: Int
    /// `YᵀY`, row-major `dimension × dimension`.
    public let gram: [Double]
    public let regularization: Double
    public let regularizationExponent: Double
    public let alpha: Double
    /// Weights are divided by the geometric mean of the history's weights.
    public let relativeWeights: Bool

    public init(
        itemFactors: [Float], dimension: Int, regularization: Double, regularizationExponent: Double, alpha: Double,
        relativeWeights: Bool
    ) {
        self.dimension = dimension
        self.regularization = regularization
        self.regularizationExponent = regularizationExponent
        self.alpha = alpha
        self.relativeWeights = relativeWeights
        var gram = [Double](repeating: 0, count: dimension * dimension)
        let rows = dimension == 0 ? 0 : itemFactors.count / dimension
        // Accumulate in Float SIMD lanes per row block, then add up in Double.
        var partial = [Float](repeating: 0, count: dimension * dimension)
        itemFactors.withUnsafeBufferPointer { factors in
            partial.withUnsafeMutableBufferPointer { sums in
                for start in stride(from: 0, to: rows, by: 256) {
                    sums.update(repeating: 0)
                    for row in start..<min(rows, start + 256) {
                        let y = factors.baseAddress! + row * dimension
                        for a in 0..<dimension {
                            VectorKernels.axpy(y[a], y, sums.baseAddress! + a * dimension, count: dimension)
                        }
                    }
                    for index in 0..<gram.count { gram[index] += Double(sums[index]) }
                }
            }
        }
        self.gram = gram
    }

    /// Confidences of history weights (each > 0), in order.
    public func confidences(_ weights: [Float]) -> [Float] {
        guard !weights.isEmpty else { return [] }
        var scale = 1.0
        if relativeWeights {
            scale = exp(weights.reduce(0.0) { $0 + log(Double($1)) } / Double(weights.count))
        }
        return weights.map { Float(1 + alpha * log1p(Double($0) / scale)) }
    }

    /// Solves for the user vector of `items` with `confidences`.
    public func userVector(items: [Int32], confidences: [Float], itemFactors: [Float]) -> [Float] {
        let k = dimension
        var matrix = gram
        var rhs = [Double](repeating: 0, count: k)
        let lambda = regularizationExponent == 0
            ? regularization : regularization * pow(Double(max(items.count, 1)), regularizationExponent)
        for d in 0..<k { matrix[d * k + d] += lambda }
        itemFactors.withUnsafeBufferPointer { factors in
            for (item, confidence) in zip(items, confidences) {
                let y = factors.baseAddress! + Int(item) * k
                let c = Double(confidence)
                for a in 0..<k {
                    let scaled = (c - 1) * Double(y[a])
                    rhs[a] += c * Double(y[a])
                    for b in a..<k { matrix[a * k + b] += scaled * Double(y[b]) }
                }
            }
        }
        guard Self.choleskySolve(&matrix, &rhs, dimension: k) else { return [Float](repeating: 0, count: k) }
        return rhs.map(Float.init)
    }

    /// Solves `A x = b` in place for a symmetric positive definite `A` given
    /// by its upper triangle; `b` becomes `x`. False when `A` is not positive definite.
    public static func choleskySolve(_ a: inout [Double], _ b: inout [Double], dimension k: Int) -> Bool {
        // A = Uᵀ U with U upper triangular, stored over A's upper triangle.
        for j in 0..<k {
            var diagonal = a[j * k + j]
            for p in 0..<j { diagonal -= a[p * k + j] * a[p * k + j] }
            guard diagonal > 0, diagonal.isFinite else { return false }
            let root = diagonal.squareRoot()
            a[j * k + j] = root
            for i in (j + 1)..<k {
                var value = a[j * k + i]
                for p in 0..<j { value -= a[p * k + j] * a[p * k + i] }
                a[j * k + i] = value / root
            }
        }
        // Uᵀ z = b, then U x = z.
        for i in 0..<k {
            var value = b[i]
            for p in 0..<i { value -= a[p * k + i] * b[p] }
            b[i] = value / a[i * k + i]
        }
        for i in stride(from: k - 1, through: 0, by: -1) {
            var value = b[i]
            for p in (i + 1)..<k { value -= a[i * k + p] * b[p] }
            b[i] = value / a[i * k + i]
        }
        return true
    }
}
