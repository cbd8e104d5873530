import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One scorer part to write: its manifest entry and its files by name
/// inside the part's directory (`items.txt`, `item_factors.npy`, …).
public struct SnapshotPartContents: Sendable {
    /// The part's directory and key in the manifest (`mf`, `two-tower`).
    public var name: String
    public var part: Manifest.Part
    public var files: [String: Data]

    public init(name: String, part: Manifest.Part, files: [String: Data]) {
        self.name = name
        self.part = part
        self.files = files
    }
}

/// Why a snapshot could not be written; nothing was left at the destination.
public enum SnapshotWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    case destinationExists(path: String)
    case invalidName(String)
    case base(path: String, SnapshotError)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .destinationExists(let path):
            "\(path) already exists; snapshots are never changed in place: choose a new directory or remove it"
        case .invalidName(let name): "\(name) is not a plain file or part name (no '/', not '.' or '..')"
        case .base(let path, let error): "cannot use \(path) as the base snapshot: \(error)"
        case .io(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}

/// Writes snapshot directories (docs/SNAPSHOTS.md) so that a reader
/// sees either no directory or a complete one: everything is built in a
/// temporary sibling directory, fsynced (files and directories), then
/// renamed into place.
public enum SnapshotWriter {
    /// Writes a new snapshot at `destination` holding `parts`.
    ///
    /// With `base`, the new snapshot also holds every part of `base` that
    /// `parts` does not replace: their files are verified and copied, their
    /// manifest entries kept. `base` itself is never modified. The catalogue
    /// fingerprint is `catalogueFingerprint`, or the base's when that is nil.
    ///
    /// `destination` must not exist (an empty directory is replaced).
    @discardableResult
    public static func write(
        _ parts: [SnapshotPartContents], to destination: String, catalogueFingerprint: String?,
        basedOn base: String? = nil, now: Date = Date()
    ) throws(SnapshotWriteError) -> Manifest {
        let target = URL(fileURLWithPath: destination).standardizedFileURL
        try refuseExisting(target)
        var files: [String: Data] = [:]
        var scorers: [String: Manifest.Part] = [:]
        var fingerprint = catalogueFingerprint
        if let base {
            let snapshot: Snapshot
            do {
                snapshot = try SnapshotReader.read(at: base)
            } catch {
                throw .base(path: base, error)
            }
            let replaced = Set(parts.map(\.name))
            for (name, part) in snapshot.manifest.scorers where !replaced.contains(name) { scorers[name] = part }
            for file in snapshot.manifest.files.keys where !replaced.contains(where: { file.hasPrefix($0 + "/") }) {
                let url = URL(fileURLWithPath: snapshot.resolvedPath).appendingPathComponent(file)
                guard let data = try? Data(contentsOf: url), data.count == snapshot.manifest.files[file]?.size,
                    SnapshotReader.sha256Hex(data) == snapshot.manifest.files[file]?.sha256.lowercased()
                else { throw .base(path: base, .checksumMismatch(file: file)) }
                files[file] = data
            }
            fingerprint = fingerprint ?? snapshot.manifest.catalogueFingerprint
        }
        for contents in parts {
            try checkName(contents.name)
            scorers[contents.name] = contents.part
            for (leaf, data) in contents.files {
                try checkName(leaf)
                files[contents.name + "/" + leaf] = data
            }
        }
        let entries = files.mapValues { Manifest.FileEntry(size: $0.count, sha256: SnapshotReader.sha256Hex($0)) }
        let manifest = Manifest(
            id: snapshotID(now: now, entries: entries), createdAt: timestamp(now), catalogueFingerprint: fingerprint,
            scorers: scorers, files: entries)
        try writeDirectory(manifest: manifest, files: files, at: target)
        return manifest
    }

    /// Throws when `destination` cannot receive a new snapshot (it exists and
    /// is not an empty directory), so long work can fail before it starts;
    /// `write` checks again.
    public static func checkDestination(_ destination: String) throws(SnapshotWriteError) {
        try refuseExisting(URL(fileURLWithPath: destination).standardizedFileURL)
    }

    private static func refuseExisting(_ target: URL) throws(SnapshotWriteError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) else { return }
        let empty = isDirectory.boolValue && ((try? FileManager.default.contentsOfDirectory(atPath: target.path))?.isEmpty ?? false)
        guard empty else { throw .destinationExists(path: target.path) }
    }

    private static func checkName(_ name: String) throws(SnapshotWriteError) {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else { throw .invalidName(name) }
    }

    /// Builds the directory beside `target`, then renames it into place.
    private static func writeDirectory(manifest: Manifest, files: [String: Data], at target: URL) throws(SnapshotWriteError) {
        let parent = target.deletingLastPathComponent()
        let temporary = parent.appendingPathComponent(".\(target.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: false)
        } catch {
            throw .io(path: temporary.path, reason: error.localizedDescription)
        }
        do throws(SnapshotWriteError) {
            var directories = Set<String>()
            for (file, data) in files.sorted(by: { $0.key < $1.key }) {
                let url = temporary.appendingPathComponent(file)
                let directory = url.deletingLastPathComponent()
                if directories.insert(directory.path).inserted {
                    do {
                        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                    } catch {
                        throw SnapshotWriteError.io(path: directory.path, reason: error.localizedDescription)
                    }
                }
                try writeDurably(data, to: url.path)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let manifestData: Data
            do {
                manifestData = try encoder.encode(manifest) + Data("\n".utf8)
            } catch {
                throw SnapshotWriteError.io(path: "manifest.json", reason: error.localizedDescription)
            }
            try writeDurably(manifestData, to: temporary.appendingPathComponent("manifest.json").path)
            for directory in directories.sorted(by: >) { try syncDirectory(directory) }
            try syncDirectory(temporary.path)
            guard rename(temporary.path, target.path) == 0 else {
                let reason = errno == ENOTEMPTY || errno == EEXIST ? "it appeared while writing" : String(cString: strerror(errno))
                throw SnapshotWriteError.io(path: target.path, reason: reason)
            }
            try syncDirectory(parent.path)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    private static func writeDurably(_ data: Data, to path: String) throws(SnapshotWriteError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let failure: Int32? = data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return fsync(descriptor) == 0 ? nil : errno
        }
        if let failure { throw .io(path: path, reason: String(cString: strerror(failure))) }
    }

    private static func syncDirectory(_ path: String) throws(SnapshotWriteError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    }

    /// `20260511T101500Z-` plus the start of a hash over the files' checksums.
    private static func snapshotID(now: Date, entries: [String: Manifest.FileEntry]) -> String {
        let listing = entries.sorted(by: { $0.key < $1.key }).map { "\($0.key) \($0.value.sha256)\n" }.joined()
        let stamp = timestamp(now).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        return stamp + "-" + SnapshotReader.sha256Hex(Data(listing.utf8)).prefix(8)
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
