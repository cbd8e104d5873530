import EarshotScoring
import Foundation
import Synchronization
import Testing

@testable import EarshotServer

/// A scorer whose passes record what they were given; item scores are the
/// item index, so every request's answer is its top `k` indices.
final class RecordingScorer: LoadedScorer, Sendable {
    let batches = Mutex<[Int]>([])
    let slicesRun = Mutex(0)
    /// While closed, the first pass's slices wait.
    let gate = Mutex(true)
    let slicesPerRequest: Int

    init(slicesPerRequest: Int = 4) { self.slicesPerRequest = slicesPerRequest }

    var facts: [String: Int] { [:] }
    var itemIDs: IDList { IDList((0..<100).map { "i\($0)" }) }
    func item(of id: String) -> Int32? { Int32(id.dropFirst()) }
    func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError) -> [ScoredItem] { [] }
    func similar(to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError) -> [ScoredItem] { [] }
    func score(_ items: [Int32], for listener: Listener) throws(ScoringError) -> [Float] { [] }
    var batchLimit: Int { 64 }

    func pass(for requests: [ScoringRequest], workers: Int) -> any ScoringPass {
        let first = batches.withLock { batches in
            batches.append(requests.count)
            return batches.count == 1
        }
        return RecordingPass(scorer: self, requests: requests, waits: first)
    }
}

final class RecordingPass: ScoringPass, Sendable {
    let scorer: RecordingScorer
    let requests: [ScoringRequest]
    let waits: Bool

    init(scorer: RecordingScorer, requests: [ScoringRequest], waits: Bool) {
        self.scorer = scorer
        self.requests = requests
        self.waits = waits
    }

    var sliceCount: Int { requests.count == 1 && requests[0].vectorCount > 16 ? 2_000 : scorer.slicesPerRequest }

    func run(slice: Int, worker: Int) {
        while waits && scorer.gate.withLock({ $0 }) { usleep(1_000) }
        if sliceCount > 100 { usleep(200) }
        scorer.slicesRun.withLock { $0 += 1 }
    }

    func results() -> [Result<[ScoredItem], ScoringError>] {
        requests.map { request in .success((0..<request.k).map { ScoredItem(item: Int32(99 - $0), score: Float(99 - $0)) }) }
    }
}

@Suite("Scoring pool: shared passes and fair turns")
struct ScoringPoolTests {
    static func request(k: Int = 3, seeds: Int = 0) -> ScoringRequest {
        let query: ScoringRequest.Query =
            seeds > 0 ? .seeds((0..<seeds).map(Int32.init), .max) : .listener(Listener(user: "u", history: []))
        return ScoringRequest(query: query, k: k, exclusion: ItemExclusion(count: 100))
    }

    @Test("requests that arrive during a pass share the next pass")
    func batching() async throws {
        let scorer = RecordingScorer()
        let model = ReadyScorer(scorer: scorer, catalogue: .empty)
        let pool = ScoringPool(workers: 2)
        defer { pool.shutdown() }
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { try await pool.score(Self.request(), on: model).get().count }
            // The first pass is now running (its slices wait at the gate).
            while scorer.batches.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
            for k in 1...10 { group.addTask { try await pool.score(Self.request(k: k), on: model).get().count } }
            while pool.queuedRequests < 10 { try await Task.sleep(for: .milliseconds(1)) }
            scorer.gate.withLock { $0 = false }
            var counts: [Int] = []
            for try await count in group { counts.append(count) }
            #expect(counts.sorted() == [1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10])
        }
        #expect(scorer.batches.withLock { $0 } == [1, 10])
    }

    @Test("a cheap request is answered while a heavy one still has most of its slices to run")
    func fairness() async throws {
        let scorer = RecordingScorer(slicesPerRequest: 1)
        scorer.gate.withLock { $0 = false }
        let model = ReadyScorer(scorer: scorer, catalogue: .empty)
        let pool = ScoringPool(workers: 2)
        defer { pool.shutdown() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await pool.score(Self.request(seeds: 10_000), on: model).get() }
            while scorer.slicesRun.withLock({ $0 }) < 10 { try await Task.sleep(for: .milliseconds(1)) }
            _ = try await pool.score(Self.request(), on: model).get()
            let heavyDone = scorer.slicesRun.withLock { $0 }
            #expect(heavyDone < 1_000, "the cheap request waited for \(heavyDone) heavy slices")
            try await group.waitForAll()
        }
        #expect(scorer.batches.withLock { $0 } == [1, 1])
    }
}
