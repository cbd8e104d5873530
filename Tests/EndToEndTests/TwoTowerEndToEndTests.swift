import EarshotProtocol
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `earshot train two-tower` (with Last.fm tags, test pairs' tags excluded)
/// and `earshot eval` on the public Last.fm split, then the snapshot served
/// by the real daemon with no catalogue at all.
@Suite(
    "two-tower: train, evaluate and serve (Last.fm split)", .serialized,
    .enabled(if: TwoTowerLastFM.available, "needs ../shared/data/lastfm-2k (split/{train,test}.tsv, user_taggedartists.dat)"))
struct TwoTowerEndToEndTests {
    let folder: TemporaryFolder
    let snapshot: String

    init() throws {
        folder = try TemporaryFolder()
        snapshot = try TwoTowerLastFM.snapshot.get()
    }

    @Test("eval over 300 test users is far above popularity (ndcg@10 0.079)")
    func evaluates() throws {
        let testPath = try LastFM.testSlice(users: 300, in: folder)
        let result = try runCLI([
            "eval", "--snapshot", snapshot, "--scorer", "two-tower", "--train", LastFM.train.path, "--test", testPath,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let last = try #require(result.stdout.split(separator: "\n").last)
        guard case .object(let summary) = try JSONParser.parse(Array(last.utf8)) else {
            Issue.record("not a JSON object: \(last)")
            return
        }
        #expect(summary.string("scorer") == "two-tower")
        #expect(summary.int("users") == 300)
        let ndcg = try #require(summary.number("ndcg@10"))
        #expect(ndcg > 0.13, "ndcg@10 \(ndcg)")
        #expect(try #require(summary.number("hit@10")) > 0.6)
    }

    @Test("the daemon serves a training user and a never-seen listener's history with no catalogue")
    func serves() throws {
        let daemon = try DaemonProcess(catalogue: nil, snapshot: snapshot)
        let known = try daemon.request(#"{"op":"recommend","user":"2","scorer":"two-tower","k":10}"#)
        #expect(known.ok, "\(known)")
        let knownItems = known.items().compactMap { $0.string("track") }
        #expect(knownItems.count == 10)
        let heard = try LastFM.trainingItems(of: "2")
        #expect(!heard.isEmpty)
        #expect(heard.isDisjoint(with: knownItems))

        let history = ["289", "292", "498"]
        let cold = try daemon.request(
            #"{"op":"recommend","user":"never-seen-listener","history":["289","292","498"],"scorer":"two-tower","k":10}"#)
        #expect(cold.ok, "\(cold)")
        let coldItems = cold.items().compactMap { $0.string("track") }
        #expect(coldItems.count == 10)
        #expect(Set(history).isDisjoint(with: coldItems))

        let anonymous = try daemon.request(#"{"op":"recommend","history":["289","292","498"],"scorer":"two-tower","k":10}"#)
        #expect(anonymous.ok, "\(anonymous)")
        #expect(anonymous.items().compactMap { $0.string("track") } == coldItems)

        let stranger = try daemon.request(#"{"op":"recommend","user":"no-such-user","scorer":"two-tower"}"#)
        #expect(stranger.errorCode == "unknown_user")
    }

    @Test("train refuses a bad option with one line on stderr")
    func refusesBadOption() throws {
        let result = try runCLI([
            "train", "two-tower", "--interactions", LastFM.train.path, "--out", folder.path("never"), "--temperature", "0",
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--temperature"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.path("never")))
    }
}

/// The Last.fm tags beside the split, and one two-tower snapshot trained on it.
enum TwoTowerLastFM {
    static let tags = Paths.data.appendingPathComponent("lastfm-2k/user_taggedartists.dat")
    static var available: Bool { LastFM.available && FileManager.default.fileExists(atPath: tags.path) }

    /// Trained once per test process by the real `earshot train two-tower`, shared read-only.
    static let snapshot: Result<String, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-e2e-two-tower-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        atexit {
            try? FileManager.default.removeItem(
                at: FileManager.default.temporaryDirectory.appendingPathComponent("earshot-e2e-two-tower-\(getpid())"))
        }
        let path = folder.appendingPathComponent("snapshot").path
        // A small, short run: the tests run debug binaries, where the defaults
        // (10 epochs, 64 dims, batch 1024; seconds in release) take minutes.
        // This one scores ndcg@10 ≈ 0.17 on the whole test split.
        let trained = try runCLI([
            "train", "two-tower", "--interactions", LastFM.train.path, "--item-tags", tags.path,
            "--exclude-pairs", LastFM.test.path, "--out", path, "--epochs", "2", "--batch-size", "4096",
            "--learning-rate", "0.01", "--dims", "32",
        ])
        guard trained.status == 0 else { throw E2EError("train failed: \(trained.stderr)") }
        return path
    }
}
