import EarshotScoring

/// One half of an ALS iteration: every row vector `x` of `factors` is moved
/// towards the solution of
///
///     (FᵀF + λ_r I + Σ_j (c_j − 1) f_j f_jᵀ) x = Σ_j c_j f_j
///
/// (`F` the fixed factors, `j` over the row's interactions with confidence
/// `c_j`) by a few conjugate-gradient steps warm-started from the current `x`
/// — the method of Takács, Pilászy & Tikk (2011) as `implicit` runs it, which
/// never forms the per-row matrix.
///
/// Rows go in blocks of `blockRows` that run the CG steps in lockstep, so
/// the dense `FᵀF · p` products of a block are one `sgemm` instead of one
/// `symv` per row. A row's arithmetic does not depend on the other rows of
/// its block or on which thread runs it.
struct ConjugateGradientSolver {
    static let blockRows = 64
    /// A residual this small means the row is solved (implicit's threshold).
    static let solvedResidual: Float = 1e-20

    let dimension: Int
    let steps: Int

    /// Updates `factors` (one row per row of `rows`) in place given `fixed`.
    func solve(
        rows: SparseRows, regularization: [Float], factors: inout [Float], fixed: [Float], workers: Int
    ) {
        let k = dimension
        let gram = fixed.withUnsafeBufferPointer { DenseMath.gram($0.baseAddress!, rows: fixed.count / k, dimension: k) }
        let blocks = (rows.rowCount + Self.blockRows - 1) / Self.blockRows
        factors.withUnsafeMutableBufferPointer { factorBuffer in
            fixed.withUnsafeBufferPointer { fixedBuffer in
                gram.withUnsafeBufferPointer { gramBuffer in
                    rows.offsets.withUnsafeBufferPointer { offsets in
                        rows.columns.withUnsafeBufferPointer { columns in
                            rows.values.withUnsafeBufferPointer { confidences in
                                regularization.withUnsafeBufferPointer { lambdas in
                                    let step = BlockStep(
                                        offsets: offsets.baseAddress!, columns: columns.baseAddress!,
                                        confidences: confidences.baseAddress!, lambdas: lambdas.baseAddress!,
                                        factors: factorBuffer.baseAddress!, fixed: fixedBuffer.baseAddress!,
                                        gram: gramBuffer.baseAddress!, rowCount: rows.rowCount, dimension: k, steps: steps)
                                    WorkSharing.run(
                                        pieces: blocks, workers: workers,
                                        makeScratch: { BlockScratch(rows: Self.blockRows, dimension: k) }
                                    ) { block, scratch in
                                        step.solve(block: block, scratch: scratch)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Per-thread work arrays for one block: residuals, search directions and
/// matrix–direction products, one row per block row.
final class BlockScratch {
    let residual: UnsafeMutablePointer<Float>
    let direction: UnsafeMutablePointer<Float>
    let product: UnsafeMutablePointer<Float>
    let residualNorm: UnsafeMutablePointer<Float>
    let active: UnsafeMutablePointer<Bool>
    private let size: Int

    init(rows: Int, dimension: Int) {
        size = rows * dimension
        residual = .allocate(capacity: size)
        direction = .allocate(capacity: size)
        product = .allocate(capacity: size)
        residualNorm = .allocate(capacity: rows)
        active = .allocate(capacity: rows)
    }

    deinit {
        residual.deallocate()
        direction.deallocate()
        product.deallocate()
        residualNorm.deallocate()
        active.deallocate()
    }
}

/// Raw views of one half-step's inputs. Everything is read-only while the
/// workers run except `factors`, of which each block writes only its own rows.
private struct BlockStep {
    let offsets: UnsafePointer<Int>
    let columns: UnsafePointer<Int32>
    let confidences: UnsafePointer<Float>
    let lambdas: UnsafePointer<Float>
    let factors: UnsafeMutablePointer<Float>
    let fixed: UnsafePointer<Float>
    let gram: UnsafePointer<Float>
    let rowCount: Int
    let dimension: Int
    let steps: Int

    func solve(block: Int, scratch: BlockScratch) {
        let k = dimension
        let first = block * ConjugateGradientSolver.blockRows
        let count = min(ConjugateGradientSolver.blockRows, rowCount - first)
        let x = factors + first * k
        let r = scratch.residual
        let p = scratch.direction
        let product = scratch.product

        // r = b − A·x, with FᵀF·x for the whole block in one sgemm.
        DenseMath.multiply(x, rows: count, bySquare: gram, dimension: k, into: product)
        for row in 0..<count {
            let global = first + row
            let xr = x + row * k
            let rr = r + row * k
            let ar = product + row * k
            let start = offsets[global]
            let end = offsets[global + 1]
            guard start < end else {
                // No interactions: the solution is the zero vector.
                xr.update(repeating: 0, count: k)
                (p + row * k).update(repeating: 0, count: k)
                scratch.active[row] = false
                continue
            }
            let lambda = lambdas[global]
            for d in 0..<k { rr[d] = -ar[d] - lambda * xr[d] }
            for position in start..<end {
                let y = fixed + Int(columns[position]) * k
                let c = confidences[position]
                let weight = c - (c - 1) * VectorKernels.dot(y, xr, count: k)
                VectorKernels.axpy(weight, y, rr, count: k)
            }
            (p + row * k).update(from: rr, count: k)
            let norm = VectorKernels.dot(rr, rr, count: k)
            scratch.residualNorm[row] = norm
            scratch.active[row] = norm >= ConjugateGradientSolver.solvedResidual
        }

        for _ in 0..<steps {
            guard (0..<count).contains(where: { scratch.active[$0] }) else { return }
            // A·p = FᵀF·p + λp + Σ (c − 1)(f·p) f
            DenseMath.multiply(p, rows: count, bySquare: gram, dimension: k, into: product)
            for row in 0..<count where scratch.active[row] {
                let global = first + row
                let xr = x + row * k
                let rr = r + row * k
                let pr = p + row * k
                let ar = product + row * k
                VectorKernels.axpy(lambdas[global], pr, ar, count: k)
                for position in offsets[global]..<offsets[global + 1] {
                    let y = fixed + Int(columns[position]) * k
                    let weight = (confidences[position] - 1) * VectorKernels.dot(y, pr, count: k)
                    VectorKernels.axpy(weight, y, ar, count: k)
                }
                let previous = scratch.residualNorm[row]
                let alpha = previous / VectorKernels.dot(pr, ar, count: k)
                VectorKernels.axpy(alpha, pr, xr, count: k)
                VectorKernels.axpy(-alpha, ar, rr, count: k)
                let norm = VectorKernels.dot(rr, rr, count: k)
                guard norm >= ConjugateGradientSolver.solvedResidual else {
                    scratch.active[row] = false
                    continue
                }
                // p = r + (‖r_new‖² / ‖r_old‖²) p
                let beta = norm / previous
                for d in 0..<k { pr[d] = rr[d] + beta * pr[d] }
                scratch.residualNorm[row] = norm
            }
        }
    }
}
