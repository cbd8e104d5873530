import EarshotScoring
import EarshotSnapshot
import Foundation
import Testing

@testable import EarshotTraining

@Suite("Snapshot writer")
struct SnapshotWriterTests {
    func trainedModel() throws -> ALSModel {
        try ALSTrainer(interactions: Fixtures.groupedTable(), configuration: Fixtures.configuration(iterations: 2)).train()
    }

    @Test("an mf snapshot reads back with verified checksums and the same tensors")
    func roundTrip() throws {
        let folder = try Fixtures.TemporaryDirectory()
        let model = try trainedModel()
        let manifest = try SnapshotWriter.write([model.snapshotPart()], to: folder.path("snap"), catalogueFingerprint: nil)
        let snapshot = try SnapshotReader.read(at: folder.path("snap"))
        #expect(snapshot.manifest == manifest)
        #expect(manifest.format == "earshot-snapshot" && manifest.version == 1 && manifest.catalogueFingerprint == nil)
        #expect(manifest.scorers["mf"]?.training == ["users": 60, "items": model.itemIDs.count, "interactions": 480])
        #expect(manifest.scorers["mf"]?.hyperparameters["factors"] == 8)
        #expect(Set(manifest.files.keys) == Set([
            "mf/items.txt", "mf/users.txt", "mf/item_factors.npy", "mf/user_factors.npy", "mf/user_items_indptr.npy",
            "mf/user_items_indices.npy", "mf/user_items_data.npy",
        ]))
        let part = try #require(snapshot.parts["mf"])
        #expect(part.idLists["items"].map(Array.init) == model.itemIDs && part.idLists["users"].map(Array.init) == model.userIDs)
        #expect(part.matrices["item_factors"].map { Array($0.values) } == model.itemFactors)
        #expect(part.matrices["item_factors"]?.columns == 8)
        #expect(part.integers["user_items_indptr"] == model.userItems.offsets.map(Int64.init))
        #expect(part.integers["user_items_indices"] == model.userItems.columns.map(Int64.init))
        // Nothing temporary is left beside the snapshot.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["snap"])
    }

    @Test("a corrupted file fails verification")
    func corruption() throws {
        let folder = try Fixtures.TemporaryDirectory()
        try SnapshotWriter.write([try trainedModel().snapshotPart()], to: folder.path("snap"), catalogueFingerprint: nil)
        let file = folder.path("snap/mf/item_factors.npy")
        var data = try Data(contentsOf: URL(fileURLWithPath: file))
        data[data.count - 1] ^= 0xFF
        try data.write(to: URL(fileURLWithPath: file))
        #expect(throws: SnapshotError.checksumMismatch(file: "mf/item_factors.npy")) { try SnapshotReader.read(at: folder.path("snap")) }
    }

    @Test("an existing destination is refused; the base snapshot is never touched")
    func neverInPlace() throws {
        let folder = try Fixtures.TemporaryDirectory()
        let part = try trainedModel().snapshotPart()
        try SnapshotWriter.write([part], to: folder.path("snap"), catalogueFingerprint: nil)
        #expect(throws: SnapshotWriteError.destinationExists(path: folder.path("snap"))) {
            try SnapshotWriter.write([part], to: folder.path("snap"), catalogueFingerprint: nil)
        }
        // An empty directory (mktemp -d) is fine.
        try FileManager.default.createDirectory(atPath: folder.path("empty"), withIntermediateDirectories: false)
        try SnapshotWriter.write([part], to: folder.path("empty"), catalogueFingerprint: nil)
        #expect(throws: SnapshotWriteError.invalidName("../x")) {
            try SnapshotWriter.write(
                [SnapshotPartContents(name: "mf", part: part.part, files: ["../x": Data()])], to: folder.path("bad"),
                catalogueFingerprint: nil)
        }
    }

    @Test("into: the other parts are copied, the mf part replaced, in a new directory")
    func into() throws {
        let folder = try Fixtures.TemporaryDirectory()
        let other = SnapshotPartContents(
            name: "two-tower", part: Manifest.Part(kind: "two-tower", hyperparameters: ["dims": 2]),
            files: ["items.txt": Data("x\ny\n".utf8), "item_embeddings.npy": NPY.write(.float32(shape: [2, 2], values: [1, 2, 3, 4]))])
        let first = try trainedModel().snapshotPart()
        let base = try SnapshotWriter.write([other, first], to: folder.path("base"), catalogueFingerprint: "catalogue-1")
        var configuration = Fixtures.configuration(iterations: 2)
        configuration.seed = 99
        let replacement = try ALSTrainer(interactions: Fixtures.groupedTable(), configuration: configuration).train().snapshotPart()
        let merged = try SnapshotWriter.write(
            [replacement], to: folder.path("next"), catalogueFingerprint: nil, basedOn: folder.path("base"))
        #expect(merged.catalogueFingerprint == "catalogue-1")
        #expect(merged.scorers["two-tower"] == base.scorers["two-tower"])
        #expect(merged.files["two-tower/item_embeddings.npy"] == base.files["two-tower/item_embeddings.npy"])
        #expect(merged.files["mf/item_factors.npy"] != base.files["mf/item_factors.npy"])
        #expect(merged.scorers["mf"]?.hyperparameters["seed"] == 99)
        let read = try SnapshotReader.read(at: folder.path("next"))
        #expect(read.parts["two-tower"]?.matrices["item_embeddings"].map { Array($0.values) } == [1, 2, 3, 4])
        // The base is as it was.
        #expect(try SnapshotReader.read(at: folder.path("base")).manifest == base)
    }

    @Test("numpy loads every tensor", .enabled(if: pythonHasNumpy(), "needs python3 with numpy"))
    func numpyLoads() throws {
        let folder = try Fixtures.TemporaryDirectory()
        let model = try trainedModel()
        try SnapshotWriter.write([model.snapshotPart()], to: folder.path("snap"), catalogueFingerprint: nil)
        let script = """
            import numpy as np, json
            d = '\(folder.path("snap"))/mf/'
            items = open(d + 'items.txt').read().split('\\n')[:-1]
            users = open(d + 'users.txt').read().split('\\n')[:-1]
            Y = np.load(d + 'item_factors.npy', mmap_mode='r'); X = np.load(d + 'user_factors.npy')
            p = np.load(d + 'user_items_indptr.npy'); i = np.load(d + 'user_items_indices.npy'); c = np.load(d + 'user_items_data.npy')
            assert Y.dtype == np.float32 and Y.shape == (len(items), 8), Y.shape
            assert X.dtype == np.float32 and X.shape == (len(users), 8), X.shape
            assert p.dtype == np.int64 and p.shape == (len(users) + 1,) and p[-1] == len(i) and i.dtype == np.int64
            assert c.dtype == np.float32 and c.shape == i.shape
            print(json.dumps([float(Y[1, 2]), float(X[3, 4]), int(i[5])]))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let values = try JSONDecoder().decode([Double].self, from: data)
        #expect(Float(values[0]) == model.itemFactors[1 * 8 + 2])
        #expect(Float(values[1]) == model.userFactors[3 * 8 + 4])
        #expect(Int32(values[2]) == model.userItems.columns[5])
    }
}

/// True when `python3 -c "import numpy"` works.
func pythonHasNumpy() -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import numpy"]
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}
