import EarshotANN
import Foundation
import Testing

/// Clustered vectors as `earshot snapshot synth --clusters` draws them:
/// centres N(0, 1), members centre + N(0, spread²).
private func clustered(count: Int, dimension: Int, clusters: Int, spread: Float, seed: UInt64) -> [Float] {
    var state = seed
    func uniform() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 24) + 1e-7
    }
    func normal() -> Float { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
    let centres = (0..<clusters * dimension).map { _ in normal() }
    var values: [Float] = []
    values.reserveCapacity(count * dimension)
    for _ in 0..<count {
        let c = Int(uniform() * Float(clusters)) % clusters
        for j in 0..<dimension { values.append(centres[c * dimension + j] + spread * normal()) }
    }
    return values
}

private func exactTop(_ query: ArraySlice<Float>, _ vectors: [Float], dimension: Int, k: Int) -> [Int32] {
    let q = Array(query)
    let scores = (0..<vectors.count / dimension).map { row in
        (0..<dimension).reduce(Float(0)) { $0 + q[$1] * vectors[row * dimension + $1] }
    }
    return scores.indices.sorted { scores[$0] > scores[$1] }.prefix(k).map { Int32($0) }
}

@Suite("HNSW graph")
struct HNSWTests {
    static let dimension = 16
    static let items = clustered(count: 3000, dimension: dimension, clusters: 40, spread: 0.35, seed: 7)
    static let queries = clustered(count: 50, dimension: dimension, clusters: 40, spread: 0.35, seed: 7)

    /// One graph for every test (building is the slow part in a debug build).
    static let arrays = items.withUnsafeBufferPointer {
        HNSWBuilder.build(
            vectors: $0.baseAddress!, count: items.count / dimension, dimension: dimension,
            options: HNSWBuildOptions(m: 8, efConstruction: 64, threads: 2))
    }

    static func build() -> HNSWArrays { arrays }

    func recall(_ graph: HNSWGraph, ef: Int) -> Double {
        let d = Self.dimension
        var hits = 0
        for q in 0..<Self.queries.count / d {
            let query = Self.queries[q * d..<(q + 1) * d]
            let want = Set(exactTop(query, Self.items, dimension: d, k: 10))
            let found = Array(query).withUnsafeBufferPointer { qp in
                Self.items.withUnsafeBufferPointer {
                    graph.search(
                        query: qp.baseAddress!, vectors: $0.baseAddress!, dimension: d, k: 10, ef: ef,
                        scratch: HNSWScratchPool(), excluded: { _ in false })
                }
            }
            hits += found.filter { want.contains($0.node) }.count
        }
        return Double(hits) / Double(Self.queries.count / d * 10)
    }

    @Test("on clustered data the graph finds at least 95% of the exact top-10 at ef 64, and more with a larger ef")
    func recallOnClusteredData() throws {
        let graph = try Self.build().graph()
        let low = recall(graph, ef: 10)
        let high = recall(graph, ef: 64)
        #expect(high >= 0.95, "recall@10 at ef 64: \(high)")
        #expect(high >= low)
    }

    // Not every node is someone's neighbour: under inner product, short
    // vectors are nobody's nearest (hnswlib's `ip` graphs are the same).
    @Test("every node has bottom-level neighbours, distinct, other than itself, padding only at the end")
    func structure() throws {
        let arrays = Self.build()
        let degree = 2 * arrays.m
        for node in 0..<arrays.count {
            let slots = arrays.level0[node * degree..<(node + 1) * degree]
            let list = slots.prefix { $0 >= 0 }
            #expect(!list.isEmpty && slots.dropFirst(list.count).allSatisfy { $0 == -1 })
            #expect(Set(list).count == list.count && !list.contains(Int32(node)))
        }
        _ = try arrays.graph()
    }

    @Test("results skip excluded nodes and come best first with exact scores")
    func exclusions() throws {
        let graph = try Self.build().graph()
        let d = Self.dimension
        let query = Array(Self.queries[0..<d])
        let excludedSet = Set(exactTop(query[...], Self.items, dimension: d, k: 5))
        let found = query.withUnsafeBufferPointer { qp in
            Self.items.withUnsafeBufferPointer {
                graph.search(
                    query: qp.baseAddress!, vectors: $0.baseAddress!, dimension: d, k: 10, ef: 64,
                    scratch: HNSWScratchPool(), excluded: { excludedSet.contains($0) })
            }
        }
        #expect(found.count == 10)
        #expect(found.allSatisfy { !excludedSet.contains($0.node) })
        #expect(zip(found, found.dropFirst()).allSatisfy { $0.score >= $1.score })
        for hit in found {
            let exact = (0..<d).reduce(Float(0)) { $0 + query[$1] * Self.items[Int(hit.node) * d + $1] }
            #expect(abs(exact - hit.score) < 1e-4)
        }
    }

    @Test("a neighbour id outside the graph is refused")
    func invalidGraph() {
        let arrays = Self.build()
        var level0 = arrays.level0
        level0[3] = Int32(arrays.count)
        let broken = HNSWArrays(
            count: arrays.count, m: arrays.m, entryPoint: arrays.entryPoint, maxLevel: arrays.maxLevel, level0: level0,
            upperNodes: arrays.upperNodes, upperOffsets: arrays.upperOffsets, upperLinks: arrays.upperLinks)
        #expect(throws: HNSWGraph.Invalid.self) { try broken.graph() }
    }
}
