import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `retrain.json` in the snapshot folder: what `earshot retrain` has done,
/// rewritten atomically at the end of every run, read by the daemon's
/// Prometheus exposition (`earshot_retrain_*`).
public struct RetrainRecord: Codable, Sendable, Equatable {
    /// Runs by outcome: `promoted`, `kept`, `unchanged`, `failed`.
    public var runs: [String: Int] = [:]
    public var lastOutcome: String?
    /// Unix time of the end of the last run.
    public var lastFinished: Double?
    public var lastDurationSeconds: Double?
    /// Unix time of the last promotion.
    public var lastPromoted: Double?
    /// What the last promoted or kept model learnt from: a retrain on the
    /// same data has nothing new to learn and writes no snapshot.
    public var lastDataDigest: String?

    public static let outcomes = ["promoted", "kept", "unchanged", "failed"]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case runs
        case lastOutcome = "last_outcome"
        case lastFinished = "last_finished"
        case lastDurationSeconds = "last_duration_s"
        case lastPromoted = "last_promoted"
        case lastDataDigest = "last_data_digest"
    }

    /// The record at `path`, empty when missing or unreadable.
    public static func read(at path: String) -> RetrainRecord {
        guard let data = FileManager.default.contents(atPath: path),
            let record = try? JSONDecoder().decode(RetrainRecord.self, from: data)
        else { return RetrainRecord() }
        return record
    }

    /// Writes a temporary sibling and renames it over `path`.
    public func write(to path: String) throws(SnapshotWriteError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { throw .io(path: path, reason: "cannot encode") }
        try AtomicFile.write(data, to: path)
    }
}

/// Whole-file replacement by write, fsync and rename: readers see the old
/// file or the new one.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws(SnapshotWriteError) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        do {
            try data.write(to: temporary, options: [])
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.synchronize()
            try handle.close()
            if rename(temporary.path, path) != 0 { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .io(path: path, reason: "\(error.localizedDescription)")
        }
    }
}
