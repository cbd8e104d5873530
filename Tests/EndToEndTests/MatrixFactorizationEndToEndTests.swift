import EarshotProtocol
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `earshot train mf` and `earshot eval` on the public Last.fm split, then
/// the snapshot served by the real daemon with no catalogue at all.
@Suite(
    "mf: train, evaluate and serve (Last.fm split)", .serialized,
    .enabled(if: LastFM.available, "needs ../shared/data/lastfm-2k/split/{train,test}.tsv"))
struct MatrixFactorizationEndToEndTests {
    let folder: TemporaryFolder
    let snapshot: String

    init() throws {
        folder = try TemporaryFolder()
        snapshot = try LastFM.snapshot.get()
    }

    @Test("eval over 200 test users is far above popularity (ndcg@10 0.079)")
    func evaluates() throws {
        let testPath = try LastFM.testSlice(users: 200, in: folder)
        let result = try runCLI([
            "eval", "--snapshot", snapshot, "--scorer", "mf", "--train", LastFM.train.path, "--test", testPath, "--k", "10",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let last = try #require(result.stdout.split(separator: "\n").last)
        guard case .object(let summary) = try JSONParser.parse(Array(last.utf8)) else {
            Issue.record("not a JSON object: \(last)")
            return
        }
        #expect(summary.int("users") == 200)
        #expect(summary.int("k") == 10)
        #expect(summary.string("scorer") == "mf")
        let ndcg = try #require(summary.number("ndcg@10"))
        #expect(ndcg > 0.2, "ndcg@10 \(ndcg)")
        #expect(try #require(summary.number("hit@10")) > 0.6)
        #expect(try #require(summary.number("recall@10")) > 0.15)
    }

    @Test("the daemon serves the snapshot with no catalogue: known users and folded-in histories")
    func serves() throws {
        let daemon = try DaemonProcess(catalogue: nil, snapshot: snapshot)
        let known = try daemon.request(#"{"op":"recommend","user":"2","scorer":"mf","k":10}"#)
        #expect(known.ok, "\(known)")
        let knownItems = known.items().compactMap { $0.string("track") }
        #expect(knownItems.count == 10)
        let heard = try LastFM.trainingItems(of: "2")
        #expect(!heard.isEmpty)
        #expect(heard.isDisjoint(with: knownItems))

        let history = ["289", "292", "498"]
        let folded = try daemon.request(#"{"op":"recommend","history":["289","292","498"],"scorer":"mf","k":10}"#)
        #expect(folded.ok, "\(folded)")
        let foldedItems = folded.items().compactMap { $0.string("track") }
        #expect(foldedItems.count == 10)
        #expect(Set(history).isDisjoint(with: foldedItems))

        let stranger = try daemon.request(#"{"op":"recommend","user":"no-such-user","scorer":"mf"}"#)
        #expect(stranger.errorCode == "unknown_user")
    }

    @Test("train refuses to overwrite a snapshot, with one line on stderr")
    func refusesExisting() throws {
        let result = try runCLI(["train", "mf", "--interactions", LastFM.train.path, "--out", snapshot, "--iterations", "1"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("already exists"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}

/// The public Last.fm split (see ../shared/data/README.md).
enum LastFM {
    static let split = Paths.data.appendingPathComponent("lastfm-2k/split")
    static let train = split.appendingPathComponent("train.tsv")
    static let test = split.appendingPathComponent("test.tsv")
    static var available: Bool {
        FileManager.default.fileExists(atPath: train.path) && FileManager.default.fileExists(atPath: test.path)
    }

    /// One snapshot trained once per test process by the real `earshot train mf`, shared read-only.
    static let snapshot: Result<String, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-e2e-mf-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("earshot-e2e-mf-\(getpid())")) }
        let path = folder.appendingPathComponent("snapshot").path
        // Few iterations: the tests run debug binaries (the full 15 take a fraction of a second in release).
        let trained = try runCLI(["train", "mf", "--interactions", train.path, "--out", path, "--iterations", "3"])
        guard trained.status == 0 else { throw E2EError("train failed: \(trained.stderr)") }
        return path
    }

    /// The test rows of the first `users` test users, written as a TSV in
    /// `folder`: a slice keeps a debug-build evaluation short.
    static func testSlice(users count: Int, in folder: TemporaryFolder) throws -> String {
        let lines = try String(contentsOf: test, encoding: .utf8).split(separator: "\n")
        var users = Set<Substring>()
        let kept = lines.dropFirst().filter { line in
            let user = line.prefix(while: { $0 != "\t" })
            if users.contains(user) { return true }
            guard users.count < count else { return false }
            users.insert(user)
            return true
        }
        let path = folder.path("test-\(count).tsv")
        try ([String(lines[0])] + kept.map(String.init)).joined(separator: "\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func trainingItems(of user: String) throws -> Set<String> {
        var items = Set<String>()
        for line in try String(contentsOf: train, encoding: .utf8).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t")
            if fields.count == 3, fields[0] == user { items.insert(String(fields[1])) }
        }
        return items
    }
}

extension JSONObject {
    func number(_ path: String) -> Double? {
        if case .number(let number)? = value(path) { number.value } else { nil }
    }
}
