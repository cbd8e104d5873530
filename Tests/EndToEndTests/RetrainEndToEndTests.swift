import EarshotClient
import EarshotProtocol
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `earshot retrain`, `snapshot list/gc/rollback` and the Prometheus
/// exposition against a real daemon on a generated catalogue
/// (`earshot demo --prepare-only --mf-only`).
@Suite("retraining end to end", .serialized)
struct RetrainEndToEndTests {
    /// A demo state folder, its config file and a daemon serving it.
    final class Setup {
        let folder: TemporaryFolder
        let config: String
        let daemon: DaemonProcess
        var snapshots: String { folder.path("snapshots") }

        init() throws {
            folder = try TemporaryFolder()
            let prepared = try runCLI(["demo", "--state", folder.url.path, "--prepare-only", "--mf-only", "--tracks", "1000"])
            guard prepared.status == 0 else { throw E2EError("demo --prepare-only failed: \(prepared.stderr)") }
            let socket = folder.path("earshot.sock")
            let text = """
                [server]
                socket = "\(socket)"
                [data]
                catalogue = "\(folder.path("catalogue.db"))"
                snapshot = "\(folder.path("snapshots/current"))"
                [scorers]
                default = "mf"

                """
            config = folder.path("earshot.toml")
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            daemon = try DaemonProcess(
                catalogue: folder.path("catalogue.db"), snapshot: folder.path("snapshots/current"), config: text)
        }

