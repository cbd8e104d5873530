import EarshotScoring
import Foundation

/// The threads that score, and the order in which they take work.
///
/// Scoring runs here, not on Swift's cooperative pool: that pool has one
/// thread per core and also runs every connection's task, so a pass that
/// blocks it holds up decoding and answering on all connections, and at
/// most two requests could ever be scored at once to share a pass. Here a
/// request's task waits (without holding a thread) while `workers` threads
/// (one per core) run scoring passes:
///
/// - **Batching**: light requests (`ScoringRequest.vectorCount` ≤ 16) on a
///   scorer with `batchLimit` > 1 join the open batch of the same loaded
///   model. A batch opens when the first request arrives and closes when a
///   worker starts it, which happens at once when nothing of that model is
///   running (a lone request waits for nothing), or as soon as the batch
///   before it has handed out its last slice. Requests that arrive during a
///   pass therefore share the next one, and the matrix is read once per batch.
/// - **Fairness**: every pass is cut into slices of about a millisecond, and
///   a worker always takes the next slice of the job served least recently,
///   so jobs share the cores in turn: a 10,000-seed `similar` gets its share
///   and no more, and a cheap request waits for at most a slice per worker.
final class ScoringPool: @unchecked Sendable {
    // @unchecked Sendable: `jobs` and `stopped` (and every job's mutable
    // fields) are only touched with `condition` locked.
    let workers: Int
    private let condition = NSCondition()
    private var jobs: [ScoringJob] = []
    private var stopped = false

    /// Requests that score more query vectors than this run alone.
    static let batchableVectors = 16

    init(workers: Int = ParallelTopK.threads) {
        self.workers = max(1, workers)
        for index in 0..<self.workers {
            let thread = Thread { [self] in work(as: index) }
            thread.name = "earshot-scoring-\(index)"
            thread.start()
        }
    }

    /// Stops the workers once the jobs queued so far are done.
    func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Scores `request` on `model`, sharing a pass with other requests when it can.
    func score(_ request: ScoringRequest, on model: ReadyScorer) async -> Result<[ScoredItem], ScoringError> {
        await withCheckedContinuation { continuation in
            condition.lock()
            let limit = model.scorer.batchLimit
            let shared = limit > 1 && request.vectorCount <= Self.batchableVectors && model.scorer.sharesPass(request)
            if shared, let open = jobs.first(where: { $0.key === model.batchKey && $0.isOpen && $0.requests.count < limit }) {
                open.requests.append(request)
                open.waiters.append(continuation)
            } else {
                let job = ScoringJob(scorer: model.scorer, key: shared ? model.batchKey : nil)
                job.requests.append(request)
                job.waiters.append(continuation)
                jobs.append(job)
            }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Requests waiting in batches not yet started (for tests and reports).
    var queuedRequests: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.filter(\.isOpen).reduce(0) { $0 + $1.requests.count }
    }

    private enum Turn {
        case seal(ScoringJob)
        case slice(ScoringJob, Int)
    }

    private func work(as worker: Int) {
        condition.lock()
        while true {
            guard let turn = nextTurn() else {
                if stopped && jobs.isEmpty { break }
                condition.wait()
                continue
            }
            condition.unlock()
            switch turn {
            case .seal(let job):
                // Building a pass computes query vectors: not under the lock.
                let pass = job.scorer.pass(for: job.requests, workers: workers)
                condition.lock()
                job.pass = pass
                if pass.sliceCount == 0 { finish(job) }
            case .slice(let job, let slice):
                job.pass!.run(slice: slice, worker: worker)
                condition.lock()
                job.done += 1
                if job.done == job.pass!.sliceCount { finish(job) }
            }
            condition.broadcast()
        }
        condition.unlock()
    }

    /// The next thing to do, with `condition` locked: the least recently
    /// served job's next slice, or closing an open batch that may start.
    private func nextTurn() -> Turn? {
        for (index, job) in jobs.enumerated() {
            if job.isOpen {
                let blocked = job.key != nil && jobs.contains { $0 !== job && $0.key === job.key && $0.handsOutSlices }
                if blocked { continue }
                job.isOpen = false
                return .seal(job)
            }
            guard let pass = job.pass, job.next < pass.sliceCount else { continue }
            let slice = job.next
            job.next += 1
            jobs.remove(at: index)
            jobs.append(job)
            return .slice(job, slice)
        }
        return nil
    }

    /// Removes a finished job and resumes its requests; `condition` is locked.
    private func finish(_ job: ScoringJob) {
        jobs.removeAll { $0 === job }
        let waiters = job.waiters
        let pass = job.pass!
        condition.unlock()
        let results = pass.results()
        for (waiter, result) in zip(waiters, results) { waiter.resume(returning: result) }
        condition.lock()
    }
}

/// One pass to run: while open, more requests may join it.
// @unchecked Sendable: every mutable field is guarded by the pool's condition lock.
final class ScoringJob: @unchecked Sendable {
    let scorer: any LoadedScorer
    /// The model requests share passes on; nil: this job runs alone.
    let key: BatchKey?
    var requests: [ScoringRequest] = []
    var waiters: [CheckedContinuation<Result<[ScoredItem], ScoringError>, Never>] = []
    var isOpen = true
    var pass: (any ScoringPass)?
    var next = 0
    var done = 0

    init(scorer: any LoadedScorer, key: BatchKey?) {
        self.scorer = scorer
        self.key = key
    }

    /// Closed and with slices not yet handed out (sealing counts: a pass is coming).
    var handsOutSlices: Bool {
        guard !isOpen else { return false }
        guard let pass else { return true }
        return next < pass.sliceCount
    }
}
