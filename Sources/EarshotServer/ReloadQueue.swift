/// Reload requests from SIGHUP and the `reload` op, handled one at a time
/// by `ReloadService`, so two reloads never build states concurrently.
final class ReloadQueue: Sendable {
    struct Request: Sendable {
        let reason: String
        let reply: CheckedContinuation<Result<ServingState, ReloadError>, Never>?
    }

    let requests: AsyncStream<Request>
    private let continuation: AsyncStream<Request>.Continuation

    init() {
        (requests, continuation) = AsyncStream.makeStream(of: Request.self)
    }

    /// Queues a reload and waits for its outcome.
    func requestReload(reason: String) async -> Result<ServingState, ReloadError> {
        await withCheckedContinuation { reply in
            if case .terminated = continuation.yield(Request(reason: reason, reply: reply)) {
                reply.resume(returning: .failure(ReloadError("the daemon is shutting down")))
            }
        }
    }

    /// Queues a reload without waiting (SIGHUP).
    func signalReload(reason: String) {
        continuation.yield(Request(reason: reason, reply: nil))
    }

    func finish() {
        continuation.finish()
    }
}
