import Synchronization

/// Snapshot files this process has already hashed, by path and identity
/// (device, inode, size, modification and change times): snapshots are
/// immutable, so an unchanged file need not be hashed again at the next
/// reload, and a reload costs little more than the checks.
public final class VerifiedFiles: Sendable {
    private let hashes = Mutex<[String: (MappedFile.Identity, String)]>([:])

    public init() {}

    /// The SHA-256 recorded for `path` if its identity is unchanged.
    func sha256(of path: String, identity: MappedFile.Identity) -> String? {
        hashes.withLock { entries in
            guard let (known, hash) = entries[path], known == identity else { return nil }
            return hash
        }
    }

    func record(_ path: String, identity: MappedFile.Identity, sha256: String) {
        hashes.withLock { $0[path] = (identity, sha256) }
    }

}
