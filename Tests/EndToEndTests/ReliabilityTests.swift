import EarshotClient
import EarshotProtocol
import EarshotTime
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Hostile input, floods, reloads under load and crash safety of the real earshotd.
@Suite("Reliability", .serialized)
struct ReliabilityTests {
    @Test("20,000 fuzzed lines on one connection each get one JSON answer; the daemon stays up")
    func fuzz() throws {
        // Fuzzed listens may be valid: give them a private copy of the catalogue.
        let folder = try TemporaryFolder()
        var database: String?
        if Paths.hasRealData {
            try SharedCatalogue.copy(to: folder.path("catalogue.db"))
            database = folder.path("catalogue.db")
        }
        let daemon = try DaemonProcess(catalogue: database)
        let lines = FuzzLines.make(count: 20_000, seed: 20_261_129)
        let client = try daemon.connect()
        // Write from another thread: the daemon stops reading while its answers are unread.
        let writer = Thread { [fd = client.fd] in
            let payload = Array(lines.map { $0 + [0x0A] }.joined())
            var offset = 0
            while offset < payload.count {
                let written = payload.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                if written <= 0 { return }
                offset += written
            }
        }
        writer.start()
        var answered = 0
        var malformed: [String] = []
        while answered < lines.count, let line = try client.readLine() {
            answered += 1
            guard let response = try? parseResponse(line), response["ok"] != nil else {
                malformed.append(String(line.prefix(200)))
                continue
            }
        }
        #expect(answered == lines.count)
        #expect(malformed.isEmpty, "\(malformed.prefix(3))")
        #expect(daemon.process.isRunning)
        #expect(try daemon.request(#"{"op":"ping"}"#).ok)
    }

