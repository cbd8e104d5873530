import Dispatch
import Synchronization

/// Spreads numbered pieces of work over a few threads that claim them in
/// order. What a piece computes must not depend on which thread runs it;
/// then results are the same for any thread count.
enum WorkSharing {
    /// Runs `body(piece, scratch)` for every piece in `0..<pieces` on up to
    /// `workers` threads; each thread makes its own scratch with `makeScratch`.
    /// Returns when all pieces are done.
    ///
    /// The closures run concurrently: each piece may write only data no
    /// other piece reads or writes (its own rows, its own result slot).
    static func run<Scratch>(
        pieces: Int, workers: Int, makeScratch: () -> Scratch, _ body: (Int, inout Scratch) -> Void
    ) {
        let threads = max(1, min(workers, pieces))
        if threads == 1 {
            var scratch = makeScratch()
            for piece in 0..<pieces { body(piece, &scratch) }
            return
        }
        withoutActuallyEscaping(makeScratch) { makeScratch in
            withoutActuallyEscaping(body) { body in
                let work = SharedWork(makeScratch: makeScratch, body: body)
                let next = Atomic<Int>(0)
                DispatchQueue.concurrentPerform(iterations: threads) { _ in
                    var scratch = work.makeScratch()
                    while true {
                        let piece = next.wrappingAdd(1, ordering: .relaxed).oldValue
                        guard piece < pieces else { return }
                        work.body(piece, &scratch)
                    }
                }
            }
        }
    }
}

/// The closures of one `WorkSharing.run` call, handed to its threads.
private struct SharedWork<Scratch>: @unchecked Sendable {
    // @unchecked Sendable: `concurrentPerform` returns only after every
    // thread has finished, so the closures never outlive `run`, and `run`'s
    // contract has each piece touch only data no other piece touches.
    let makeScratch: () -> Scratch
    let body: (Int, inout Scratch) -> Void
}
