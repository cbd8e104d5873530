import Crypto
import EarshotScoring
import Foundation

/// A snapshot read from disk and verified: every file's size and SHA-256
/// match the manifest and every tensor parses.
public struct Snapshot: Sendable {
    /// The directory as configured (often a `current` symlink).
    public let path: String
    /// The directory the path resolved to when it was read.
    public let resolvedPath: String
    public let manifest: Manifest
    /// Parts by scorer directory name.
    public let parts: [String: SnapshotPart]
}

/// Reads snapshot directories.
public enum SnapshotReader {
    /// Reads and verifies the snapshot at `path`.
    ///
    /// The symlink is resolved once up front, so a concurrent swap of
    /// `current` cannot mix files of two snapshots.
    public static func read(at path: String) throws(SnapshotError) -> Snapshot {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        let manifestURL = resolved.appendingPathComponent("manifest.json")
        guard let manifestData = try? Data(contentsOf: manifestURL) else {
            throw .missingManifest(path: path)
        }
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: manifestData)
        } catch {
            throw .badManifest(path: manifestURL.path, reason: String(describing: error))
        }
        guard manifest.format == Manifest.formatName else {
            throw .badManifest(path: manifestURL.path, reason: "format is \"\(manifest.format)\", expected \"\(Manifest.formatName)\"")
        }
        guard manifest.version == Manifest.currentVersion else {
            throw .badManifest(path: manifestURL.path, reason: "version \(manifest.version) is not supported (this build reads version \(Manifest.currentVersion))")
        }
        var contents: [String: Data] = [:]
        for (file, entry) in manifest.files.sorted(by: { $0.key < $1.key }) {
            guard !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else {
                throw .badManifest(path: manifestURL.path, reason: "file path \(file) leaves the snapshot")
            }
            guard let data = try? Data(contentsOf: resolved.appendingPathComponent(file), options: .alwaysMapped) else {
                throw .missingFile(file: file)
            }
            guard data.count == entry.size else { throw .sizeMismatch(file: file, expected: entry.size, found: data.count) }
            guard sha256Hex(data) == entry.sha256.lowercased() else { throw .checksumMismatch(file: file) }
            contents[file] = data
        }
        var parts: [String: SnapshotPart] = [:]
        for (name, part) in manifest.scorers {
            parts[name] = try readPart(name: name, part: part, contents: contents)
        }
        return Snapshot(path: path, resolvedPath: resolved.path, manifest: manifest, parts: parts)
    }

    /// Lower-case hex SHA-256 of `data`.
    public static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    private static func readPart(
        name: String, part: Manifest.Part, contents: [String: Data]
    ) throws(SnapshotError) -> SnapshotPart {
        var matrices: [String: Matrix] = [:]
        var integers: [String: [Int64]] = [:]
        var idLists: [String: [String]] = [:]
        for (file, data) in contents where file.hasPrefix(name + "/") {
            let leaf = String(file.dropFirst(name.count + 1))
            if leaf.hasSuffix(".npy") {
                let stem = String(leaf.dropLast(4))
                switch try NPY.read(data, name: file) {
                case .float32(let shape, let values):
                    guard shape.count == 2 || shape.count == 1 else {
                        throw .badTensor(file: file, reason: "expected a matrix or vector, found shape \(shape)")
                    }
                    matrices[stem] = Matrix(rows: shape[0], columns: shape.count == 2 ? shape[1] : 1, values: values)
                case .int64(_, let values):
                    integers[stem] = values
                }
            } else if leaf.hasSuffix(".txt") {
                guard let text = String(data: data, encoding: .utf8) else {
                    throw .badIDList(file: file, reason: "not UTF-8")
                }
                var ids = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                if ids.last == "" { ids.removeLast() }
                idLists[String(leaf.dropLast(4))] = ids
            }
        }
        return SnapshotPart(
            kind: part.kind, matrices: matrices, integers: integers, idLists: idLists,
            parameters: part.hyperparameters)
    }
}
