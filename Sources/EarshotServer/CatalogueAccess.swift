import EarshotCatalogue
import Foundation
import NIOPosix
import Synchronization

/// The daemon's SQLite connections: a pool of read-only connections for
/// `search`, on the blocking thread pool, and one writer connection on a
/// thread of its own for `listen` and `forget`.
///
/// In WAL mode readers never wait for the writer, and queued writes (each
/// waiting for its fsync, or for an import's write lock) never occupy the
/// threads that reads need.
final class CatalogueAccess: Sendable {
    private let readThreads: NIOThreadPool
    private let writeThread: NIOThreadPool
    private let idleReaders = Mutex<[PooledStore]>([])
    /// Touched only on `writeThread`, which has one thread; the mutex makes that checkable.
    private let writer = Mutex<PooledStore?>(nil)

    /// - Parameters:
    ///   - readThreads: the blocking pool reads run on; at most one read
    ///     connection per thread is ever open.
    ///   - writeThread: a started pool of exactly one thread, for writes.
    init(readThreads: NIOThreadPool, writeThread: NIOThreadPool) {
        self.readThreads = readThreads
        self.writeThread = writeThread
    }

    /// Runs `body` with a read-only connection to the catalogue at `path`.
    /// Work that only gets a thread after `deadline` is not started:
    /// `DeadlinePassed`.
    func read<Result: Sendable>(
        path: String, deadline: ContinuousClock.Instant?, _ body: @escaping @Sendable (CatalogueStore) throws -> Result
    ) async throws -> Result {
        try await readThreads.runIfActive {
            if let deadline, ContinuousClock.now > deadline { throw DeadlinePassed() }
            let connection = try self.idleReaders.withLock { idle in
                while let candidate = idle.popLast() {
                    if candidate.path == path, !candidate.store.fileHasMoved { return candidate }
                }
                return nil
            } ?? PooledStore(path: path, store: try CatalogueStore.openForReading(path: path))
            let result = try body(connection.store)
            self.idleReaders.withLock { $0.append(connection) }
            return result
        }
    }

    /// Runs `body` with the writer connection, in the order writes were asked
    /// for, one at a time. The connection waits for another process's write
    /// lock only until `deadline` (then SQLite reports `SQLITE_BUSY`), is
    /// reopened when a reload changed `path`, the file was replaced or the
    /// last write failed, and a
    /// write that landed in a file no longer at `path` throws
    /// ``CatalogueFileMoved``: it would be lost, so it must not be acknowledged.
    func write<Result: Sendable>(
        path: String, deadline: ContinuousClock.Instant?, _ body: @escaping @Sendable (CatalogueStore) throws -> Result
    ) async throws -> Result {
        try await writeThread.runIfActive {
            try self.writer.withLock { writer in
                let wait: Int
                if let deadline {
                    let left = deadline - ContinuousClock.now
                    guard left > .zero else { throw DeadlinePassed() }
                    wait = Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
                } else {
                    wait = Self.defaultLockWaitMilliseconds
                }
                if writer == nil || writer?.path != path || writer?.store.fileHasMoved == true {
                    writer = nil
                    writer = PooledStore(path: path, store: try CatalogueStore.open(path: path, create: false))
                }
                let store = writer!.store
                store.setBusyTimeout(milliseconds: max(wait, 1))
                let result: Result
                do {
                    result = try body(store)
                } catch {
                    // Open anew next time: a connection that met a read-only or failing
                    // file may have fallen back to reading only, and reopening is cheap.
                    writer = nil
                    throw error
                }
                if store.fileHasMoved {
                    writer = nil
                    throw CatalogueFileMoved(path: path)
                }
                return result
            }
        }
    }

    /// How long a write without a request deadline waits for a lock.
    static let defaultLockWaitMilliseconds = 5_000
}

/// An open connection and the path it was opened for.
// @unchecked Sendable: a connection is used by one thread at a time. It is
// either idle inside a `Mutex` or checked out by the one work item that
// popped it; SQLite itself needs no more (connections open with NOMUTEX).
private final class PooledStore: @unchecked Sendable {
    let path: String
    let store: CatalogueStore

    init(path: String, store: CatalogueStore) {
        self.path = path
        self.store = store
    }
}

/// A request's deadline passed before its work could start.
struct DeadlinePassed: Error {}

/// The catalogue file was removed or replaced while a write went to it.
struct CatalogueFileMoved: Error, CustomStringConvertible {
    let path: String
    var description: String { "the catalogue file \(path) was removed or replaced during the write" }
}
