import EarshotScoring
import Foundation
import Testing

@testable import MatrixFactorization

/// An `mf` scorer over `items` pseudo-random 64-dimensional factors.
enum RandomFactors {
    static func value(_ index: Int, _ seed: Int) -> Float {
        let x = sin(Double(index) * 12.9898 + Double(seed) * 78.233) * 43758.5453
        return Float(x - x.rounded(.down)) * 2 - 1
    }

    static func scorer(items: Int, users: Int, dimension: Int = 64) throws -> any LoadedScorer {
        let itemFactors = (0..<items * dimension).map { value($0, 1) }
        let userFactors = (0..<users * dimension).map { value($0, 2) }
        let part = SnapshotPart(
            kind: "mf",
            matrices: [
                "item_factors": Matrix(rows: items, columns: dimension, values: itemFactors),
                "user_factors": Matrix(rows: users, columns: dimension, values: userFactors),
                "user_items_data": Matrix(rows: users, columns: 1, values: [Float](repeating: 1, count: users)),
            ],
            integers: [
                "user_items_indptr": (0...users).map { Int64($0) },
                "user_items_indices": (0..<users).map { Int64($0 % items) },
            ],
            idLists: ["items": IDList((0..<items).map { "i\($0)" }), "users": IDList((0..<users).map { "u\($0)" })],
            parameters: ["factors": Double(dimension), "regularization": 0.5, "alpha": 1, "regularization_exponent": 0])
        return try MatrixFactorizationPlugin.load(ScorerLoadContext(catalogue: .empty, part: part))
    }

    /// Runs a pass the way the daemon's workers do (slices spread over `workers`).
    static func run(_ scorer: any LoadedScorer, _ requests: [ScoringRequest], workers: Int = 2) -> [[ScoredItem]] {
        let pass = scorer.pass(for: requests, workers: workers)
        for slice in 0..<pass.sliceCount { pass.run(slice: slice, worker: slice % workers) }
        return pass.results().map { (try? $0.get()) ?? [] }
    }
}

@Suite("Batched scoring: one pass for many requests")
struct BatchedScoringTests {
    let items = 6_000

    func requests(_ scorer: any LoadedScorer, count: Int) -> [ScoringRequest] {
        (0..<count).map { index in
            var exclusion = ItemExclusion(count: items)
            exclusion.exclude(Int32(index * 7))
            let query: ScoringRequest.Query
            switch index % 4 {
            case 0, 1: query = .listener(Listener(user: "u\(index)", history: []))
            case 2: query = .seeds([Int32(index), Int32(index + 100)], .average)
            default: query = .seeds([Int32(index), Int32(index + 1), Int32(index + 2)], .max)
            }
            return ScoringRequest(query: query, k: 10 + index, exclusion: exclusion)
        }
    }

    @Test("a batch returns exactly what each request returns alone")
    func batchedEqualsAlone() throws {
        let scorer = try RandomFactors.scorer(items: items, users: 64)
        let batch = requests(scorer, count: 24)
        let together = RandomFactors.run(scorer, batch)
        for (index, request) in batch.enumerated() {
            let alone = RandomFactors.run(scorer, [request], workers: 1)
            #expect(together[index] == alone[0], "request \(index)")
            #expect(together[index].count == request.k)
        }
    }

    @Test("recommend in a batch equals the single-request scan, scores bit for bit")
    func batchedEqualsScan() throws {
        let scorer = try RandomFactors.scorer(items: items, users: 64)
        let batch = requests(scorer, count: 16)
        let together = RandomFactors.run(scorer, batch)
        for (index, request) in batch.enumerated() {
            guard case .listener(let listener) = request.query else { continue }
            let scanned = try scorer.recommend(for: listener, k: request.k, excluding: request.exclusion)
            #expect(together[index] == scanned, "request \(index)")
        }
    }

    @Test("similar by average in a batch equals the cosine scan")
    func similarEqualsScan() throws {
        let scorer = try RandomFactors.scorer(items: items, users: 8)
        let batch = requests(scorer, count: 12)
        let together = RandomFactors.run(scorer, batch)
        for (index, request) in batch.enumerated() {
            guard case .seeds(let seeds, .average) = request.query else { continue }
            let scanned = try scorer.similar(to: seeds, strategy: .average, k: request.k, excluding: request.exclusion)
            #expect(together[index].map(\.item) == scanned.map(\.item), "request \(index)")
        }
    }

    @Test("an unknown user fails alone; the rest of the batch is answered")
    func failureStaysLocal() throws {
        let scorer = try RandomFactors.scorer(items: items, users: 8)
        var batch = requests(scorer, count: 4)
        batch.insert(
            ScoringRequest(query: .listener(Listener(user: "nobody", history: [])), k: 5, exclusion: ItemExclusion(count: items)),
            at: 1)
        let pass = scorer.pass(for: batch, workers: 2)
        for slice in 0..<pass.sliceCount { pass.run(slice: slice, worker: slice % 2) }
        let results = pass.results()
        #expect(throws: ScoringError.unknownUser("nobody")) { try results[1].get() }
        #expect(try results[0].get().count == 10)
        #expect(try results[2].get().count == 11)
    }

    @Test("a 10,000-seed max similar is one pass and returns k items")
    func heavySimilar() throws {
        let scorer = try RandomFactors.scorer(items: 300, users: 2)
        let seeds = (0..<10_000).map { Int32($0 % 300) }
        var exclusion = ItemExclusion(count: 300)
        for item in 0..<290 { exclusion.exclude(Int32(item)) }
        let result = RandomFactors.run(scorer, [ScoringRequest(query: .seeds(seeds, .max), k: 5, exclusion: exclusion)])
        #expect(result[0].count == 5)
        // Every remaining item is also a seed: its best cosine is with itself.
        #expect(result[0].allSatisfy { $0.score > 0.999 })
        #expect(Set(result[0].map(\.item)).isSubset(of: Set((290..<300).map(Int32.init))))
    }
}
