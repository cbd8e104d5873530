import COpenBLAS
import Foundation

/// The sampled softmax of two-tower retrieval with the log-q correction
/// (Yi et al. 2019, "Sampling-bias-corrected neural modeling"): row `b` of
/// a batch is a query whose positive is candidate `b`; every other candidate
/// (the batch's other positives, then any random negatives) is a negative.
///
///     s_bj = (q_b · c_j − log Q_j) / τ
///     loss = Σ_b w_b (logsumexp_j s_bj − s_bb) / B
///
/// `log Q_j` is the log of candidate `j`'s expected count among the sampled
/// candidates, which removes the popularity bias of in-batch negatives.
/// Candidates with the same item as the positive ("accidental hits") are
/// left out of that row's softmax. The three products (logits, query and
/// candidate gradients) are `sgemm` calls over fixed blocks of rows, shared
/// among the workers: the result does not depend on the worker count.
public struct TwoTowerSampledSoftmax: Sendable {
    /// Rows of a block; fixed so results do not depend on the thread count.
    static let blockRows = 128

    public let dimension: Int
    public let temperature: Float

    public init(dimension: Int, temperature: Float) {
        self.dimension = dimension
        self.temperature = temperature
    }

    /// The loss and its gradients for one batch.
    public struct Result: Sendable {
        public var loss: Double
        /// `∂loss/∂q`, row-major `batch × dimension`.
        public var queryGradients: [Float]
        /// `∂loss/∂c`, row-major `candidates × dimension`.
        public var candidateGradients: [Float]
    }

    /// - Parameters:
    ///   - queries: row-major `B × dimension`, `B = weights.count`.
    ///   - candidates: row-major `N × dimension`, `N ≥ B`; the first `B` are the positives.
    ///   - candidateItems: the item of each candidate (for accidental hits).
    ///   - logQ: the log-q correction of each candidate (zeros to turn it off).
    ///   - weights: each row's loss weight.
    public func evaluate(
        queries: [Float], candidates: [Float], candidateItems: [Int32], logQ: [Float], weights: [Float], workers: Int
    ) -> Result {
        let batch = weights.count
        let count = candidateItems.count
        let d = dimension
        precondition(count >= batch && queries.count == batch * d && candidates.count == count * d && logQ.count == count)
        var duplicates: [Int32: [Int]] = [:]
        for (column, item) in candidateItems.enumerated() { duplicates[item, default: []].append(column) }
        var gradient = [Float](repeating: 0, count: batch * count)
        var rowLoss = [Double](repeating: 0, count: batch)
        var queryGradients = [Float](repeating: 0, count: batch * d)
        var candidateGradients = [Float](repeating: 0, count: count * d)
        let scale = 1 / temperature
        let blocks = (batch + Self.blockRows - 1) / Self.blockRows
        queries.withUnsafeBufferPointer { q in
            candidates.withUnsafeBufferPointer { c in
                gradient.withUnsafeMutableBufferPointer { g in
                    rowLoss.withUnsafeMutableBufferPointer { losses in
                        queryGradients.withUnsafeMutableBufferPointer { dq in
                            WorkSharing.run(pieces: blocks, workers: workers, makeScratch: {}) { block, _ in
                                let first = block * Self.blockRows
                                let rows = min(Self.blockRows, batch - first)
                                let logits = g.baseAddress! + first * count
                                // Logits of the block: q · cᵀ.
                                cblas_sgemm(
                                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(count), Int32(d), 1,
                                    q.baseAddress! + first * d, Int32(d), c.baseAddress!, Int32(d), 0,
                                    logits, Int32(count))
                                for row in first..<(first + rows) {
                                    let line = g.baseAddress! + row * count
                                    for column in 0..<count { line[column] = (line[column] - logQ[column]) * scale }
                                    for column in duplicates[candidateItems[row]] ?? [] where column != row {
                                        line[column] = -.infinity
                                    }
                                    var largest = -Float.infinity
                                    for column in 0..<count { largest = max(largest, line[column]) }
                                    var sum: Double = 0
                                    for column in 0..<count {
                                        let e = expf(line[column] - largest)
                                        line[column] = e
                                        sum += Double(e)
                                    }
                                    let positive = Double(line[row])
                                    losses[row] = Double(weights[row]) * (log(sum) - log(positive))
                                    // ∂loss/∂(q·c) = w/B · (softmax − onehot) / τ.
                                    let factor = weights[row] / Float(batch) * scale
                                    let inverse = Float(1 / sum)
                                    for column in 0..<count { line[column] *= inverse * factor }
                                    line[row] -= factor
                                }
                                cblas_sgemm(
                                    CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(d), Int32(count), 1,
                                    logits, Int32(count), c.baseAddress!, Int32(d), 0,
                                    dq.baseAddress! + first * d, Int32(d))
                            }
                        }
                    }
                }
            }
        }
        let candidateBlocks = (count + Self.blockRows - 1) / Self.blockRows
        gradient.withUnsafeBufferPointer { g in
            queries.withUnsafeBufferPointer { q in
                candidateGradients.withUnsafeMutableBufferPointer { dc in
                    WorkSharing.run(pieces: candidateBlocks, workers: workers, makeScratch: {}) { block, _ in
                        let first = block * Self.blockRows
                        let rows = min(Self.blockRows, count - first)
                        // ∂loss/∂c for candidates first..<first+rows: Gᵀ · q over those columns of G.
                        cblas_sgemm(
                            CblasRowMajor, CblasTrans, CblasNoTrans, Int32(rows), Int32(d), Int32(batch), 1,
                            g.baseAddress! + first, Int32(count), q.baseAddress!, Int32(d), 0,
                            dc.baseAddress! + first * d, Int32(d))
                    }
                }
            }
        }
        return Result(
            loss: rowLoss.reduce(0, +) / Double(batch), queryGradients: queryGradients,
            candidateGradients: candidateGradients)
    }
}
