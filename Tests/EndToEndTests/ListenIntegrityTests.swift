import EarshotClient
import EarshotProtocol
import EarshotTime
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What the daemon acknowledges is stored as sent: never merged, never lost.
@Suite("Listen integrity", .serialized, .enabled(if: Paths.hasRealData, "needs ../shared/data/spotify-tracks/tracks.csv"))
struct ListenIntegrityTests {
    static let track = "6JrAEmBFd61eYIGVOSPnT4"

    /// `count` answers read from `client`, each checked to be a stored listen.
    private func readStored(_ client: LineClient, count: Int) throws -> [JSONObject] {
        var answers: [JSONObject] = []
        while answers.count < count, let line = try client.readLine() {
            answers.append(try parseResponse(line))
        }
        return answers
    }

    @Test("3,000 listens without ts for one user and track, SIGKILL after the 2,000th answer: every acknowledged event is its own row")
    func burstWithoutTimestamps() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        try SharedCatalogue.copy(to: database)
        var daemon: DaemonProcess? = try DaemonProcess(catalogue: database)
        let client = try daemon!.connect()
        // Written at once, far faster than the clock's millisecond.
        try client.write((0..<3_000).map {
            #"{"id":\#($0),"op":"listen","user":"burst","track":"\#(Self.track)","ms_played":\#($0)}"# + "\n"
        }.joined())
        let answers = try readStored(client, count: 2_000)
        daemon!.signal(SIGKILL)
        _ = daemon!.waitForExit()
        daemon = nil
        #expect(answers.count == 2_000)
        #expect(answers.allSatisfy { $0.ok && $0.value("result.duplicate") == .bool(false) }, "\(answers.first { !$0.ok } ?? [:])")
        let acknowledged = answers.compactMap { $0.int("id") }

