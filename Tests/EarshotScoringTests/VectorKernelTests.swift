import Foundation
import Synchronization
import Testing

@testable import EarshotScoring

@Suite("Dense top-k kernels")
struct VectorKernelTests {
    static let dimension = 64
    /// Large enough to take the parallel and batched paths.
    static let rows = VectorKernels.parallelScanFloats / dimension + 37
    static let matrix: [Float] = {
        var generator = SplitMix64(seed: 11)
        return (0..<(rows * dimension)).map { _ in Float(generator.next() % 2001) / 1000 - 1 }
    }()

    static func query(_ seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<dimension).map { _ in Float(generator.next() % 2001) / 1000 - 1 }
    }

    /// Every row scored in one loop: what the kernels must agree with.
    static func bruteForce(_ query: [Float], k: Int, excluding exclusion: ItemExclusion, scale: [Float]? = nil) -> [Int32] {
        var best = TopK(k: k)
        matrix.withUnsafeBufferPointer { m in
            query.withUnsafeBufferPointer { q in
                for row in 0..<rows where !exclusion.contains(Int32(row)) {
                    let dot = (0..<dimension).reduce(Float(0)) { $0 + q[$1] * m[row * dimension + $1] }
                    best.insert(item: Int32(row), score: dot * (scale?[row] ?? 1))
                }
            }
        }
        return best.sorted().map(\.item)
    }

    @Test("the parallel scan finds the same rows as a plain loop, exclusions respected")
    func parallelScan() {
        let query = Self.query(1)
        var exclusion = ItemExclusion(count: Self.rows)
        for row in Self.bruteForce(query, k: 5, excluding: exclusion) { exclusion.exclude(row) }
        let found = Self.matrix.withUnsafeBufferPointer {
            VectorKernels.topDotProducts(query: query, matrix: $0, rows: Self.rows, k: 20, excluding: exclusion)
        }
        #expect(found.map(\.item) == Self.bruteForce(query, k: 20, excluding: exclusion))
    }

    @Test("row scales (cosine) are applied")
    func rowScale() {
        let query = Self.query(2)
        let scale = (0..<Self.rows).map { Float($0 % 7 + 1) }
        let found = Self.matrix.withUnsafeBufferPointer { m in
            scale.withUnsafeBufferPointer { s in
                VectorKernels.topDotProducts(
                    query: query, matrix: m, rows: Self.rows, k: 10, excluding: ItemExclusion(count: Self.rows), rowScale: s)
            }
        }
        #expect(found.map(\.item) == Self.bruteForce(query, k: 10, excluding: ItemExclusion(count: Self.rows), scale: scale))
    }

    @Test("concurrent scans of one matrix each get their own exact answer")
    func concurrentScans() {
        let queries = (0..<12).map { Self.query(100 + UInt64($0)) }
        let expected = queries.map { Self.bruteForce($0, k: 10, excluding: ItemExclusion(count: Self.rows)) }
        let answers = Answers(count: queries.count)
        DispatchQueue.concurrentPerform(iterations: queries.count) { index in
            let found = Self.matrix.withUnsafeBufferPointer {
                VectorKernels.topDotProducts(
                    query: queries[index], matrix: $0, rows: Self.rows, k: 10, excluding: ItemExclusion(count: Self.rows))
            }
            answers.set(index, found.map(\.item))
        }
        #expect(answers.all == expected)
    }
}

/// Results written by concurrent workers.
final class Answers: Sendable {
    private let values: Mutex<[[Int32]]>

    init(count: Int) { values = Mutex(Array(repeating: [], count: count)) }
    func set(_ index: Int, _ value: [Int32]) { values.withLock { $0[index] = value } }
    var all: [[Int32]] { values.withLock { $0 } }
}
