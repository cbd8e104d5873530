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
        itemFactors: TensorElements<Float>, dimension: Int, regularization: Double, regularizationExponent: Double,
        alpha: Double, relativeWeights: Bool
    ) {
        self.dimension = dimension
        self.regularization = regularization
        self.regularizationExponent = regularizationExponent
        self.alpha = alpha
        self.relativeWeights = relativeWeights
        gram = Self.gram(itemFactors, dimension: dimension)
    }

    /// `YᵀY` in one pass over the (mapped) factors, which do not stay
    /// resident: 8×8 tiles of the upper triangle over blocks of 256 rows,
    /// summed in Float per block and in Double across blocks.
    static func gram(_ itemFactors: TensorElements<Float>, dimension d: Int) -> [Double] {
        var gram = [Double](repeating: 0, count: d * d)
        guard d > 0 else { return gram }
        itemFactors.forEachChunk(of: d * 16_384) { _, chunk in
            let rows = chunk.count / d
            for start in stride(from: 0, to: rows, by: 256) {
                let block = chunk.baseAddress! + start * d
                let count = min(256, rows - start)
                if d % 8 == 0 {
                    addTiles(block, rows: count, dimension: d, into: &gram)
                } else {
                    for row in 0..<count {
                        let y = block + row * d
                        for a in 0..<d { for b in a..<d { gram[a * d + b] += Double(y[a] * y[b]) } }
                    }
                }
            }
        }
        for a in 0..<d { for b in 0..<a { gram[a * d + b] = gram[b * d + a] } }
        return gram
    }

    /// Adds the upper-triangle 8×8 tiles of `Σ y yᵀ` over `rows` rows at `block`.
    private static func addTiles(_ block: UnsafePointer<Float>, rows: Int, dimension d: Int, into gram: inout [Double]) {
        let raw = UnsafeRawPointer(block)
        for a in stride(from: 0, to: d, by: 8) {
            for b in stride(from: a, to: d, by: 8) {
                var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
                var s4 = SIMD8<Float>(), s5 = SIMD8<Float>(), s6 = SIMD8<Float>(), s7 = SIMD8<Float>()
                for row in 0..<rows {
                    let y = block + row * d + a
                    let columns = raw.loadUnaligned(fromByteOffset: (row * d + b) * 4, as: SIMD8<Float>.self)
                    s0 += columns * y[0]
                    s1 += columns * y[1]
                    s2 += columns * y[2]
                    s3 += columns * y[3]
                    s4 += columns * y[4]
                    s5 += columns * y[5]
                    s6 += columns * y[6]
                    s7 += columns * y[7]
                }
                for (i, sums) in [s0, s1, s2, s3, s4, s5, s6, s7].enumerated() {
                    for j in 0..<8 where b + j >= a + i { gram[(a + i) * d + b + j] += Double(sums[j]) }
                }
            }
        }
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
    public func userVector(items: [Int32], confidences: [Float], itemFactors: TensorElements<Float>) -> [Float] {
        let k = dimension
        var matrix = gram
        var rhs = [Double](repeating: 0, count: k)
        let lambda = regularizationExponent == 0
            ? regularization : regularization * pow(Double(max(items.count, 1)), regularizationExponent)
        for d in 0..<k { matrix[d * k + d] += lambda }
        // Raw buffers: the rank-1 updates are the fold-in's cost (items × k² / 2)
        // and vectorize only without bounds checks.
        var y = [Double](repeating: 0, count: k)
        itemFactors.withUnsafeBufferPointer { factors in
            matrix.withUnsafeMutableBufferPointer { matrix in
                rhs.withUnsafeMutableBufferPointer { rhs in
                    y.withUnsafeMutableBufferPointer { y in
                        for (item, confidence) in zip(items, confidences) {
                            let factor = factors.baseAddress! + Int(item) * k
                            for a in 0..<k { y[a] = Double(factor[a]) }
                            let c = Double(confidence)
                            for a in 0..<k {
                                let scaled = (c - 1) * y[a]
                                rhs[a] += c * y[a]
                                let row = matrix.baseAddress! + a * k
                                for b in a..<k { row[b] += scaled * y[b] }
                            }
                        }
                    }
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
