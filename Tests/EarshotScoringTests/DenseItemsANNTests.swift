import EarshotANN
import EarshotScoring
import Foundation
import Testing

@Suite("Dense items with an HNSW graph")
struct DenseItemsANNTests {
    static let dimension = 8
    static let count = 2000

    /// Items around 20 cluster centres; row-major.
    static let vectors: [Float] = {
        var state: UInt64 = 42
        func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) + 1e-7
        }
        func normal() -> Float { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
        let centres = (0..<20 * dimension).map { _ in normal() }
        return (0..<count).flatMap { row in (0..<dimension).map { centres[(row % 20) * dimension + $0] + 0.35 * normal() } }
    }()

    static func items(minimumItems: Int) throws -> DenseItems {
        let arrays = vectors.withUnsafeBufferPointer {
            HNSWBuilder.build(
                vectors: $0.baseAddress!, count: count, dimension: dimension,
                options: HNSWBuildOptions(m: 8, efConstruction: 64, threads: 2))
        }
        return try DenseItems(
            ids: IDList((0..<count).map(String.init)), matrix: Matrix(rows: count, columns: dimension, values: vectors),
            file: "items.txt", graph: try arrays.graph(), ann: ANNSettings(ef: 64, minimumItems: minimumItems),
            fail: { ScorerLoadError($0) })
    }

    static func exactScan(_ query: [Float], k: Int, excluding exclusion: ItemExclusion) -> [ScoredItem] {
        vectors.withUnsafeBufferPointer {
            VectorKernels.topDotProducts(query: query, matrix: $0, rows: count, k: k, excluding: exclusion)
        }
    }

    static func query(_ index: Int) -> [Float] { Array(vectors[index * dimension..<(index + 1) * dimension]).map { $0 * 1.1 } }

    @Test("exact: true returns exactly the plain scan's top-k, exclusions included")
    func exactMatchesScan() throws {
        let items = try Self.items(minimumItems: 0)
        var exclusion = ItemExclusion(count: Self.count)
        for item in stride(from: 0, to: Self.count, by: 7) { exclusion.exclude(Int32(item)) }
        for q in 0..<30 {
            let query = Self.query(q * 13)
            let got = items.top(query: query, k: 10, excluding: exclusion, search: SearchOptions(exact: true))
            #expect(got == Self.exactScan(query, k: 10, excluding: exclusion))
        }
    }

    @Test("the graph's top-10 holds at least 95% of the exact top-10, never an excluded item, with exact scores")
    func graphRecall() throws {
        let items = try Self.items(minimumItems: 0)
        var exclusion = ItemExclusion(count: Self.count)
        for item in stride(from: 0, to: Self.count, by: 5) { exclusion.exclude(Int32(item)) }
        var hits = 0
        for q in 0..<50 {
            let query = Self.query(q * 37 % Self.count)
            let got = items.top(query: query, k: 10, excluding: exclusion)
            let want = Self.exactScan(query, k: 10, excluding: exclusion)
            hits += Set(got.map(\.item)).intersection(want.map(\.item)).count
            #expect(got.allSatisfy { !exclusion.contains($0.item) })
            let scores = items.scores(query: query, items: got.map(\.item))
            #expect(zip(scores, got).allSatisfy { abs($0 - $1.score) < 1e-4 })
        }
        #expect(Double(hits) / 500 >= 0.95, "recall \(Double(hits) / 500)")
    }

    @Test("below the size threshold the scan is used even with a graph")
    func thresholdScans() throws {
        let items = try Self.items(minimumItems: Self.count + 1)
        let none = ItemExclusion(count: Self.count)
        // ef 1 through the graph would miss; the scan cannot.
        for q in 0..<20 {
            let query = Self.query(q * 17)
            #expect(items.top(query: query, k: 10, excluding: none, search: SearchOptions(ef: 1)) == Self.exactScan(query, k: 10, excluding: none))
        }
    }

    @Test("the id index finds every id of a mapped-style list and nothing else; a repeated id is refused")
    func idIndex() throws {
        let ids = IDList((0..<5000).map { "track-\($0 * 7)" })
        let index = try IDRowIndex(ids)
        for row in stride(from: 0, to: 5000, by: 3) { #expect(index.row(of: "track-\(row * 7)") == Int32(row)) }
        #expect(index.row(of: "track-1") == nil && index.row(of: "") == nil)
        #expect(ids[4999] == "track-34993" && ids.count == 5000)
        #expect(throws: IDRowIndex.Duplicate.self) { try IDRowIndex(["a", "b", "a"]) }
        let unterminated = try #require(IDList(lines: TensorElements(Array("x\ny".utf8))))
        #expect(Array(unterminated) == ["x", "y"])
    }
}
