import EarshotClient
import EarshotProtocol
import Foundation
import Testing

/// Real Spotify exports imported into the real catalogue, served by the content scorer.
@Suite(
    "Listening histories (real exports)", .serialized,
    .enabled(if: Paths.hasRealData, "needs ../shared/data (tracks.csv and spotify-history)"))
struct ListeningHistoryTests {
    static let extended = (try? FileManager.default.contentsOfDirectory(
        atPath: Paths.data.appendingPathComponent("spotify-history/extended").path))?
        .filter { $0.hasSuffix(".json") }.sorted()
        .map { Paths.data.appendingPathComponent("spotify-history/extended/\($0)").path } ?? []

    /// Plays of at least 30 s whose track is in the catalogue, distinct tracks in order of first play.
    static func orderedTracks(known: Set<String>) throws -> [String] {
        var plays: [(ts: String, track: String)] = []
        for file in extended {
            let rows = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [[String: Any]] ?? []
            for row in rows {
                guard let uri = row["spotify_track_uri"] as? String, let ms = row["ms_played"] as? Int, ms >= 30_000,
                    let ts = row["ts"] as? String
                else { continue }
                let track = String(uri.split(separator: ":").last ?? "")
                if known.contains(track) { plays.append((ts, track)) }
            }
        }
        var seen = Set<String>()
        return plays.sorted { $0.ts < $1.ts }.map(\.track).filter { seen.insert($0).inserted }
    }

    @Test("the extended-history user gets 50 unheard tracks, one version per song; the account-data user gets recommendations")
    func importedUsers() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        try SharedCatalogue.copy(to: database)
        let imported = try runCLI(["import", "history", "--db", database, "--user", "ext"] + Self.extended)
        #expect(imported.status == 0, "\(imported.stderr)")
        let account = Paths.data.appendingPathComponent("spotify-history/account-a").path
        let accountFiles = try FileManager.default.contentsOfDirectory(atPath: account).filter { $0.hasSuffix(".json") }
            .map { account + "/" + $0 }
        let importedAccount = try runCLI(["import", "history", "--db", database, "--user", "acc"] + accountFiles)
        #expect(importedAccount.status == 0, "\(importedAccount.stderr)")

        let daemon = try DaemonProcess(catalogue: database)
        let everPlayed = Set(try Self.allPlayedTracks())
        let response = try daemon.request(#"{"op":"recommend","user":"ext","k":50}"#)
        let items = response.items()
        #expect(items.count == 50, "\(response)")
        let ids = items.compactMap { $0.string("track") }
        #expect(Set(ids).isDisjoint(with: everPlayed))
        let songs = items.map { item -> String in
            let artist: String
            if case .array(let artists)? = item.value("artists"), case .string(let first)? = artists.first { artist = first } else { artist = "" }
            return SongIdentity.key(title: item.string("name") ?? "", artist: artist)
        }
        #expect(Set(songs).count == songs.count, "two versions of one song: \(songs)")

        let accountResponse = try daemon.request(#"{"op":"recommend","user":"acc","k":10}"#)
        #expect(accountResponse.items().count == 10, "\(accountResponse)")
        #expect(try daemon.request(#"{"op":"recommend","user":"nobody","k":10}"#).errorCode == "unknown_user")
    }

    @Test("mf and two-tower trained on the catalogue's listens (genres as tags) serve the imported user")
    func modelsFromCatalogue() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        try SharedCatalogue.copy(to: database)
        #expect(try runCLI(["import", "history", "--db", database, "--user", "ext"] + Self.extended).status == 0)
        let account = Paths.data.appendingPathComponent("spotify-history/account-b").path
        let accountFiles = try FileManager.default.contentsOfDirectory(atPath: account).filter { $0.hasSuffix(".json") }
            .map { account + "/" + $0 }
        #expect(try runCLI(["import", "history", "--db", database, "--user", "acc"] + accountFiles).status == 0)
        let mf = try runCLI(["train", "mf", "--db", database, "--out", folder.path("snapshots/mf"), "--iterations", "3"])
        #expect(mf.status == 0, "\(mf.stderr)")
        let twoTower = try runCLI([
            "train", "two-tower", "--db", database, "--into", folder.path("snapshots/mf"), "--out", folder.path("snapshots/both"),
            "--epochs", "2", "--dims", "16",
        ])
        #expect(twoTower.status == 0, "\(twoTower.stderr)")
        #expect(twoTower.stdout.contains(#""tags":"#) && !twoTower.stdout.contains(#""tags":0,"#), "\(twoTower.stdout)")

        let daemon = try DaemonProcess(catalogue: database, snapshot: folder.path("snapshots/both"))
        let played = Set(try Self.allPlayedTracks())
        for scorer in ["mf", "two-tower"] {
            let response = try daemon.request(#"{"op":"recommend","user":"ext","scorer":"\#(scorer)","k":20}"#)
            let ids = response.items().compactMap { $0.string("track") }
            #expect(ids.count == 20, "\(scorer): \(response)")
            #expect(Set(ids).isDisjoint(with: played), "\(scorer) recommends tracks the user played")
            #expect(response.items().allSatisfy { $0.string("name") != nil }, "\(scorer) items carry catalogue metadata")
        }
    }

    @Test("recall@100 on the later 20% of the extended history beats the seed notebook's 0.047")
    func quality() throws {
        let daemon = try DaemonProcess(catalogue: try SharedCatalogue.database.get())
        let known = Set(try Self.catalogueIDs())
        let order = try Self.orderedTracks(known: known)
        let cut = Int(Double(order.count) * 0.8)
        let profile = Array(order[..<cut])
        let test = Set(order[cut...])
        #expect(profile.count == 253)
        let list = profile.map { "\"\($0)\"" }.joined(separator: ",")
        let response = try daemon.request(#"{"op":"recommend","history":[\#(list)],"exclude":[\#(list)],"k":100}"#)
        let found = Set(response.items().compactMap { $0.string("track") })
        let recall = Double(found.intersection(test).count) / Double(test.count)
        #expect(recall >= 0.047, "recall@100 \(recall)")
    }

    static func allPlayedTracks() throws -> [String] {
        var tracks: [String] = []
        for file in extended {
            let rows = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [[String: Any]] ?? []
            tracks += rows.compactMap { ($0["spotify_track_uri"] as? String)?.split(separator: ":").last.map(String.init) }
        }
        return tracks
    }

    /// The first field of every CSV row: track ids (never quoted in this file).
    static func catalogueIDs() throws -> [String] {
        let text = try String(contentsOf: Paths.tracksCSV, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().compactMap { line in line.split(separator: ",", maxSplits: 1).first.map(String.init) }
    }
}

/// The daemon's notion of one song, restated for checking its answers:
/// lower-cased title without "(…)", "[…]" or " - …" decorations, and the primary artist.
enum SongIdentity {
    static func key(title: String, artist: String) -> String {
        var base = ""
        var depth = 0
        for character in title {
            switch character {
            case "(", "[": depth += 1
            case ")", "]": depth = max(0, depth - 1)
            default: if depth == 0 { base.append(character) }
            }
        }
        if let dash = base.range(of: " - ") { base = String(base[..<dash.lowerBound]) }
        let folded = base.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .filter { $0.isLetter || $0.isNumber }
        return folded + "|" + artist.lowercased()
    }
}
