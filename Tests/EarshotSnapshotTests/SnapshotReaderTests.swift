import EarshotScoring
import Foundation
import Testing

@testable import EarshotSnapshot

@Suite("NPY files")
struct NPYTests {
    @Test("float32 and int64 tensors round-trip with 64-byte aligned data")
    func roundTrip() throws {
        let matrix = NPY.Tensor.float32(shape: [2, 3], values: [1, 2, 3, 4, 5, -6.5])
        let data = NPY.write(matrix)
        #expect((data.count - 24) % 64 == 0)
        #expect(try NPY.read(data, name: "m.npy") == matrix)
        let vector = NPY.Tensor.int64(shape: [4], values: [0, 1, -1, Int64.max])
        #expect(try NPY.read(NPY.write(vector), name: "v.npy") == vector)
    }

    @Test("reads what numpy writes", .enabled(if: pythonHasNumpy(), "needs python3 with numpy"))
    func numpyCompatibility() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = directory.appendingPathComponent("ours.npy")
        try NPY.write(.float32(shape: [2, 2], values: [1, 2, 3, 4])).write(to: written)
        let script = """
            import numpy as np
            a = np.load('\(written.path)')
            assert a.dtype == np.float32 and a.shape == (2, 2) and a.tolist() == [[1, 2], [3, 4]], a
            np.save('\(directory.path)/theirs.npy', np.arange(6, dtype=np.float32).reshape(3, 2))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let theirs = try NPY.read(Data(contentsOf: directory.appendingPathComponent("theirs.npy")), name: "theirs.npy")
        #expect(theirs == .float32(shape: [3, 2], values: [0, 1, 2, 3, 4, 5]))
    }

    @Test("truncated or foreign files are refused with a reason")
    func refuses() {
        let data = NPY.write(.float32(shape: [10, 4], values: [Float](repeating: 1, count: 40)))
        #expect(throws: SnapshotError.self) { try NPY.read(data.prefix(100), name: "t.npy") }
        #expect(throws: SnapshotError.self) { try NPY.read(Data("hello".utf8), name: "t.npy") }
        var fortran = data
        fortran.replaceSubrange(10..<60, with: Data("{'descr': '<f4', 'fortran_order': True, 'shape': (10".utf8))
        #expect(throws: SnapshotError.self) { try NPY.read(fortran, name: "t.npy") }
    }
}

@Suite("Snapshot reader")
struct SnapshotReaderTests {
    /// Writes a one-part snapshot by hand and returns its directory.
    func makeSnapshot(in root: URL, corrupt: ((URL) throws -> Void)? = nil) throws -> URL {
        let directory = root.appendingPathComponent("snap")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("mf"), withIntermediateDirectories: true)
        let files: [String: Data] = [
            "mf/items.txt": Data("a\nb\nc\n".utf8),
            "mf/item_factors.npy": NPY.write(.float32(shape: [3, 2], values: [1, 0, 0, 1, 1, 1])),
            "mf/user_items_indptr.npy": NPY.write(.int64(shape: [2], values: [0, 1])),
        ]
        var entries: [String: Manifest.FileEntry] = [:]
        for (name, data) in files {
            try data.write(to: directory.appendingPathComponent(name))
            entries[name] = Manifest.FileEntry(size: data.count, sha256: SnapshotReader.sha256Hex(data))
        }
        let manifest = Manifest(
            id: "test-1", createdAt: "2026-01-01T00:00:00Z", catalogueFingerprint: nil,
            scorers: ["mf": Manifest.Part(kind: "mf", hyperparameters: ["factors": 2])], files: entries)
        try JSONEncoder().encode(manifest).write(to: directory.appendingPathComponent("manifest.json"))
        try corrupt?(directory)
        return directory
    }

    func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("snapshot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        return try body(root)
    }

    @Test("reads parts through a symlink")
    func reads() throws {
        try withTemporaryDirectory { root in
            let directory = try makeSnapshot(in: root)
            let link = root.appendingPathComponent("current")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: directory)
            let snapshot = try SnapshotReader.read(at: link.path)
            #expect(snapshot.manifest.id == "test-1")
            #expect(snapshot.resolvedPath == directory.resolvingSymlinksInPath().path)
            let part = try #require(snapshot.parts["mf"])
            #expect(part.idLists["items"] == ["a", "b", "c"])
            #expect(part.matrices["item_factors"]?.rows == 3)
            #expect(part.matrices["item_factors"]?.columns == 2)
            #expect(part.integers["user_items_indptr"] == [0, 1])
            #expect(part.parameters["factors"] == 2)
        }
    }

    @Test("tensors are served from the mapped file: the same values as parsing a copy, the matrix inside the mapping")
    func mapped() throws {
        try withTemporaryDirectory { root in
            let directory = try makeSnapshot(in: root)
            let snapshot = try SnapshotReader.read(at: directory.path)
            let matrix = try #require(snapshot.parts["mf"]?.matrices["item_factors"])
            let copy = try NPY.read(Data(contentsOf: directory.appendingPathComponent("mf/item_factors.npy")), name: "x")
            #expect(copy == .float32(shape: [3, 2], values: Array(matrix.values)))
            let region = matrix.values.region
            #expect(snapshot.mappedFiles.contains { $0 === region })
            let start = UnsafeRawPointer(matrix.values.baseAddress)
            #expect(start >= region.base && start + 24 <= region.base + region.count)
        }
    }

    @Test("an unchanged file is not hashed again, a file changed in place is")
    func verifiedFiles() throws {
        try withTemporaryDirectory { root in
            let directory = try makeSnapshot(in: root)
            let verified = VerifiedFiles()
            _ = try SnapshotReader.read(at: directory.path, verified: verified)
            _ = try SnapshotReader.read(at: directory.path, verified: verified)
            // Same size, other bytes, a later modification time: caught.
            let items = directory.appendingPathComponent("mf/items.txt")
            usleep(20_000)
            try Data("a\nb\nd\n".utf8).write(to: items)
            #expect(throws: SnapshotError.checksumMismatch(file: "mf/items.txt")) {
                try SnapshotReader.read(at: directory.path, verified: verified)
            }
        }
    }

    @Test("a missing manifest, a truncated tensor, a changed file and a missing file are refused")
    func corruptions() throws {
        try withTemporaryDirectory { root in
            let missing = try makeSnapshot(in: root) { try FileManager.default.removeItem(at: $0.appendingPathComponent("manifest.json")) }
            #expect(throws: SnapshotError.missingManifest(path: missing.path)) { try SnapshotReader.read(at: missing.path) }
        }
        try withTemporaryDirectory { root in
            let truncated = try makeSnapshot(in: root) { directory in
                let file = directory.appendingPathComponent("mf/item_factors.npy")
                try Data(contentsOf: file).prefix(70).write(to: file)
            }
            #expect(throws: SnapshotError.sizeMismatch(file: "mf/item_factors.npy", expected: 152, found: 70)) {
                try SnapshotReader.read(at: truncated.path)
            }
        }
        try withTemporaryDirectory { root in
            let changed = try makeSnapshot(in: root) { directory in
                try Data("a\nb\nX\n".utf8).write(to: directory.appendingPathComponent("mf/items.txt"))
            }
            #expect(throws: SnapshotError.checksumMismatch(file: "mf/items.txt")) { try SnapshotReader.read(at: changed.path) }
        }
        try withTemporaryDirectory { root in
            let gone = try makeSnapshot(in: root) { try FileManager.default.removeItem(at: $0.appendingPathComponent("mf/items.txt")) }
            #expect(throws: SnapshotError.missingFile(file: "mf/items.txt")) { try SnapshotReader.read(at: gone.path) }
        }
    }
}

func pythonHasNumpy() -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import numpy"]
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}
