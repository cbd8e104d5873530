import EarshotProtocol
import Foundation
import Testing

/// A listener alone in the real catalogue: `earshot train artists` (Last.fm
/// artists mapped onto the catalogue, plus a blend of content, artists and
/// popular), `earshot eval history`, and the daemon serving the blend.
@Suite(
    "blend and artists for a lone listener (real exports, Last.fm artists)", .serialized,
    .enabled(
        if: Paths.hasRealData && FileManager.default.fileExists(atPath: Paths.data.appendingPathComponent("lastfm-2k/artists.dat").path),
        "needs ../shared/data (tracks.csv, spotify-history, lastfm-2k)"))
struct BlendEndToEndTests {
    /// One catalogue with the Extended history as "ext", trained once for the suite.
    static let trained: Result<(database: String, snapshot: String, report: String), any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-e2e-blend-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = folder.appendingPathComponent("catalogue.db").path
        try SharedCatalogue.copy(to: database)
        let imported = try runCLI(["import", "history", "--db", database, "--user", "ext"] + ListeningHistoryTests.extended)
        guard imported.status == 0 else { throw E2EError("import: \(imported.stderr)") }
        let snapshot = folder.appendingPathComponent("artists").path
        let trained = try runCLI([
            // 16 factors and a pool of 100 keep a debug build's training to seconds; the shipped defaults are measured in docs/blend.md.
            "train", "artists", "--lastfm", Paths.data.appendingPathComponent("lastfm-2k").path, "--db", database, "--out", snapshot,
            "--factors", "16", "--candidates", "100",
        ])
        guard trained.status == 0 else { throw E2EError("train artists: \(trained.stderr)") }
        return (database, snapshot, trained.stdout)
    }

    static func summary(_ stdout: String) throws -> JSONObject {
        let last = try #require(stdout.split(separator: "\n").last)
        guard case .object(let object) = try JSONParser.parse(Array(last.utf8)) else { throw E2EError("not JSON: \(last)") }
        return object
    }

    @Test("train artists matches thousands of Last.fm artists to the catalogue and reports the coverage")
    func matches() throws {
        let summary = try Self.summary(try Self.trained.get().report)
        // 3,944 distinct artists on the shared data (Last.fm names that normalize alike count once).
        #expect(try #require(summary.int("matched_artists")) > 3_900)
        #expect(summary.int("lastfm_artists") == 17_632)
        #expect(try #require(summary.int("matched_pairs")) > 50_000)
        #expect(try #require(summary.int("matched_tracks")) > 25_000)
    }

    @Test("eval history: the blend of content, artists and popular finds more of the later 20% than content alone")
    func beatsContent() throws {
        let (database, snapshot, _) = try Self.trained.get()
        var recall: [String: Double] = [:]
        for scorer in ["content", "blend"] {
            let result = try runCLI([
                "eval", "history", "--db", database, "--snapshot", snapshot, "--user", "ext", "--scorer", scorer, "--k", "100",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let summary = try Self.summary(result.stdout)
            #expect(summary.int("test") == 64, "\(summary)")
            recall[scorer] = summary.number("recall@100")
        }
        let content = try #require(recall["content"])
        let blend = try #require(recall["blend"])
        #expect(content >= 0.047, "content recall@100 \(content)")
        #expect(blend > content, "blend \(blend) vs content \(content)")
    }

    @Test("the daemon serves blend for the imported user with every filter applied")
    func serves() throws {
        let (database, snapshot, _) = try Self.trained.get()
        let daemon = try DaemonProcess(catalogue: database, snapshot: snapshot)
        let plain = try daemon.request(#"{"op":"recommend","user":"ext","scorer":"blend","k":30}"#)
        #expect(plain.ok, "\(plain)")
        #expect(plain.string("result.scorer") == "blend")
        let plainIDs = plain.items().compactMap { $0.string("track") }
        #expect(plainIDs.count == 30)
        let everPlayed = Set(try ListeningHistoryTests.allPlayedTracks())
        #expect(Set(plainIDs).isDisjoint(with: everPlayed))

        let excluded = plainIDs[0]
        let filtered = try daemon.request(
            #"{"op":"recommend","user":"ext","scorer":"blend","k":20,"max_per_artist":1,"exclude":["\#(excluded)"],"#
                + #""filter":{"genres":["pop","dance","rock","indie","hip-hop","r-n-b","edm","alt-rock"],"explicit":false}}"#)
        #expect(filtered.ok, "\(filtered)")
        let items = filtered.items()
        #expect(items.count == 20, "\(filtered)")
        let wanted: Set<String> = ["pop", "dance", "rock", "indie", "hip-hop", "r-n-b", "edm", "alt-rock"]
        var artists = Set<String>()
        for item in items {
            let id = try #require(item.string("track"))
            #expect(id != excluded)
            #expect(!everPlayed.contains(id))
            guard case .array(let genres)? = item.value("genres"), case .array(let credited)? = item.value("artists"),
                case .string(let first)? = credited.first
            else {
                Issue.record("item without genres or artists: \(item)")
                continue
            }
            #expect(genres.contains { if case .string(let g) = $0 { wanted.contains(g) } else { false } }, "\(item)")
            #expect(artists.insert(first).inserted, "two tracks by \(first)")
        }
        let explicitCheck = try daemon.request(
            #"{"op":"score","user":"ext","scorer":"blend","tracks":["\#(items.first?.string("track") ?? excluded)"]}"#)
        #expect(explicitCheck.ok, "\(explicitCheck)")
    }
}