        let rows = try sqliteRows(
            database,
            "SELECT l.ms_played, l.ts FROM listens l JOIN users u ON u.id = l.user_id WHERE u.name = 'burst' ORDER BY l.ts")
        let played = rows.map { Int($0[0]) ?? -1 }
        #expect(Set(acknowledged).isSubset(of: Set(played)), "every acknowledged event is on disk")
        #expect(Set(played).count == played.count, "no event stored twice")
        #expect(Set(rows.map { $0[1] }).count == rows.count, "every row has its own time")
        #expect(played == played.sorted(), "stamps follow the order of arrival")
        // The daemon serves the same rows after restart.
        let restarted = try DaemonProcess(catalogue: database)
        #expect(try restarted.request(#"{"op":"recommend","user":"burst","k":1}"#).ok)
    }

    @Test("3,000 listens with client ts sent twice store 3,000 rows; the repeats are answered duplicate")
    func clientTimestampsAreIdentity() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        try SharedCatalogue.copy(to: database)
        let daemon = try DaemonProcess(catalogue: database)
        let client = try daemon.connect()
        let lines = (0..<3_000).map { index in
            // Each with its own ms_played: only ts decides identity.
            let ts = ISO8601Timestamp.format(Date(timeIntervalSince1970: 1_700_000_000 + Double(index)))
            return #"{"op":"listen","user":"retry","track":"\#(Self.track)","ts":"\#(ts)","ms_played":\#(index)}"# + "\n"
        }.joined()
        try client.write(lines)
        let first = try readStored(client, count: 3_000)
        try client.write(lines)
        let second = try readStored(client, count: 3_000)
        #expect(first.filter { $0.value("result.duplicate") == .bool(false) }.count == 3_000)
        #expect(second.filter { $0.value("result.duplicate") == .bool(true) }.count == 3_000)
        let count = try sqliteRows(
            database, "SELECT count(*) FROM listens l JOIN users u ON u.id = l.user_id WHERE u.name = 'retry'")
        #expect(count == [["3000"]])
    }

    @Test("events: one transaction for a batch, all stored or none, one answer with counts")
    func batchedEvents() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        try SharedCatalogue.copy(to: database)
        let daemon = try DaemonProcess(catalogue: database)
        let batch = (0..<500).map { #"{"track":"\#(Self.track)","ms_played":\#($0),"event_id":"e\#($0)"}"# }
        let bad = batch.prefix(10) + [#"{"track":"0000000000000000000000"}"#]
        let refused = try daemon.request(#"{"op":"listen","user":"batch","events":[\#(bad.joined(separator: ","))]}"#)
        #expect(refused.errorCode == "unknown_track")
        #expect(refused.errorMessage?.hasPrefix("events[10].track:") == true, "\(refused)")
        let users = try sqliteRows(database, "SELECT count(*) FROM users WHERE name = 'batch'")
        #expect(users == [["0"]], "nothing of a refused batch is stored")

        let stored = try daemon.request(#"{"op":"listen","user":"batch","events":[\#(batch.joined(separator: ","))]}"#)
        #expect(stored.ok && stored.int("result.events") == 500 && stored.int("result.duplicates") == 0, "\(stored)")
        let again = try daemon.request(#"{"op":"listen","user":"batch","events":[\#(batch.joined(separator: ","))]}"#)
        #expect(again.int("result.duplicates") == 500, "the same event ids again: \(again)")
        let count = try sqliteRows(database, "SELECT count(*) FROM listens l JOIN users u ON u.id = l.user_id WHERE u.name = 'batch'")
        #expect(count == [["500"]])
        let heard = try daemon.request(#"{"op":"similar","track":"\#(Self.track)","k":5}"#)
        #expect(heard.ok, "the daemon keeps serving: \(heard)")
    }

    @Test(
        "forget: only root or the daemon's uid; deletes the rows; a trained user is unknown at once and after restart",
        .enabled(if: getuid() == 0, "needs root to act as another user"))
    func forget() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        try SharedCatalogue.copy(to: database)
        // Users "0".."9" with interactions on catalogue tracks, and an mf model trained on them.
        let tracks = try sqliteRows(database, "SELECT id FROM tracks ORDER BY id LIMIT 300").map { $0[0] }
        var tsv = "user\titem\tweight\n"
        for user in 0..<10 {
            for offset in 0..<30 { tsv += "\(user)\t\(tracks[(user * 17 + offset * 7) % tracks.count])\t\(1 + offset % 4)\n" }
        }
        try tsv.write(toFile: folder.path("interactions.tsv"), atomically: true, encoding: .utf8)
        #expect(try runCLI(["import", "interactions", "--db", database, folder.path("interactions.tsv")]).status == 0)
        let snapshot = folder.path("snapshot")
        let made = try runCLI(["train", "mf", "--db", database, "--out", snapshot, "--factors", "8"])
        #expect(made.status == 0, "\(made.stderr)")
        var daemon: DaemonProcess? = try DaemonProcess(
            catalogue: database, snapshot: snapshot, config: "[server]\nsocket_mode = \"0666\"\n")
        chmod(daemon!.folder.url.path, 0o755)
        let listened = try daemon!.request(#"{"op":"listen","user":"3","track":"\#(Self.track)"}"#)
        #expect(listened.ok)
        #expect(try daemon!.request(#"{"op":"recommend","user":"3","scorer":"mf","k":3}"#).ok)

        let stranger = try requestAsNobody(daemon!.socket, #"{"op":"forget","user":"3"}"#)
        #expect(stranger.errorCode == "forbidden", "\(stranger)")
        #expect(try sqliteRows(database, "SELECT count(*) FROM users WHERE name = '3'") == [["1"]])

        let forgotten = try daemon!.request(#"{"op":"forget","user":"3"}"#)
        #expect(forgotten.ok && forgotten.int("result.listens") == 1 && forgotten.int("result.interactions") == 30, "\(forgotten)")
        #expect(try sqliteRows(database, "SELECT count(*) FROM users WHERE name = '3'") == [["0"]])
        for scorer in ["mf", "content"] {
            let after = try daemon!.request(#"{"op":"recommend","user":"3","scorer":"\#(scorer)","k":3}"#)
            #expect(after.errorCode == "unknown_user", "\(scorer): \(after)")
        }
        #expect(try daemon!.request(#"{"op":"recommend","user":"4","scorer":"mf","k":3}"#).ok, "other users unaffected")
        daemon = nil
        let restarted = try DaemonProcess(catalogue: database, snapshot: snapshot)
        let later = try restarted.request(#"{"op":"recommend","user":"3","scorer":"mf","k":3}"#)
        #expect(later.errorCode == "unknown_user", "the old model's vector stays unused after restart: \(later)")
        // Listening again makes a new user with only the new listens.
        #expect(try restarted.request(#"{"op":"listen","user":"3","track":"\#(Self.track)"}"#).ok)
        #expect(try restarted.request(#"{"op":"recommend","user":"3","scorer":"content","k":3}"#).ok)
    }

    @Test("earshot forget --db deletes a user's listens and interactions")
    func forgetCommand() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        try SharedCatalogue.copy(to: database)
        let tsv = folder.path("interactions.tsv")
        try "user\titem\tweight\nana\t\(Self.track)\t3\nbo\t\(Self.track)\t1\n".write(toFile: tsv, atomically: true, encoding: .utf8)
        #expect(try runCLI(["import", "interactions", "--db", database, tsv]).status == 0)
        let result = try runCLI(["forget", "--db", database, "--user", "ana"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#""interactions":1"#), "\(result.stdout)")
        #expect(try sqliteRows(database, "SELECT count(*) FROM interactions") == [["1"]])
        #expect(try sqliteRows(database, "SELECT name FROM forgotten_users") == [["ana"]])
    }
}

/// Sends one request as uid/gid 65534 (through setpriv and socat) and parses the answer.
func requestAsNobody(_ socket: String, _ json: String) throws -> JSONObject {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "socat", "-t", "5", "-", "UNIX-CONNECT:\(socket)"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(json.utf8 + [0x0A]))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return try parseResponse(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
}