    @Test("with 500 idle connections open, a new client's ping returns within 1 s")
    func idleConnections() throws {
        let daemon = try DaemonProcess(catalogue: nil)
        var idle: [LineClient] = []
        for _ in 0..<500 { idle.append(try daemon.connect()) }
        #expect(try parseResponse(try idle[499].request(#"{"op":"ping"}"#)).ok)
        let start = Date()
        let pong = try daemon.request(#"{"op":"ping"}"#)
        let elapsed = Date().timeIntervalSince(start)
        #expect(pong.ok)
        #expect(elapsed < 1.0)
        #expect((try daemon.request(#"{"op":"stats"}"#).int("result.connections.open") ?? 0) >= 500)
    }

    @Test("connections past max_connections are answered overloaded and closed")
    func connectionLimit() throws {
        let daemon = try DaemonProcess(catalogue: nil, config: "[server]\nmax_connections = 3\n")
        // Connect until refused. A refused client is answered at once, so read
        // before writing; an admitted one stays silent until asked.
        var admitted: [LineClient] = []
        var refusal: JSONObject?
        var refused: LineClient?
        for _ in 0..<10 {
            let client = try daemon.connect()
            client.setReadTimeout(seconds: 0.5)
            if let line = try? client.readLine() {
                refusal = try parseResponse(line)
                refused = client
                break
            }
            client.setReadTimeout(seconds: 30)
            #expect(try parseResponse(try client.request(#"{"op":"ping"}"#)).ok)
            admitted.append(client)
        }
        #expect(refusal?.errorCode == "overloaded")
        #expect(try refused?.readLine() == nil, "a refused connection is closed")
        #expect((1...3).contains(admitted.count))
        for client in admitted { #expect(try parseResponse(try client.request(#"{"op":"ping"}"#)).ok) }
    }

    @Test("requests that cannot start within request_timeout_ms are answered timeout, the rest normally")
    func requestDeadline() throws {
        let daemon = try DaemonProcess(catalogue: nil, config: "[limits]\nrequest_timeout_ms = 1\n")
        let client = try daemon.connect()
        try client.write((0..<2000).map { #"{"id":\#($0),"op":"stats"}"# + "\n" }.joined())
        var answered = 0
        var codes: [String: Int] = [:]
        while answered < 2000, let line = try client.readLine() {
            let response = try parseResponse(line)
            #expect(response["id"] == .int(answered), "answers stay in order")
            codes[response.ok ? "ok" : response.errorCode ?? "?", default: 0] += 1
            answered += 1
        }
        #expect(answered == 2000)
        #expect((codes["ok"] ?? 0) >= 1, "the first request of a batch always starts in time")
        #expect((codes["timeout"] ?? 0) >= 1, "\(codes)")
        #expect(codes.keys.allSatisfy { $0 == "ok" || $0 == "timeout" }, "\(codes)")
        #expect(try parseResponse(try client.request(#"{"op":"ping"}"#)).ok, "the connection stays usable")
    }

    @Test("an idle connection is closed after the idle timeout")
    func idleTimeout() throws {
        let daemon = try DaemonProcess(catalogue: nil, config: "[server]\nidle_timeout_s = 0.5\n")
        let client = try daemon.connect()
        #expect(try parseResponse(try client.request(#"{"op":"ping"}"#)).ok)
        usleep(1_500_000)
        #expect(try client.readLine() == nil)
    }

    @Test(
        "8 clients sending recommend while 50 SIGHUPs arrive 0.3 s apart: no request fails",
        .enabled(if: Paths.hasRealData, "needs ../shared/data/spotify-tracks/tracks.csv"))
    func reloadUnderLoad() throws {
        let daemon = try DaemonProcess(catalogue: try SharedCatalogue.database.get())
        let socket = daemon.socket
        let stop = LockedFlag()
        let counts = LockedCounter()
        let failures = LockedCounter()
        let group = DispatchGroup()
        for worker in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let client = try? LineClient(path: socket) else { failures.increment(); return }
                client.setReadTimeout(seconds: 30)
                let seeds = ["6JrAEmBFd61eYIGVOSPnT4", "4qPNDBW1i3p13qLCt0Ki3A", "5SuOikwiRyPMVoIQDJUgSV"]
                var round = 0
                while !stop.isSet {
                    let request = #"{"id":\#(round),"op":"recommend","history":["\#(seeds[(worker + round) % 3])"],"k":10}"#
                    round += 1
                    guard let line = try? client.request(request), let response = try? parseResponse(line),
                        response.ok, response.items().count == 10
                    else {
                        failures.increment()
                        return
                    }
                    counts.increment()
                }
            }.start()
        }
        for _ in 0..<50 {
            daemon.signal(SIGHUP)
            usleep(300_000)
        }
        stop.set()
        group.wait()
        #expect(failures.value == 0)
        #expect(counts.value > 100)
        #expect(daemon.process.isRunning)
        let info = try daemon.request(#"{"op":"info"}"#)
        #expect((info.int("result.reloads.ok") ?? 0) >= 1)
        #expect(info.int("result.reloads.failed") == 0)
    }

    @Test("a corrupt snapshot swapped in as current keeps the old one serving and says why in info")
    func corruptSnapshot() throws {
        let folder = try TemporaryFolder()
        let good = folder.path("snapshots/good")
        let bad = folder.path("snapshots/bad")
        for (path, seed) in [(good, "1"), (bad, "2")] {
            let made = try runCLI(["snapshot", "synth", "--items", "2000", "--dims", "16", "--users", "10", "--out", path, "--seed", seed])
            #expect(made.status == 0, "\(made.stderr)")
        }
        // Truncate every tensor of the second snapshot, as a failed copy would.
        let tensors = bad + "/mf"
        for file in try FileManager.default.contentsOfDirectory(atPath: tensors) where file.hasSuffix(".npy") {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: tensors + "/" + file))
            try handle.truncate(atOffset: 100)
            try handle.close()
        }
        let current = folder.path("snapshots/current")
        try FileManager.default.createSymbolicLink(atPath: current, withDestinationPath: good)
        let daemon = try DaemonProcess(catalogue: nil, snapshot: current)
        let before = try daemon.request(#"{"op":"recommend","user":"3","scorer":"mf","k":5}"#)
        #expect(before.items().count == 5, "\(before)")
        let goodID = try daemon.request(#"{"op":"info"}"#).string("result.snapshot.id")

        // Swap the link atomically (rename over it), then SIGHUP.
        let swap = folder.path("snapshots/current.new")
        try FileManager.default.createSymbolicLink(atPath: swap, withDestinationPath: bad)
        #expect(rename(swap, current) == 0)
        daemon.signal(SIGHUP)
        var info = try daemon.request(#"{"op":"info"}"#)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, info.int("result.reloads.failed") != 1 {
            usleep(50_000)
            info = try daemon.request(#"{"op":"info"}"#)
        }
        #expect(info.int("result.reloads.failed") == 1)
        #expect(info.string("result.reloads.last_error")?.contains("mf/") == true, "\(info)")
        #expect(info.string("result.snapshot.id") == goodID)
        let after = try daemon.request(#"{"op":"recommend","user":"3","scorer":"mf","k":5}"#)
        #expect(after.items().map { $0.string("track") } == before.items().map { $0.string("track") })
    }

    @Test(
        "SIGKILL after 2,000 acknowledged listens: every acknowledged listen is in the database after restart",
        .enabled(if: Paths.hasRealData, "needs ../shared/data/spotify-tracks/tracks.csv"))
    func durableListens() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        try SharedCatalogue.copy(to: database)
        var daemon: DaemonProcess? = try DaemonProcess(catalogue: database)
        let client = try daemon!.connect()
        let tracks = ["6JrAEmBFd61eYIGVOSPnT4", "4qPNDBW1i3p13qLCt0Ki3A", "5SuOikwiRyPMVoIQDJUgSV"]
        var acknowledged: [String] = []
        // Pipeline so that events are in flight when the kill lands.
        let total = 2_500
        try client.write((0..<total).map { index in
            let ts = ISO8601Timestamp.format(Date(timeIntervalSince1970: 1_700_000_000 + Double(index)))
            return #"{"id":\#(index),"op":"listen","user":"crash","track":"\#(tracks[index % 3])","ts":"\#(ts)"}"# + "\n"
        }.joined())
        while acknowledged.count < 2_000, let line = try client.readLine() {
            let response = try parseResponse(line)
            #expect(response.ok)
            if response.ok, case .number(let id)? = response["id"] {
                acknowledged.append(ISO8601Timestamp.format(Date(timeIntervalSince1970: 1_700_000_000 + id.value)))
            }
        }
        daemon!.signal(SIGKILL)
        _ = daemon!.waitForExit()
        daemon = nil
        #expect(acknowledged.count == 2_000)

        // Restart on the same database and count what survived, through the daemon's own view.
        let restarted = try DaemonProcess(catalogue: database)
        let stored = try restarted.request(#"{"op":"recommend","user":"crash","k":1}"#)
        #expect(stored.ok, "the user and listens exist after restart")
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print('\\n'.join(r[0] for r in db.execute("select substr(l.ts, 1, 23) || 'Z' from listens l join users u on u.id = l.user_id where u.name = 'crash'")))
            """, database]
        let output = Pipe()
        sqlite.standardOutput = output
        try sqlite.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sqlite.waitUntilExit()
        // Stored with microseconds; the first 23 characters are the millisecond form sent.
        let inDatabase = Set(text.split(separator: "\n").map(String.init))
        let missing = acknowledged.filter { !inDatabase.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) acknowledged listens lost, e.g. \(missing.prefix(3))")
    }
}

/// A flag shared by worker threads.
final class LockedFlag: Sendable {
    private let flag = Mutex(false)

    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}

/// Deterministic hostile request lines: random bytes, ill-typed fields, huge
/// nesting, NaN, duplicate keys, long histories, out-of-range k, and the
/// corpus in Tests/FuzzCorpus.
enum FuzzLines {
    static func make(count: Int, seed: UInt64) -> [[UInt8]] {
        var random = SplitMixGenerator(seed: seed)
        let corpus = (try? String(contentsOf: Paths.packageRoot.appendingPathComponent("Tests/FuzzCorpus/requests.jsonl"), encoding: .utf8))?
            .split(separator: "\n").map { Array($0.utf8) } ?? []
        let ops = ["ping", "info", "stats", "scorers", "search", "recommend", "similar", "score", "listen", "nope"]
        let fields = ["user", "history", "k", "scorer", "exclude", "exclude_heard", "track", "tracks", "strategy", "q", "ts", "filter", "max_per_artist", "id"]
        let values: [String] = [
            "null", "true", "1", "-1", "0", "1001", "1e400", "-1e400", "2.5", "\"x\"", "\"\"", "[]", "{}", "[1,\"a\",null]",
            "\"spotify:track:6JrAEmBFd61eYIGVOSPnT4\"", "[\"6JrAEmBFd61eYIGVOSPnT4\"]", "{\"genres\":[\"pop\"]}", "\"\\ud800\"",
        ]
        var lines: [[UInt8]] = []
        lines.reserveCapacity(count)
        let deep = Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        let deepObject = Array((String(repeating: "{\"a\":", count: 100_000) + "1" + String(repeating: "}", count: 100_000)).utf8)
        let longHistory = Array(
            (#"{"op":"recommend","k":10,"history":["# + (0..<5000).map { _ in "\"6JrAEmBFd61eYIGVOSPnT4\"" }.joined(separator: ",") + "]}").utf8)
        while lines.count < count {
            switch random.next() % 10 {
            case 0:
                // Random bytes, never a newline, never all blank.
                var bytes = (0..<Int(random.next() % 200 + 1)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                bytes = bytes.map { $0 == 0x0A || $0 == 0x0D ? 0x41 : $0 }
                bytes[0] = bytes[0] == 0x20 || bytes[0] == 0x09 ? 0x42 : bytes[0]
                lines.append(bytes)
            case 1:
                lines.append(corpus.isEmpty ? Array("{}".utf8) : corpus[Int(random.next() % UInt64(corpus.count))])
            case 2 where random.next() % 50 == 0:
                // Rare: each is hundreds of kilobytes.
                lines.append([deep, deepObject, longHistory][Int(random.next() % 3)])
            case 3:
                lines.append(Array(#"{"op":"recommend","user":"u","k":NaN}"#.utf8))
            case 4:
                lines.append(Array(#"{"op":"ping","id":1,"id":2}"#.utf8))
            default:
                var object = "{\"op\":\"\(ops[Int(random.next() % UInt64(ops.count))])\""
                for _ in 0..<Int(random.next() % 4) {
                    object += ",\"\(fields[Int(random.next() % UInt64(fields.count))])\":\(values[Int(random.next() % UInt64(values.count))])"
                }
                lines.append(Array((object + "}").utf8))
            }
        }
        return lines
    }
}

struct SplitMixGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
