import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive `flock(2)` on the folder's `.retrain.lock`, held by one
/// `earshot retrain`, `snapshot gc` or `snapshot rollback` at a time. The
/// kernel releases it when the process ends, however it ends, so a killed
/// retrain never leaves a stale lock.
public final class SnapshotFolderLock {
    private let descriptor: Int32

    /// Why the lock was not taken.
    public struct Busy: Error, CustomStringConvertible {
        public let description: String
    }

    /// Takes the lock without waiting; throws `Busy` naming the holder when
    /// another process has it.
    public init(folder: SnapshotFolder, purpose: String) throws(Busy) {
        descriptor = try Self.acquire(folder.lockPath, folder: folder.path)
        let note = "pid \(getpid()): \(purpose)\n"
        _ = ftruncate(descriptor, 0)
        _ = note.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    private static func acquire(_ path: String, folder: String) throws(Busy) -> Int32 {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw Busy(description: "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            guard code == EWOULDBLOCK else {
                throw Busy(description: "cannot lock \(path): \(String(cString: strerror(code)))")
            }
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            throw Busy(description: "another retrain or snapshot change is running (\(holder.isEmpty ? "lock held" : holder)); "
                + "wait for it to finish, or see `systemctl status earshot-retrain`")
        }
        return descriptor
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        close(descriptor)
    }
}
