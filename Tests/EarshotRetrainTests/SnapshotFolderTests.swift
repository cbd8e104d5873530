import EarshotSnapshot
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("snapshot folder lifecycle")
struct SnapshotFolderTests {
    /// A folder with two tiny snapshots `a` (older) and `b`, `current` → `a`.
    static func makeFolder() throws -> (SnapshotFolder, URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (name, seconds) in [("a", 0.0), ("b", 60.0)] {
            let part = SnapshotPartContents(name: "mf", part: Manifest.Part(kind: "mf"), files: ["items.txt": Data("x\n".utf8)])
            try SnapshotWriter.write([part], to: root.appendingPathComponent(name).path, catalogueFingerprint: nil,
                now: Date(timeIntervalSince1970: 1_800_000_000 + seconds))
        }
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("current").path, withDestinationPath: "a")
        return (SnapshotFolder(snapshotPath: root.appendingPathComponent("current").path), root)
    }

    @Test("entries are the snapshot directories oldest first; the link and hidden entries are not")
    func entries() throws {
        let (folder, root) = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".hidden.tmp-1-x"), withIntermediateDirectories: true)
        #expect(folder.entries().map(\.name) == ["a", "b"])
        #expect(folder.currentName() == "a")
    }

    @Test("swapCurrent replaces the link in one rename and leaves no temporary entry")
    func swap() throws {
        let (folder, root) = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try folder.swapCurrent(to: "b")
        #expect(folder.currentName() == "b")
        #expect(try SnapshotReader.read(at: folder.linkPath).manifest.createdAt.hasPrefix("2027-01-15T08:01"))
        let hidden = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty)
    }

    @Test("leftovers of dead writers are removed, those of live processes kept")
    func leftovers() throws {
        let (folder, root) = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        // A pid far above the default pid_max is never alive.
        let dead = ".candidate-x.tmp-4194000-abcd1234"
        let live = ".b.tmp-\(getppid())-abcd1234"
        for name in [dead, live] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        #expect(folder.removeLeftovers() == [dead])
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(live).path))
        #expect(folder.entries().map(\.name) == ["a", "b"])
    }

    @Test("newName is dated and never reuses a name")
    func names() throws {
        let (folder, root) = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let first = folder.newName(at: date)
        #expect(first == "20270115T080000Z")
        try FileManager.default.createDirectory(at: root.appendingPathComponent(first), withIntermediateDirectories: true)
        #expect(folder.newName(at: date) == "20270115T080000Z-2")
    }

    @Test("a second lock on the folder is refused with a message naming the holder")
    func lock() throws {
        let (folder, root) = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        var first: SnapshotFolderLock? = try SnapshotFolderLock(folder: folder, purpose: "first")
        #expect(first != nil)
        do {
            _ = try SnapshotFolderLock(folder: folder, purpose: "second")
            Issue.record("the second lock was taken")
        } catch {
            #expect(error.description.contains("another retrain"))
            #expect(error.description.contains("pid \(getpid()): first"))
        }
        first = nil
        #expect(throws: Never.self) { _ = try SnapshotFolderLock(folder: folder, purpose: "third") }
    }

    @Test("the previous promotion skips the current and deleted snapshots")
    func history() throws {
        let (folder, root) = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let history = PromotionHistory(folder: folder)
        for name in ["gone", "a", "b"] { try history.append(.init(snapshot: name, id: name, at: "t", by: "retrain")) }
        let exists = { (name: String) in FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path) }
        #expect(history.previous(before: "b", exists: exists)?.snapshot == "a")
        #expect(history.previous(before: "a", exists: exists)?.snapshot == "b")
        #expect(history.previous(before: "a", exists: { $0 == "a" }) == nil)
    }

    @Test("the retrain record round-trips and a missing one is empty")
    func record() throws {
        let (folder, root) = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(RetrainRecord.read(at: folder.retrainRecordPath) == RetrainRecord())
        var record = RetrainRecord()
        record.runs = ["promoted": 2, "kept": 1]
        record.lastOutcome = "kept"
        record.lastDataDigest = "abc"
        try record.write(to: folder.retrainRecordPath)
        #expect(RetrainRecord.read(at: folder.retrainRecordPath) == record)
    }
}
