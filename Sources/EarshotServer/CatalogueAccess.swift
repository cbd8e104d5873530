import EarshotCatalogue
import Foundation
import NIOConcurrencyHelpers
import NIOPosix

/// The daemon's one read-write SQLite connection, used for `search` and
/// `listen`. Every call runs on the blocking thread pool, never on an
/// event loop or the cooperative pool.
// @unchecked Sendable: `store` is only read or replaced while `lock` is
// held, and the SQLite connection inside is used by one thread at a time
// (it is opened without SQLite's own mutex).
final class CatalogueAccess: @unchecked Sendable {
    private let threadPool: NIOThreadPool
    private let lock = NIOLock()
    private var store: (path: String, store: CatalogueStore)?

    init(threadPool: NIOThreadPool) {
        self.threadPool = threadPool
    }

    /// Runs `body` with the store at `path`, opening it on first use or when
    /// a reload changed the configured path. Work that only gets a thread
    /// (and the lock) after `deadline` is not started: `DeadlinePassed`.
    func withStore<Result: Sendable>(
        path: String, deadline: ContinuousClock.Instant?, _ body: @escaping @Sendable (CatalogueStore) throws -> Result
    ) async throws -> Result {
        try await threadPool.runIfActive {
            try self.lock.withLock {
                if let deadline, ContinuousClock.now > deadline { throw DeadlinePassed() }
                if self.store?.path != path {
                    self.store = (path, try CatalogueStore.open(path: path, create: false))
                }
                return try body(self.store!.store)
            }
        }
    }
}

/// A request's deadline passed before its work could start.
struct DeadlinePassed: Error {}
