import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The folder of snapshot directories beside the `current` link the daemon
/// serves (`data.snapshot`, e.g. `/var/lib/earshot/snapshots/current`): the
/// snapshot lifecycle of `earshot retrain` and `earshot snapshot list/gc/rollback`.
///
/// `current` is a symbolic link to a sibling directory and only ever changes
/// by an atomic `rename(2)` of a new link over it, so a reader (or a crash at
/// any moment) sees the old target or the new one, never anything else.
public struct SnapshotFolder: Sendable {
    /// The folder holding the snapshot directories.
    public let path: String
    /// The name of the link the daemon serves (`current`).
    public let linkName: String

    /// The folder of the link `snapshotPath` (the config's `data.snapshot`).
    public init(snapshotPath: String) {
        let url = URL(fileURLWithPath: snapshotPath).standardizedFileURL
        path = url.deletingLastPathComponent().path
        linkName = url.lastPathComponent
    }

    public var linkPath: String { path + "/" + linkName }

    /// Files of the lifecycle, written once here.
    public var lockPath: String { path + "/.retrain.lock" }
    public var historyPath: String { path + "/promotions.jsonl" }
    public var retrainRecordPath: String { path + "/retrain.json" }

    /// The directory name `current` points at, `nil` when there is no link.
    public func currentName() -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: linkPath) else { return nil }
        return URL(fileURLWithPath: target).lastPathComponent
    }

    /// A snapshot directory of the folder.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var manifest: Manifest
        /// Sum of the manifest's file sizes.
        public var bytes: Int
    }

    /// Every snapshot directory (a real directory with a readable manifest,
    /// not hidden), oldest first by `created_at`, then by when the manifest was written.
    public func entries() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        var entries: [(Entry, Date)] = []
        for name in names where !name.hasPrefix(".") && name != linkName {
            let directory = path + "/" + name
            var isDirectory: ObjCBool = false
            guard (try? FileManager.default.destinationOfSymbolicLink(atPath: directory)) == nil,
                FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
                let data = FileManager.default.contents(atPath: directory + "/manifest.json"),
                let manifest = try? JSONDecoder().decode(Manifest.self, from: data)
            else { continue }
            let written = (try? FileManager.default.attributesOfItem(atPath: directory + "/manifest.json"))?[.modificationDate]
                as? Date ?? .distantPast
            entries.append((Entry(name: name, manifest: manifest, bytes: manifest.files.values.reduce(0) { $0 + $1.size }), written))
        }
        // `created_at` has whole seconds: snapshots made within one second are ordered
        // by when their manifest was written, not by name.
        return entries.sorted {
            ($0.0.manifest.createdAt, $0.1, $0.0.name) < ($1.0.manifest.createdAt, $1.1, $1.0.name)
        }.map(\.0)
    }

    /// A fresh directory name for a snapshot made at `date`:
    /// `20261202T031500Z`, with `-2`, `-3` … when taken.
    public func newName(at date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let stem = formatter.string(from: date)
        var name = stem
        var suffix = 2
        while FileManager.default.fileExists(atPath: path + "/" + name)
            || (try? FileManager.default.destinationOfSymbolicLink(atPath: path + "/" + name)) != nil
        {
            name = "\(stem)-\(suffix)"
            suffix += 1
        }
        return name
    }

    /// Points `current` at the sibling directory `name`: a new link beside it,
    /// renamed over it, the folder fsynced.
    public func swapCurrent(to name: String) throws(SnapshotWriteError) {
        let temporary = path + "/.\(linkName).tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
        guard symlink(name, temporary) == 0 else { throw .io(path: temporary, reason: String(cString: strerror(errno))) }
        guard rename(temporary, linkPath) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io(path: linkPath, reason: reason)
        }
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    }

    /// Removes what interrupted writers left: hidden `….tmp-PID-…` entries
    /// (snapshot directories being built, links being swapped) whose process
    /// is gone. Returns the names removed.
    @discardableResult
    public func removeLeftovers() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        var removed: [String] = []
        for name in names where name.hasPrefix(".") {
            guard let pid = Self.writerPID(of: name), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            if (try? FileManager.default.removeItem(atPath: path + "/" + name)) != nil { removed.append(name) }
        }
        return removed.sorted()
    }

    /// The process id in a temporary name `….tmp-PID-XXXXXXXX`.
    static func writerPID(of name: String) -> pid_t? {
        guard let marker = name.range(of: ".tmp-", options: .backwards) else { return nil }
        let digits = name[marker.upperBound...].prefix { $0.isNumber }
        return pid_t(digits)
    }

    /// Free bytes for an unprivileged writer on the folder's file system.
    public func availableBytes() -> Int? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }
}
