import EarshotSnapshot
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `earshot snapshot list`, `gc` and `rollback` on the snapshot folder of
/// a config's `data.snapshot`, talking to the daemon on its socket.
public struct SnapshotLifecycle {
    public let folder: SnapshotFolder
    let daemon: DaemonLink

    public init(snapshotPath: String, socketPath: String) {
        folder = SnapshotFolder(snapshotPath: snapshotPath)
        daemon = DaemonLink(socketPath: socketPath)
    }

    /// One directory as `snapshot list` shows it.
    public struct Listed: Sendable {
        public var entry: SnapshotFolder.Entry
        public var isCurrent: Bool
        public var isServed: Bool
        public var promoted: Bool
    }

    /// Every snapshot directory, oldest first.
    public func list() -> [Listed] {
        let current = folder.currentName()
        let served = daemon.servedSnapshotName()
        let promoted = Set(PromotionHistory(folder: folder).promotions().map(\.snapshot))
        return folder.entries().map {
            Listed(entry: $0, isCurrent: $0.name == current, isServed: $0.name == served, promoted: promoted.contains($0.name))
        }
    }

    /// Deletes all but the newest `keep` snapshot directories, never the one
    /// `current` names nor the one the daemon serves. Returns the names
    /// deleted and kept. Each is renamed to a hidden leftover name first, so
    /// an interrupted delete never leaves a half-deleted visible snapshot.
    public func collectGarbage(keep: Int) throws(RetrainError) -> (deleted: [String], kept: [String]) {
        let lock: SnapshotFolderLock
        do {
            lock = try SnapshotFolderLock(folder: folder, purpose: "earshot snapshot gc")
        } catch {
            throw RetrainError(error.description)
        }
        defer { withExtendedLifetime(lock) {} }
        folder.removeLeftovers()
        let protected = Set([folder.currentName(), daemon.servedSnapshotName()].compactMap { $0 })
        let entries = folder.entries()
        let newest = Set(entries.suffix(max(0, keep)).map(\.name))
        var deleted: [String] = []
        var kept: [String] = []
        for entry in entries {
            guard !newest.contains(entry.name), !protected.contains(entry.name) else {
                kept.append(entry.name)
                continue
            }
            let doomed = folder.path + "/.\(entry.name).tmp-\(getpid())-gc"
            guard rename(folder.path + "/" + entry.name, doomed) == 0 else {
                throw RetrainError("cannot remove \(entry.name): \(String(cString: strerror(errno)))")
            }
            do {
                try FileManager.default.removeItem(atPath: doomed)
            } catch {
                throw RetrainError("cannot remove \(entry.name): \(error.localizedDescription)")
            }
            deleted.append(entry.name)
        }
        return (deleted, kept)
    }

    /// Points `current` back at the previously promoted snapshot and asks
    /// the daemon to reload; returns that snapshot's name and what the daemon said.
    public func rollback() throws(RetrainError) -> (snapshot: String, daemon: String) {
        let lock: SnapshotFolderLock
        do {
            lock = try SnapshotFolderLock(folder: folder, purpose: "earshot snapshot rollback")
        } catch {
            throw RetrainError(error.description)
        }
        defer { withExtendedLifetime(lock) {} }
        let history = PromotionHistory(folder: folder)
        let current = folder.currentName()
        guard let previous = history.previous(before: current, exists: { FileManager.default.fileExists(atPath: folder.path + "/" + $0) })
        else {
            throw RetrainError("no earlier promoted snapshot to go back to in \(folder.historyPath) (current: \(current ?? "none"))")
        }
        let manifest: Manifest
        do {
            manifest = try SnapshotReader.read(at: folder.path + "/" + previous.snapshot).manifest
        } catch {
            throw RetrainError("the previous snapshot \(previous.snapshot) is unusable: \(error)")
        }
        do {
            try folder.swapCurrent(to: previous.snapshot)
        } catch {
            throw RetrainError("cannot point \(folder.linkPath) at \(previous.snapshot): \(error)")
        }
        let said: String
        switch daemon.reload() {
        case .reloaded(let id): said = id == manifest.id ? "reloaded" : "reloaded, but serves \(id ?? "no snapshot")"
        case .notRunning(let reason): said = "not running (\(reason))"
        case .refused(let reason):
            if let current { try? folder.swapCurrent(to: current) }
            throw RetrainError("the daemon refused \(previous.snapshot) (\(reason)); \(folder.linkName) points at \(current ?? "nothing") again")
        }
        try? history.append(
            .init(snapshot: previous.snapshot, id: manifest.id, at: ISO8601DateFormatter().string(from: Date()), by: "rollback"))
        return (previous.snapshot, said)
    }
}
