import EarshotProtocol
import Foundation
import Testing

/// `earshot snapshot synth --clusters`, `earshot snapshot index` and the
/// daemon serving the graph (docs/SNAPSHOTS.md, "ANN index").
@Suite("ANN index end to end", .serialized)
struct ANNIndexEndToEndTests {
    static let users = 40

    /// The top-10 track ids of every synthetic user.
    func topLists(_ daemon: DaemonProcess, extra: String = "") throws -> [[String]] {
        try (0..<Self.users).map { user in
            let response = try daemon.request(
                #"{"op":"recommend","scorer":"mf","user":"\#(user)","k":10,"exclude_heard":false\#(extra)}"#)
            return response.items().compactMap { $0.string("track") }
        }
    }

    func fileDigests(_ directory: String) throws -> [String: Data] {
        var digests: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let file = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + file
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                digests[file] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return digests
    }

    @Test("index writes a new snapshot and never touches the old one; exact:true equals the plain scan; the graph finds ≥ 90% of it")
    func indexAndServe() throws {
        let folder = try TemporaryFolder()
        let flat = folder.path("flat")
        let indexed = folder.path("indexed")
        let made = try runCLI([
            "snapshot", "synth", "--items", "3000", "--dims", "16", "--users", "\(Self.users)", "--clusters", "30",
            "--spread", "0.35", "--out", flat,
        ])
        #expect(made.status == 0, "\(made.stderr)")
        let before = try fileDigests(flat)
        let built = try runCLI(["snapshot", "index", flat, "--part", "mf", "--out", indexed, "--m", "8", "--ef-construction", "64"])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(try fileDigests(flat) == before)
        #expect(FileManager.default.fileExists(atPath: indexed + "/mf/hnsw_level0.npy"))
        // An existing destination is refused, the snapshot there left alone.
        let indexedFiles = try fileDigests(indexed)
        let again = try runCLI(["snapshot", "index", flat, "--part", "mf", "--out", indexed])
        #expect(again.status != 0 && again.stderr.contains("already exists"), "\(again.stderr)")
        #expect(try fileDigests(indexed) == indexedFiles)
        let eval = try runCLI(["snapshot", "index-eval", indexed, "--part", "mf", "--ef", "64", "--queries", "\(Self.users)"])
        #expect(eval.status == 0 && eval.stdout.contains(#""recall":"#), "\(eval.stderr)")

        let plain = try DaemonProcess(catalogue: nil, snapshot: flat)
        let exact = try topLists(plain)
        plain.signal(SIGTERM)
        _ = plain.waitForExit()
        #expect(exact.allSatisfy { $0.count == 10 })

        // 3,000 items are below the default threshold: the graph is used only when asked to.
        let config = "[scorers]\nenabled = [\"mf\"]\n\n[scorer.mf]\nann_min_items = 0\nef = 64\n"
        let daemon = try DaemonProcess(catalogue: nil, snapshot: indexed, config: config)
        defer {
            daemon.signal(SIGTERM)
            _ = daemon.waitForExit()
        }
        #expect(try topLists(daemon, extra: #","exact":true"#) == exact)
        let approximate = try topLists(daemon)
        let hits = zip(approximate, exact).map { Set($0).intersection($1).count }.reduce(0, +)
        #expect(Double(hits) / Double(Self.users * 10) >= 0.9, "recall \(Double(hits) / Double(Self.users * 10))")
        // A larger ef per request finds at least as much, and a bad ef is refused with a clear message.
        let wide = try topLists(daemon, extra: #","ef":400"#)
        let wideHits = zip(wide, exact).map { Set($0).intersection($1).count }.reduce(0, +)
        #expect(wideHits >= hits)
        let refused = try daemon.request(#"{"op":"recommend","scorer":"mf","user":"1","ef":0}"#)
        #expect(refused.string("error.code") == "invalid_request")
        let excluded = try daemon.request(
            #"{"op":"recommend","scorer":"mf","user":"3","k":10,"exclude_heard":false,"exclude":["\#(exact[3][0])","\#(exact[3][1])"]}"#)
        let ids = excluded.items().compactMap { $0.string("track") }
        #expect(ids.count == 10 && !ids.contains(exact[3][0]) && !ids.contains(exact[3][1]))
    }
}
