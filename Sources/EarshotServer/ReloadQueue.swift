import NIOConcurrencyHelpers

/// Reload requests from SIGHUP and the `reload` op, handled one batch at a
/// time by `ReloadService`: requests that queue up while a reload runs are
/// all answered by the next one, since it starts after each was made.
final class ReloadQueue: Sendable {
    struct Request: Sendable {
        let reason: String
        let reply: CheckedContinuation<Result<ServingState, ReloadError>, Never>?
    }

    private let pending = NIOLockedValueBox<(requests: [Request], finished: Bool)>(([], false))
    /// Wakes the reload service; one buffered wake-up is enough for any number of requests.
    let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init() {
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues a reload and waits for its outcome.
    func requestReload(reason: String) async -> Result<ServingState, ReloadError> {
        await withCheckedContinuation { reply in
            enqueue(Request(reason: reason, reply: reply))
        }
    }

    /// Queues a reload without waiting (SIGHUP).
    func signalReload(reason: String) {
        enqueue(Request(reason: reason, reply: nil))
    }

    /// Everything queued so far.
    func takeAll() -> [Request] {
        pending.withLockedValue { state in
            defer { state.requests = [] }
            return state.requests
        }
    }

    /// Refuses new requests and answers those still queued.
    func finish() {
        let left = pending.withLockedValue { state -> [Request] in
            state.finished = true
            defer { state.requests = [] }
            return state.requests
        }
        for request in left { request.reply?.resume(returning: .failure(ReloadError("the daemon is shutting down"))) }
        wake.finish()
    }

    private func enqueue(_ request: Request) {
        let accepted = pending.withLockedValue { state -> Bool in
            guard !state.finished else { return false }
            state.requests.append(request)
            return true
        }
        if accepted {
            wake.yield()
        } else {
            request.reply?.resume(returning: .failure(ReloadError("the daemon is shutting down")))
        }
    }
}
