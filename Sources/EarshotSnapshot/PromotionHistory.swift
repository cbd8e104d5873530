import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `promotions.jsonl` in the snapshot folder: one JSON line each time
/// `current` was pointed at a snapshot (by `earshot retrain` or
/// `earshot snapshot rollback`), oldest first. `snapshot rollback` goes back
/// to the previous line's snapshot.
public struct PromotionHistory: Sendable {
    public struct Promotion: Codable, Sendable, Equatable {
        /// The directory name `current` pointed at.
        public var snapshot: String
        public var id: String
        public var at: String
        /// `retrain` or `rollback`.
        public var by: String

        public init(snapshot: String, id: String, at: String, by: String) {
            self.snapshot = snapshot
            self.id = id
            self.at = at
            self.by = by
        }
    }

    public let path: String

    public init(folder: SnapshotFolder) {
        path = folder.historyPath
    }

    /// Every promotion; unreadable lines (a torn last write) are skipped.
    public func promotions() -> [Promotion] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Promotion.self, from: Data($0.utf8)) }
    }

    /// Appends one line and fsyncs it.
    public func append(_ promotion: Promotion) throws(SnapshotWriteError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let line = try? encoder.encode(promotion) else { throw .io(path: path, reason: "cannot encode") }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let bytes = [UInt8](line) + [UInt8(ascii: "\n")]
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw .io(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// The snapshot before `current` in the history: the latest promotion of
    /// another directory that still `exists`.
    public func previous(before current: String?, exists: (String) -> Bool) -> Promotion? {
        promotions().reversed().first { $0.snapshot != current && exists($0.snapshot) }
    }
}
