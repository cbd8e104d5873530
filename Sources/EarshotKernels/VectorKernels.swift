import Foundation

/// Dense float kernels shared by the embedding scorers (`mf`, `two-tower`).
///
/// Written with explicit `SIMD8<Float>` arithmetic as `acc += a * b`:
/// `addProduct` would compile to calls of libm `fmaf` when no target CPU is
/// given (as in a plain `swift build` on x86-64), about ten times slower.
public enum VectorKernels {
    /// The dot product of `count` floats at `a` and `b`.
    @inlinable @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        let left = UnsafeRawPointer(a)
        let right = UnsafeRawPointer(b)
        // Two accumulators hide the latency of the adds.
        var first = SIMD8<Float>()
        var second = SIMD8<Float>()
        var index = 0
        while index + 16 <= count {
            let offset = index * 4
            first += left.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                * right.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            second += left.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self)
                * right.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self)
            index += 16
        }
        if index + 8 <= count {
            first += left.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
                * right.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
            index += 8
        }
        var total = (first + second).sum()
        while index < count {
            total += a[index] * b[index]
            index += 1
        }
        return total
    }

    /// `y += alpha * x` over `count` floats.
    @inlinable @inline(__always)
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let source = UnsafeRawPointer(x)
        let target = UnsafeMutableRawPointer(y)
        let scale = SIMD8<Float>(repeating: alpha)
        var index = 0
        while index + 8 <= count {
            let offset = index * 4
            let sum = target.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                + scale * source.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            target.storeBytes(of: sum, toByteOffset: offset, as: SIMD8<Float>.self)
            index += 8
        }
        while index < count {
            y[index] += alpha * x[index]
            index += 1
        }
    }

    /// Matrices with at least this many floats are scanned by several
    /// threads: below it, waking threads costs more than it saves.
    public static let parallelScanFloats = 1 << 21

    /// The `k` rows of a row-major `rows × query.count` matrix with the
    /// highest dot product with `query`, skipping excluded rows; best first.
    /// With `rowScale`, row `i`'s score is multiplied by `rowScale[i]` (e.g.
    /// inverse norms, for cosine similarity without a normalized copy).
    ///
    /// One pass over the matrix with a bounded heap per thread: no array of
    /// all scores. A large matrix is split into one contiguous slice per
    /// core, since a single query is bound by memory bandwidth, which one
    /// core alone does not saturate.
    public static func topDotProducts(
        query: [Float], matrix: UnsafeBufferPointer<Float>, rows: Int, k: Int, excluding exclusion: ItemExclusion,
        rowScale: UnsafeBufferPointer<Float>? = nil
    ) -> [ScoredItem] {
        let dimension = query.count
        precondition(matrix.count >= rows * dimension, "matrix is smaller than rows × query.count")
        precondition(rowScale.map { $0.count >= rows } ?? true, "rowScale is shorter than rows")
        let scale = rowScale?.baseAddress
        guard rows > 0, let base = matrix.baseAddress else { return [] }
        // Sendable addresses: every slice only reads the shared, unchanging matrix, query and scales.
        let matrixAddress = UInt(bitPattern: base)
        let scaleAddress = scale.map { UInt(bitPattern: $0) }
        return query.withUnsafeBufferPointer { vector -> [ScoredItem] in
            let queryAddress = UInt(bitPattern: vector.baseAddress!)
            return ParallelTopK.select(count: rows, k: k, parallelFrom: max(1, parallelScanFloats / max(1, dimension))) {
                range in
                scan(
                    UnsafePointer(bitPattern: queryAddress)!, UnsafePointer(bitPattern: matrixAddress)!,
                    dimension: dimension, rows: range, k: k, exclusion: exclusion,
                    scale: scaleAddress.flatMap { UnsafePointer(bitPattern: $0) })
            }
        }
    }

    @inline(__always)
    static func scan(
        _ query: UnsafePointer<Float>, _ base: UnsafePointer<Float>, dimension: Int, rows: Range<Int>, k: Int,
        exclusion: ItemExclusion, scale: UnsafePointer<Float>?
    ) -> [ScoredItem] {
        var best = TopK(k: k)
        var row = rows.lowerBound
        // Four rows at a time when rows are whole SIMD8 vectors: four
        // independent accumulators keep the multipliers busy, and each query
        // vector is loaded once per four rows.
        if dimension % 8 == 0 {
            while row + 4 <= rows.upperBound {
                var scores = dot4(query, base + row * dimension, dimension: dimension)
                if let scale { scores *= UnsafeRawPointer(scale + row).loadUnaligned(as: SIMD4<Float>.self) }
                for lane in 0..<4 where scores[lane] > best.threshold && !exclusion.contains(Int32(row + lane)) {
                    best.insert(item: Int32(row + lane), score: scores[lane])
                }
                row += 4
            }
        }
        while row < rows.upperBound {
            if !exclusion.contains(Int32(row)) {
                let score = dot(query, base + row * dimension, count: dimension) * (scale?[row] ?? 1)
                if score > best.threshold { best.insert(item: Int32(row), score: score) }
            }
            row += 1
        }
        return best.sorted()
    }

    /// Dot products of `query` with the four consecutive rows at `rows`;
    /// `dimension` is a multiple of 8.
    @inline(__always)
    static func dot4(_ query: UnsafePointer<Float>, _ rows: UnsafePointer<Float>, dimension: Int) -> SIMD4<Float> {
        let q = UnsafeRawPointer(query)
        let r = UnsafeRawPointer(rows)
        let stride = dimension * 4
        var a0 = SIMD8<Float>()
        var a1 = SIMD8<Float>()
        var a2 = SIMD8<Float>()
        var a3 = SIMD8<Float>()
        var offset = 0
        while offset < stride {
            let v = q.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            a0 += v * r.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            a1 += v * r.loadUnaligned(fromByteOffset: stride + offset, as: SIMD8<Float>.self)
            a2 += v * r.loadUnaligned(fromByteOffset: 2 * stride + offset, as: SIMD8<Float>.self)
            a3 += v * r.loadUnaligned(fromByteOffset: 3 * stride + offset, as: SIMD8<Float>.self)
            offset += 32
        }
        return SIMD4(a0.sum(), a1.sum(), a2.sum(), a3.sum())
    }
}
