import EarshotProtocol
import Foundation
import Testing

/// `earshot train mf --db`: plays counted from the catalogue's listens, the
/// catalogue's fingerprint in the manifest.
@Suite("mf: training from the catalogue's listens")
struct MatrixFactorizationCatalogueTests {
    static let tracks = (1...6).map { String(repeating: "0", count: 21) + "\($0)" }

    /// A six-track catalogue CSV in the Spotify Tracks Dataset layout.
    static var catalogueCSV: String {
        let header = "track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,"
            + "loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre"
        let rows = tracks.enumerated().map { index, id in
            "\(id),Artist \(index),Album \(index),Song \(index),50,200000,False,0.5,0.5,1,-6,1,0.05,0.3,0,0.1,0.5,120,4,pop"
        }
        return ([header] + rows).joined(separator: "\n") + "\n"
    }

    /// An Extended streaming-history export with one play per entry of `plays`.
    static func history(_ plays: [Int]) -> String {
        let entries = plays.enumerated().map { offset, track in
            """
            {"ts":"2024-01-01T00:\(String(format: "%02d", offset)):00Z","platform":"linux","ms_played":200000,\
            "conn_country":"DE","ip_addr":null,"master_metadata_track_name":"Song \(track)",\
            "master_metadata_album_artist_name":"Artist \(track)","master_metadata_album_album_name":"Album \(track)",\
            "spotify_track_uri":"spotify:track:\(tracks[track])","episode_name":null,"episode_show_name":null,\
            "spotify_episode_uri":null,"audiobook_title":null,"audiobook_uri":null,"audiobook_chapter_uri":null,\
            "audiobook_chapter_title":null,"reason_start":"clickrow","reason_end":"trackdone","shuffle":false,\
            "skipped":false,"offline":false,"offline_timestamp":null,"incognito_mode":false}
            """
        }
        return "[" + entries.joined(separator: ",") + "]"
    }

    @Test("plays per user and track become the training data; the manifest names the catalogue")
    func trainsFromListens() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        try Self.catalogueCSV.write(toFile: folder.path("tracks.csv"), atomically: true, encoding: .utf8)
        let imported = try runCLI(["import", "catalogue", "--db", database, folder.path("tracks.csv")])
        #expect(imported.status == 0, "\(imported.stderr)")
        for (user, plays) in [("ann", [0, 0, 0, 1, 2]), ("bob", [1, 2, 3]), ("cy", [3, 4, 5])] {
            let file = folder.path("Streaming_History_Audio_\(user).json")
            try Self.history(plays).write(toFile: file, atomically: true, encoding: .utf8)
            let result = try runCLI(["import", "history", "--db", database, "--user", user, file])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let snapshot = folder.path("snapshot")
        let trained = try runCLI(["train", "mf", "--db", database, "--out", snapshot, "--factors", "4", "--iterations", "2"])
        #expect(trained.status == 0, "\(trained.stderr)")
        guard case .object(let summary) = try JSONParser.parse(Array((trained.stdout.split(separator: "\n").last ?? "").utf8)) else {
            Issue.record("no JSON summary: \(trained.stdout)")
            return
        }
        #expect(summary.int("users") == 3)
        #expect(summary.int("items") == 6)
        #expect(summary.int("interactions") == 9)
        let manifestText = try String(contentsOfFile: snapshot + "/manifest.json", encoding: .utf8)
        guard case .object(let manifest) = try JSONParser.parse(Array(manifestText.utf8)) else {
            Issue.record("manifest is not an object")
            return
        }
        #expect(manifest.string("catalogue_fingerprint")?.hasPrefix("6-") == true)
        #expect(manifest.int("scorers.mf.training.users") == 3)
    }

    @Test("--db and --interactions together are refused")
    func oneSource() throws {
        let folder = try TemporaryFolder()
        let result = try runCLI([
            "train", "mf", "--db", folder.path("c.db"), "--interactions", folder.path("i.tsv"), "--out", folder.path("s"),
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("exactly one of --interactions TSV and --db DB"))
    }
}
