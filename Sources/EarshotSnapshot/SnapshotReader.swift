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
    /// Every file's read-only mapping, which the parts' tensors view.
    public let mappedFiles: [ByteRegion]
}

/// Reads snapshot directories.
public enum SnapshotReader {
    /// Reads and verifies the snapshot at `path`: every file is mapped
    /// read-only (tensors and id lists are served from the mapping, never
    /// copied), its size checked and its SHA-256 compared with the manifest,
    /// unless `verified` already hashed that very file (same path, device,
    /// inode, size and times).
    ///
    /// The symlink is resolved once up front, so a concurrent swap of
    /// `current` cannot mix files of two snapshots.
    public static func read(at path: String, verified: VerifiedFiles? = nil) throws(SnapshotError) -> Snapshot {
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
        var contents: [String: ByteRegion] = [:]
        for (file, entry) in manifest.files.sorted(by: { $0.key < $1.key }) {
            guard !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else {
                throw .badManifest(path: manifestURL.path, reason: "file path \(file) leaves the snapshot")
            }
            let filePath = resolved.appendingPathComponent(file).path
            guard let (region, identity) = MappedFile.map(filePath) else { throw .missingFile(file: file) }
            guard region.count == entry.size else { throw .sizeMismatch(file: file, expected: entry.size, found: region.count) }
            let expected = entry.sha256.lowercased()
            if verified?.sha256(of: filePath, identity: identity) != expected {
                guard sha256Hex(region) == expected else { throw .checksumMismatch(file: file) }
                verified?.record(filePath, identity: identity, sha256: expected)
            }
            contents[file] = region
        }
        var parts: [String: SnapshotPart] = [:]
        for (name, part) in manifest.scorers {
            parts[name] = try readPart(name: name, part: part, contents: contents)
        }
        return Snapshot(
            path: path, resolvedPath: resolved.path, manifest: manifest, parts: parts,
            mappedFiles: contents.sorted(by: { $0.key < $1.key }).map(\.value))
    }

    /// Lower-case hex SHA-256 of `data`.
    public static func sha256Hex(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Lower-case hex SHA-256 of a region, hashed in slices whose pages are
    /// released afterwards, so verifying a file does not keep it resident.
    static func sha256Hex(_ region: ByteRegion) -> String {
        var hasher = SHA256()
        let slice = 8 << 20
        for start in stride(from: 0, to: region.count, by: slice) {
            let range = start..<min(region.count, start + slice)
            hasher.update(bufferPointer: UnsafeRawBufferPointer(start: region.base + start, count: range.count))
            region.dropResidentPages(range)
        }
        return hex(hasher.finalize())
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    private static func readPart(
        name: String, part: Manifest.Part, contents: [String: ByteRegion]
    ) throws(SnapshotError) -> SnapshotPart {
        var matrices: [String: Matrix] = [:]
        var integers: [String: [Int64]] = [:]
        var int32Tensors: [String: TensorElements<Int32>] = [:]
        var idLists: [String: IDList] = [:]
        for (file, region) in contents where file.hasPrefix(name + "/") {
            let leaf = String(file.dropFirst(name.count + 1))
            if leaf.hasSuffix(".npy") {
                let stem = String(leaf.dropLast(4))
                let bytes = UnsafeRawBufferPointer(start: region.base, count: region.count)
                let layout = try NPY.layout(bytes, name: file)
                // A data offset that is not a multiple of 4 (never written by
                // NumPy or Earshot) gets an aligned copy.
                let aligned = layout.dataOffset % 8 == 0
                    ? region : ByteRegion(copying: UnsafeRawBufferPointer(rebasing: bytes[layout.dataOffset...]))
                let offset = aligned === region ? layout.dataOffset : 0
                switch layout.descr {
                case "'<f4'":
                    let shape = layout.shape
                    guard shape.count == 2 || shape.count == 1 else {
                        throw .badTensor(file: file, reason: "expected a matrix or vector, found shape \(shape)")
                    }
                    matrices[stem] = Matrix(
                        rows: shape[0], columns: shape.count == 2 ? shape[1] : 1,
                        values: TensorElements(region: aligned, byteOffset: offset, count: layout.count))
                case "'<i4'":
                    int32Tensors[stem] = TensorElements(region: aligned, byteOffset: offset, count: layout.count)
                default:
                    integers[stem] = Array(TensorElements<Int64>(region: aligned, byteOffset: offset, count: layout.count))
                }
            } else if leaf.hasSuffix(".txt") {
                let text = TensorElements<UInt8>(region: region, byteOffset: 0, count: region.count)
                guard text.withUnsafeBufferPointer({ String(validating: $0, as: UTF8.self) != nil }) else {
                    throw .badIDList(file: file, reason: "not UTF-8")
                }
                guard let ids = IDList(lines: text) else { throw .badIDList(file: file, reason: "4 GiB or more") }
                idLists[String(leaf.dropLast(4))] = ids
            }
        }
        return SnapshotPart(
            kind: part.kind, matrices: matrices, integers: integers, int32Tensors: int32Tensors, idLists: idLists,
            parameters: part.hyperparameters)
    }
}
