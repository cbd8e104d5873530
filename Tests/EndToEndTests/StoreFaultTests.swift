import EarshotProtocol
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Faults injected under the real daemon: each gets a clear answer, nothing
/// unacknowledged is reported stored, nothing acknowledged is missing, and
/// the next request succeeds.
@Suite(
    "Faults on the store", .serialized,
    .enabled(if: Paths.hasRealData, "needs ../shared/data/spotify-tracks/tracks.csv"),
    .enabled(if: getuid() == 0, "mounts in a private mount namespace: needs root"))
struct StoreFaultTests {
    static let track = "6JrAEmBFd61eYIGVOSPnT4"

    static func listen(_ user: String) -> String { #"{"op":"listen","user":"\#(user)","track":"\#(track)"}"# }

    /// How many listens of `user` the database at `path` holds.
    static func storedCount(_ path: String, user: String, namespace: Int32? = nil) throws -> Int {
        let rows = try sqliteRows(
            path, "SELECT count(*) FROM listens l JOIN users u ON u.id = l.user_id WHERE u.name = '\(user)'",
            namespace: namespace)
        return Int(rows.first?.first ?? "") ?? -1
    }

    /// Checks that reads still work: from memory and through SQLite.
    static func expectServing(_ daemon: DaemonProcess, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try daemon.request(#"{"op":"ping"}"#).ok, sourceLocation: sourceLocation)
        let similar = try daemon.request(#"{"op":"similar","track":"\#(track)","k":3}"#)
        #expect(similar.items().count == 3, "\(similar)", sourceLocation: sourceLocation)
        let search = try daemon.request(#"{"op":"search","q":"wicked games","k":3}"#)
        #expect(search.ok, "\(search)", sourceLocation: sourceLocation)
    }

    /// A daemon in a private mount namespace whose `store` folder is `mountCommand`'s mount.
    static func namespacedDaemon(
        folder: TemporaryFolder, store: String, mountCommand: String, config: String? = nil
    ) throws -> DaemonProcess {
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        try SharedCatalogue.copy(to: folder.path("source.db"))
        // $1: the store folder, $2: the catalogue to copy in; then the daemon and its arguments.
        let script = "\(mountCommand) && cp \"$2\" \"$1/catalogue.db\" && shift 2 && exec \"$@\""
        return try DaemonProcess(
            catalogue: store + "/catalogue.db", config: config,
            launcher: ["/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script, "sh", store, folder.path("source.db")])
    }

    /// `path` as the daemon's mount namespace sees it.
    static func inside(_ daemon: DaemonProcess, _ path: String) -> String {
        "/proc/\(daemon.process.processIdentifier)/root\(path)"
    }

    @Test("a full disk: listen answers unavailable, every acknowledged listen is on disk, reads go on, space freed means stored again")
    func diskFull() throws {
        let folder = try TemporaryFolder()
        let store = folder.path("store")
        let size = try FileManager.default.attributesOfItem(atPath: try SharedCatalogue.database.get())[.size] as! Int
        let daemon = try Self.namespacedDaemon(
            folder: folder, store: store, mountCommand: "mount -t tmpfs -o size=\(size / 1024 + 2048)k earshot-test \"$1\"")
        #expect(try daemon.request(Self.listen("full")).ok, "room for the first listen")
        // Fill what is left of the tmpfs.
        let filler = Self.inside(daemon, store + "/filler")
        let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
        #expect(fd >= 0)
        let block = [UInt8](repeating: 0, count: 65_536)
        while write(fd, block, block.count) > 0 {}
        while write(fd, block, 512) > 0 {}
        close(fd)

        let client = try daemon.connect()
        var acknowledged = 1
        var refusal: JSONObject?
        for _ in 0..<20_000 {
            let answer = try parseResponse(try client.request(Self.listen("full")))
            guard answer.ok else {
                refusal = answer
                break
            }
            acknowledged += 1
        }
        let refused = try #require(refusal, "the disk never filled")
        #expect(refused.errorCode == "unavailable", "\(refused)")
        #expect(refused.errorMessage?.contains("full") == true, "\(refused)")
        try Self.expectServing(daemon)

        try FileManager.default.removeItem(atPath: filler)
        #expect(try daemon.request(Self.listen("full")).ok, "stored again once there is space")
        // Exactly the acknowledged ones: none lost, none stored that was refused.
        let pid = daemon.process.processIdentifier
        #expect(try Self.storedCount(store + "/catalogue.db", user: "full", namespace: pid) == acknowledged + 1)
    }

    @Test("a read-only mount: listen answers unavailable and stores nothing; writable again means stored again")
    func readOnly() throws {
        let folder = try TemporaryFolder()
        let store = folder.path("store")
        let daemon = try Self.namespacedDaemon(folder: folder, store: store, mountCommand: "mount --bind \"$1\" \"$1\"")
        let pid = daemon.process.processIdentifier
        // Before any write: a mount cannot turn read-only while a file on it is open for writing.
        #expect(try run("/usr/bin/nsenter", ["-t", "\(pid)", "-m", "mount", "-o", "remount,bind,ro", store]) == 0)
        let refused = try daemon.request(Self.listen("ro"))
        #expect(refused.errorCode == "unavailable", "\(refused)")
        #expect(refused.errorMessage?.contains("not stored") == true, "\(refused)")
        #expect(try daemon.request(#"{"op":"similar","track":"\#(Self.track)","k":3}"#).items().count == 3)

        #expect(try run("/usr/bin/nsenter", ["-t", "\(pid)", "-m", "mount", "-o", "remount,bind,rw", store]) == 0)
        #expect(try daemon.request(Self.listen("ro")).ok, "writable again: stored")
        try Self.expectServing(daemon)
        #expect(try Self.storedCount(store + "/catalogue.db", user: "ro", namespace: pid) == 1, "only the acknowledged one")
    }

    @Test("the catalogue file removed under the daemon: listen answers unavailable; a restored file is written again")
    func fileRemoved() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        try SharedCatalogue.copy(to: database)
        let daemon = try DaemonProcess(catalogue: database)
        #expect(try daemon.request(Self.listen("gone")).ok)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        let refused = try daemon.request(Self.listen("gone"))
        #expect(refused.errorCode == "unavailable", "\(refused)")
        #expect(refused.errorMessage?.contains("import it again") == true, "\(refused)")
        #expect(try daemon.request(#"{"op":"similar","track":"\#(Self.track)","k":3}"#).items().count == 3)

        try SharedCatalogue.copy(to: database)
        #expect(try daemon.request(Self.listen("gone")).ok, "the restored file is opened anew")
        #expect(try Self.storedCount(database, user: "gone") == 1)
        try Self.expectServing(daemon)
    }

    @Test("another process holds the write lock: listen answers timeout by the deadline, never overloaded or stored")
    func writeLockHeld() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        try SharedCatalogue.copy(to: database)
        let daemon = try DaemonProcess(catalogue: database, config: "[limits]\nrequest_timeout_ms = 1000\n")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute('BEGIN IMMEDIATE')
            print('locked', flush=True)
            time.sleep(4)
            db.execute('ROLLBACK')
            """, database]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        _ = output.fileHandleForReading.availableData  // "locked"
        let started = ContinuousClock.now
        let refused = try daemon.request(Self.listen("locked"))
        let waited = ContinuousClock.now - started
        #expect(refused.errorCode == "timeout", "\(refused)")
        #expect(waited < .seconds(3), "bounded by the request deadline, waited \(waited)")
        try Self.expectServing(daemon)
        holder.waitUntilExit()
        #expect(try daemon.request(Self.listen("locked")).ok)
        #expect(try Self.storedCount(database, user: "locked") == 1)
    }

    @Test("listens while `earshot import catalogue` writes the same file: each is stored or timeout, and the rows match")
    func importRunning() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        try SharedCatalogue.copy(to: database)
        let daemon = try DaemonProcess(catalogue: database, config: "[limits]\nrequest_timeout_ms = 500\n")
        let importer = Process()
        importer.executableURL = Paths.binaries.appendingPathComponent("earshot")
        importer.arguments = ["import", "catalogue", "--db", database, Paths.tracksCSV.path]
        importer.standardOutput = FileHandle.nullDevice
        importer.standardError = FileHandle.nullDevice
        try importer.run()
        let client = try daemon.connect()
        var stored = 0
        var codes: [String: Int] = [:]
        while importer.isRunning || stored + codes.values.reduce(0, +) < 50 {
            let answer = try parseResponse(try client.request(Self.listen("importing")))
            if answer.ok { stored += 1 } else { codes[answer.errorCode ?? "?", default: 0] += 1 }
            if stored + codes.values.reduce(0, +) >= 5_000 { break }
        }
        importer.waitUntilExit()
        #expect(importer.terminationStatus == 0)
        #expect(Set(codes.keys).isSubset(of: ["timeout"]), "\(codes)")
        #expect(try Self.storedCount(database, user: "importing") == stored)
        try Self.expectServing(daemon)
    }

    @Test("SIGKILL during an import, a reload and a training: the catalogue opens, current stays complete, both re-run cleanly")
    func killedMidway() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        // An import killed half-way leaves no half-imported catalogue behind.
        let importer = try start(["import", "catalogue", "--db", database, Paths.tracksCSV.path])
        usleep(1_500_000)
        kill(importer.processIdentifier, SIGKILL)
        importer.waitUntilExit()
        #expect(importer.terminationReason == .uncaughtSignal, "the import had finished before the SIGKILL")
        let again = try runCLI(["import", "catalogue", "--db", database, Paths.tracksCSV.path])
        #expect(again.status == 0, "\(again.stderr)")

        // A training killed half-way leaves `current` and its snapshot untouched.
        let lastfm = Paths.data.appendingPathComponent("lastfm-2k/split")
        let train = lastfm.appendingPathComponent("train.tsv").path
        let complete = folder.path("snapshots/a")
        try FileManager.default.createDirectory(atPath: folder.path("snapshots"), withIntermediateDirectories: true)
        #expect(try runCLI(["train", "mf", "--interactions", train, "--out", complete, "--factors", "8"]).status == 0)
        try FileManager.default.createSymbolicLink(atPath: folder.path("snapshots/current"), withDestinationPath: "a")
        let trainer = try start(["train", "mf", "--interactions", train, "--out", folder.path("snapshots/b"), "--iterations", "200"])
        usleep(600_000)
        kill(trainer.processIdentifier, SIGKILL)
        trainer.waitUntilExit()
        #expect(trainer.terminationReason == .uncaughtSignal, "the training had finished before the SIGKILL")
        #expect(try runCLI(["snapshot", "info", folder.path("snapshots/current")]).status == 0, "current still verifies")
        if FileManager.default.fileExists(atPath: folder.path("snapshots/b")) {
            #expect(try runCLI(["snapshot", "info", folder.path("snapshots/b")]).status == 0, "b exists only complete")
        } else {
            #expect(try runCLI(["train", "mf", "--interactions", train, "--out", folder.path("snapshots/b"), "--factors", "8"]).status == 0)
        }

        // A daemon killed during a reload (of the 89,741-track catalogue) starts again on the same file.
        var daemon: DaemonProcess? = try DaemonProcess(catalogue: database)
        daemon!.signal(SIGHUP)
        usleep(100_000)
        daemon!.signal(SIGKILL)
        _ = daemon!.waitForExit()
        daemon = nil
        let restarted = try DaemonProcess(catalogue: database)
        let info = try restarted.request(#"{"op":"info"}"#)
        #expect(info.int("result.catalogue.tracks") == 89_741, "\(info)")
        #expect(try restarted.request(Self.listen("after")).ok)
    }

    /// Starts `earshot` with `arguments`, output discarded.
    private func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = Paths.binaries.appendingPathComponent("earshot")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs a program and returns its exit status.
    private func run(_ program: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