        /// The daemon's own socket (DaemonProcess passes --socket, which wins over the config).
        func configFor(socket: String) throws -> String {
            let text = try String(contentsOfFile: config, encoding: .utf8)
                .replacingOccurrences(of: folder.path("earshot.sock"), with: socket)
            let path = folder.path("earshot-daemon.toml")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func listen(_ user: String, _ track: Int) throws {
            let id = "demo" + String(repeating: "0", count: 18 - String(track).count) + String(track)
            let reply = try daemon.request(#"{"op":"listen","user":"\#(user)","track":"\#(id)","ms_played":200000}"#)
            guard reply.ok else { throw E2EError("listen failed: \(reply)") }
        }

        func servedID() throws -> String? { try daemon.request(#"{"op":"info"}"#).string("result.snapshot.id") }
    }

    static func summary(_ stdout: String) throws -> JSONObject {
        guard let last = stdout.split(separator: "\n").last else { throw E2EError("no output") }
        return try parseResponse(String(last))
    }

    @Test("retrain promotes and reloads, new users get trained vectors, rollback goes back, list marks current")
    func promoteAndRollback() throws {
        let setup = try Setup()
        let config = try setup.configFor(socket: setup.daemon.socket)
        let firstID = try setup.servedID()
        for track in [3, 15, 27, 39, 51, 63] { try setup.listen("newcomer", track) }
        // New plays of known listeners too: the gate compares on plays neither model saw.
        for listener in 0..<10 { for track in [100 + listener, 200 + listener, 300 + listener] { try setup.listen("listener\(listener)", track) } }
        let before = try setup.daemon.request(#"{"op":"recommend","user":"newcomer","scorer":"mf","k":5}"#)
        #expect(before.string("result.user_vector") == "folded_in")

        let run = try runCLI(["retrain", "--config", config])
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try Self.summary(run.stdout)
        #expect(summary.string("outcome") == "promoted", "\(run.stdout)\n\(run.stderr)")
        #expect(summary.string("daemon") == "reloaded")
        let newID = try setup.servedID()
        #expect(newID != nil && newID == summary.string("id") && newID != firstID)
        let after = try setup.daemon.request(#"{"op":"recommend","user":"newcomer","scorer":"mf","k":5}"#)
        #expect(after.string("result.user_vector") == "trained")
        #expect(run.stderr.contains("ndcg@10"))

        let nothing = try runCLI(["retrain", "--config", config])
        #expect(try Self.summary(nothing.stdout).string("outcome") == "unchanged")

        let list = try runCLI(["snapshot", "list", "--config", config])
        #expect(list.status == 0)
        #expect(list.stdout.contains(#""current":true"#) && list.stdout.contains(#""served":true"#))

        let rollback = try runCLI(["snapshot", "rollback", "--config", config])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(try setup.servedID() == firstID)
        #expect(try Self.summary(rollback.stdout).string("daemon") == "reloaded")
    }

    @Test("a second retrain while one holds the lock exits 1 with a clear message")
    func secondRetrain() throws {
        let setup = try Setup()
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--nonblock", setup.folder.path("snapshots/.retrain.lock"), "sleep", "30"]
        try holder.run()
        defer {
            holder.terminate()
            holder.waitUntilExit()
        }
        usleep(300_000)
        let run = try runCLI(["retrain", "--config", setup.config])
        #expect(run.status == 1)
        #expect(run.stderr.contains("another retrain or snapshot change is running"), "\(run.stderr)")
        let gc = try runCLI(["snapshot", "gc", "--keep", "1", "--config", setup.config])
        #expect(gc.status == 1 && gc.stderr.contains("another retrain"))
    }

    @Test("SIGKILL of a retrain at any moment leaves current valid; the next run removes the leftovers")
    func killAtAnyMoment() throws {
        let setup = try Setup()
        let config = try setup.configFor(socket: setup.daemon.socket)
        // How long a full run takes here, to spread the kills over it.
        try setup.listen("killer", 1)
        let started = Date()
        let timed = try runCLI(["retrain", "--config", config])
        let duration = Date().timeIntervalSince(started)
        #expect(timed.status == 0, "\(timed.stderr)")
        var interrupted = 0
        for step in 0..<4 {
            try setup.listen("killer", 10 + step)
            let process = Process()
            process.executableURL = Paths.binaries.appendingPathComponent("earshot")
            process.arguments = ["retrain", "--config", config]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(duration * Double(2 * step + 1) / 9 * 1_000_000))
            if process.isRunning { interrupted += 1 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let info = try runCLI(["snapshot", "info", setup.folder.path("snapshots/current")])
            #expect(info.status == 0, "after a kill at step \(step): \(info.stderr)")
            let served = try setup.daemon.request(#"{"op":"recommend","user":"killer","scorer":"mf","k":3}"#)
            #expect(served.ok)
        }
        #expect(interrupted >= 2, "most kills should land while the retrain runs (run takes \(duration) s)")
        let last = try runCLI(["retrain", "--config", config])
        #expect(last.status == 0, "\(last.stderr)")
        let hidden = try FileManager.default.contentsOfDirectory(atPath: setup.snapshots).filter { $0.contains(".tmp-") }
        #expect(hidden.isEmpty, "leftovers: \(hidden)")
        #expect(try runCLI(["snapshot", "info", setup.folder.path("snapshots/current")]).status == 0)
    }

    @Test("the Prometheus exposition passes promtool, matches stats, and earshot metrics --textfile writes it atomically")
    func prometheus() throws {
        let setup = try Setup()
        let config = try setup.configFor(socket: setup.daemon.socket)
        for _ in 0..<3 { _ = try setup.daemon.request(#"{"op":"ping"}"#) }
        _ = try setup.daemon.request(#"{"op":"recommend","user":"demo","k":3}"#)
        _ = try setup.daemon.request(#"{"op":"nope"}"#)
        try setup.listen("metrics-user", 5)
        let client = try setup.daemon.connect()
        let stats = try parseResponse(try client.request(#"{"op":"stats"}"#))
        let exposition = try parseResponse(try client.request(#"{"op":"stats","format":"prometheus"}"#))
        #expect(exposition.string("result.format") == "prometheus")
        let text = try #require(exposition.string("result.text"))
        func sample(_ key: String) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix(key + " ") }.map { String($0.split(separator: " ")[1]) }
        }
        for op in ["ping", "recommend", "listen", "info"] {
            #expect(sample(#"earshot_requests_total{op="\#(op)"}"#) == stats.int("result.requests.\(op)").map(String.init), "\(op)")
        }
        #expect(sample(#"earshot_requests_total{op="stats"}"#) == "1")
        #expect(sample(#"earshot_request_errors_total{code="unknown_op"}"#) == stats.int("result.errors.unknown_op").map(String.init))
        #expect(sample(#"earshot_request_duration_seconds_count{op="recommend",scorer="mf"}"#) == "1")
        #expect(sample("earshot_listens_stored_total") == "1")
        #expect(sample(#"earshot_scorer_ready{scorer="mf"}"#) == "1")
        #expect(text.contains("# TYPE earshot_request_duration_seconds histogram"))
        let bad = try setup.daemon.request(#"{"op":"stats","format":"xml"}"#)
        #expect(bad.errorCode == "invalid_request")

        // `make test` installs Debian's prometheus package, which ships promtool.
        let promtool = try #require(
            ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "promtool is missing: apt-get install prometheus")
        do {
            let check = Process()
            check.executableURL = URL(fileURLWithPath: promtool)
            check.arguments = ["check", "metrics"]
            let input = Pipe()
            let output = Pipe()
            check.standardInput = input
            check.standardOutput = output
            check.standardError = output
            try check.run()
            input.fileHandleForWriting.write(Data(text.utf8))
            try input.fileHandleForWriting.close()
            let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            check.waitUntilExit()
            #expect(check.terminationStatus == 0 && said.isEmpty, "promtool: \(said)")
        }

        let directory = setup.folder.path("textfile")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let metrics = try runCLI(["metrics", "--config", config, "--textfile", directory])
        #expect(metrics.status == 0, "\(metrics.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["earshot.prom"])
        let written = try String(contentsOfFile: directory + "/earshot.prom", encoding: .utf8)
        #expect(written.contains("earshot_retrain_runs_total{outcome=\"promoted\"} 0"))
    }
}
