import Foundation
import Testing

@testable import EarshotCatalogue

@Suite("Streaming history import")
struct StreamingHistoryImporterTests {
    /// Catalogue tracks for matching: accents, a collaboration, two versions
    /// of one song, and one song under two artists.
    let catalogue = [
        tracksHeader,
        plainRow(id: "halo", artists: "Beyoncé", name: "Halo", popularity: 80),
        plainRow(id: "hoppi", artists: "Sigur Rós;Jónsi", name: "Hoppípolla", popularity: 60),
        plainRow(id: "yesterday-remaster", artists: "The Beatles", name: "Yesterday - Remastered 2009", popularity: 70),
        plainRow(id: "yesterday", artists: "The Beatles", name: "Yesterday", popularity: 50),
        plainRow(id: "milk-collab", artists: "Prince Fatty;Hollie Cook", name: "Milk and Honey", popularity: 40),
        plainRow(id: "milk-solo", artists: "Hollie Cook", name: "Milk and Honey", popularity: 10),
        plainRow(id: "acdc", artists: "AC/DC", name: "Back In Black", popularity: 75),
    ]

    /// One Extended play; `fields` are JSON members that replace or add to the defaults.
    func extendedPlay(_ fields: [String: String]) -> String {
        var play: [String: String] = [
            "ts": "\"2024-01-01T10:00:00Z\"", "platform": "\"android\"", "ms_played": "200000",
            "conn_country": "\"NL\"", "ip_addr": "null",
            "master_metadata_track_name": "\"Halo\"", "master_metadata_album_artist_name": "\"Beyoncé\"",
            "master_metadata_album_album_name": "\"I Am... Sasha Fierce\"",
            "spotify_track_uri": "\"spotify:track:halo\"",
            "episode_name": "null", "episode_show_name": "null", "spotify_episode_uri": "null",
            "audiobook_title": "null", "audiobook_uri": "null", "audiobook_chapter_uri": "null",
            "audiobook_chapter_title": "null", "reason_start": "\"clickrow\"", "reason_end": "\"trackdone\"",
            "shuffle": "false", "skipped": "false", "offline": "false", "offline_timestamp": "null",
            "incognito_mode": "false",
        ]
        play.merge(fields) { $1 }
        return "{" + play.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }

    func accountPlay(_ endTime: String, _ artist: String, _ track: String, _ ms: Int) -> String {
        #"{"endTime": "\#(endTime)", "artistName": "\#(artist)", "trackName": "\#(track)", "msPlayed": \#(ms)}"#
    }

    /// Runs `body` with a store holding `catalogue` and the temporary directory.
    func withCatalogue<T>(_ body: (CatalogueStore, URL) throws -> T) throws -> T {
        try withTemporaryStore { store, directory in
            _ = try importCSV(try writeCSV(catalogue, in: directory), into: store)
            return try body(store, directory)
        }
    }

    // MARK: Extended

    var extendedFixture: String {
        "[\n" + [
            extendedPlay([:]),  // 1: Halo, played to the end
            extendedPlay([  // 2: Hoppípolla, skipped with the forward button though the flag says false
                "ts": "\"2024-01-01T10:05:00Z\"", "spotify_track_uri": "\"spotify:track:hoppi\"",
                "master_metadata_track_name": "\"Hoppípolla\"", "master_metadata_album_artist_name": "\"Sigur Rós\"",
                "reason_end": "\"fwdbtn\"", "ms_played": "3000",
            ]),
            extendedPlay([  // 3: a podcast episode
                "spotify_track_uri": "null", "master_metadata_track_name": "null",
                "master_metadata_album_artist_name": "null", "master_metadata_album_album_name": "null",
                "episode_name": "\"Episode 1\"", "episode_show_name": "\"A Show\"",
                "spotify_episode_uri": "\"spotify:episode:abc\"",
            ]),
            extendedPlay([  // 4: an audiobook chapter
                "spotify_track_uri": "null", "master_metadata_track_name": "null",
                "master_metadata_album_artist_name": "null", "master_metadata_album_album_name": "null",
                "audiobook_title": "\"A Book\"", "audiobook_chapter_title": "\"Chapter 1\"",
            ]),
            extendedPlay([  // 5, 6: a track the catalogue lacks, twice
                "spotify_track_uri": "\"spotify:track:nowhere\"", "master_metadata_track_name": "\"Unknown Song\"",
                "master_metadata_album_artist_name": "\"Nobody\"",
            ]),
            extendedPlay([
                "ts": "\"2024-01-02T10:00:00Z\"", "spotify_track_uri": "\"spotify:track:nowhere\"",
                "master_metadata_track_name": "\"Unknown Song\"", "master_metadata_album_artist_name": "\"Nobody\"",
            ]),
            extendedPlay(["ts": "\"yesterday\""]),  // 7: unreadable
            extendedPlay([  // 8: ended by logging out, flag unknown
                "ts": "\"2024-01-03T08:00:00Z\"", "skipped": "null", "reason_end": "\"logout\"",
            ]),
            extendedPlay(["ms_played": "1500", "reason_end": "\"endplay\"", "skipped": "true"]),  // 9: a repeat of 1
        ].joined(separator: ",\n") + "\n]\n"
    }

    @Test func importsExtendedHistory() throws {
        try withCatalogue { store, directory in
            let path = try writeFile(extendedFixture, named: "my-export.json", in: directory)
            let summary = try StreamingHistoryImporter(store: store).importFile(atPath: path, user: "ana")
            #expect(summary.format == .extended)
            #expect(summary.rows == 9)
            #expect(summary.matched == 4 && summary.imported == 3 && summary.duplicates == 1)
            #expect(summary.unmatched == 2)
            #expect(summary.skipped == 3 && summary.nonMusic == 2)
            #expect(summary.problems == [
                HistoryImportProblem(play: 7, reason: "ts: not an ISO 8601 time with a zone: \"yesterday\"")
            ])
            #expect(summary.unmatchedTracks == [
                UnmatchedTrack(name: .init(artist: "Nobody", title: "Unknown Song"), plays: 2)
            ])

            #expect(try store.allListens() == [
                // The repeat (play 9) ended at the same second: one listen, play times added,
                // not skipped since play 1 was not.
                StoredListen(user: "ana", trackID: "halo", timestamp: utc("2024-01-01T10:00:00Z"), msPlayed: 201_500, skipped: false),
                StoredListen(user: "ana", trackID: "hoppi", timestamp: utc("2024-01-01T10:05:00Z"), msPlayed: 3000, skipped: true),
                StoredListen(user: "ana", trackID: "halo", timestamp: utc("2024-01-03T08:00:00Z"), msPlayed: 200_000, skipped: nil),
            ])
            let source = try store.database.prepare("SELECT DISTINCT source FROM listens")
            try source.step()
            #expect(source.string(at: 0) == "spotify-extended")
        }
    }

    @Test func reimportAddsNothing() throws {
        try withCatalogue { store, directory in
            let extended = try writeFile(extendedFixture, named: "a.json", in: directory)
            let account = try writeFile(
                "[" + accountPlay("2020-01-02 13:45", "Beyoncé", "Halo", 1000) + "]", named: "b.json", in: directory)
            let importer = StreamingHistoryImporter(store: store)
            let first = try importer.importFile(atPath: extended, user: "ana")
            _ = try importer.importFile(atPath: account, user: "ana")
            let before = try store.allListens()

            let again = try StreamingHistoryImporter(store: store).importFile(atPath: extended, user: "ana")
            #expect(again.imported == 0)
            #expect(again.duplicates == first.matched)
            #expect(again.rows == first.rows && again.unmatched == first.unmatched && again.skipped == first.skipped)
            let accountAgain = try importer.importFile(atPath: account, user: "ana")
            #expect(accountAgain.imported == 0 && accountAgain.duplicates == 1)
            #expect(try store.allListens() == before)
        }
    }

    @Test func takesTheUserFromTheFileUnlessGiven() throws {
        try withCatalogue { store, directory in
            // Older exports (endsong_*.json) name the user on every play.
            let plays = [
                extendedPlay(["username": "\"ana\""]),
                extendedPlay(["username": "\"ana\"", "ts": "\"2024-02-01T00:00:00Z\""]),
            ]
            let path = try writeFile("[" + plays.joined(separator: ",") + "]", named: "endsong_0.json", in: directory)
            let importer = StreamingHistoryImporter(store: store)
            #expect(try importer.importFile(atPath: path, user: nil).imported == 2)
            #expect(try store.userNames() == ["ana"])
            #expect(try importer.importFile(atPath: path, user: "bo").imported == 2)
            #expect(try store.userNames() == ["ana", "bo"])
            #expect(try store.listens(forUser: "bo") == ["halo"])
        }
    }

    @Test func refusesPlaysWithoutAUser() throws {
        try withCatalogue { store, directory in
            let extended = try writeFile("[" + extendedPlay([:]) + "]", named: "Streaming_History_Audio_2024.json", in: directory)
            let account = try writeFile(
                "[" + accountPlay("2020-01-02 13:45", "Beyoncé", "Halo", 1000) + "]", named: "StreamingHistory0.json",
                in: directory)
            let importer = StreamingHistoryImporter(store: store)
            #expect(throws: StreamingHistoryError.missingUser(path: extended, format: .extended)) {
                try importer.importFile(atPath: extended, user: nil)
            }
            #expect(throws: StreamingHistoryError.missingUser(path: account, format: .accountData)) {
                try importer.importFile(atPath: account, user: nil)
            }
            #expect(try store.allListens().isEmpty)
            #expect(StreamingHistoryError.missingUser(path: "x.json", format: .accountData).description
                == "x.json: account-data exports do not name their user; give the user's name with --user NAME")
        }
    }

    // MARK: Account data

    @Test func matchesAccountDataByNormalizedArtistAndTitle() throws {
        try withCatalogue { store, directory in
            let plays = [
                accountPlay("2020-01-02 13:45", "BEYONCE", "halo", 1000),  // case and accents
                accountPlay("2020-01-02 13:45", "Beyoncé", "Halo", 500),  // a repeat in the same minute
                accountPlay("2020-01-02 14:00", "sigur ros", "Hoppipolla", 2000),
                accountPlay("2020-01-02 14:10", "Jónsi", "Hoppípolla", 2000),  // a credited, not primary, artist
                accountPlay("2020-01-02 14:20", "The Beatles", "Yesterday", 3000),  // exact title beats popularity
                accountPlay("2020-01-02 14:30", "the beatles", "Yesterday - Remastered 2009", 3000),
                accountPlay("2020-01-02 14:40", "The Beatles", "Yesterday (Live)", 3000),  // most popular version
                accountPlay("2020-01-02 14:50", "Hollie Cook", "Milk & Honey", 4000),  // primary artist first
                accountPlay("2020-01-02 15:00", "Prince Fatty", "Milk and Honey!", 4000),
                accountPlay("2020-01-02 15:10", "AC-DC", "Back in Black - 2003 Remaster", 5000),  // punctuation
                accountPlay("2020-01-02 15:20", "Nobody", "Nothing", 100),
                accountPlay("2020-01-02 15:30", "Nobody", "Nothing", 100),
                accountPlay("2020-01-02 15:40", "Beyoncé", "Halo (Cover)", 100),  // decorations do not matter
                #"{"endTime": "02/01/2020", "artistName": "Beyoncé", "trackName": "Halo", "msPlayed": 1}"#,
            ]
            let path = try writeFile("[" + plays.joined(separator: ",\n") + "]", named: "history.json", in: directory)
            let summary = try StreamingHistoryImporter(store: store).importFile(atPath: path, user: "cy")
            #expect(summary.format == .accountData)
            #expect(summary.rows == 14)
            #expect(summary.matched == 11 && summary.imported == 10 && summary.duplicates == 1)
            #expect(summary.unmatched == 2 && summary.skipped == 1 && summary.nonMusic == 0)
            #expect(summary.problems == [
                HistoryImportProblem(play: 14, reason: "endTime: expected YYYY-MM-DD HH:MM, found \"02/01/2020\"")
            ])
            #expect(summary.unmatchedTracks == [UnmatchedTrack(name: .init(artist: "Nobody", title: "Nothing"), plays: 2)])

            let listens = try store.allListens()
            #expect(listens.map(\.trackID) == [
                "halo", "hoppi", "hoppi", "yesterday", "yesterday-remaster", "yesterday-remaster", "milk-solo",
                "milk-collab", "acdc", "halo",
            ])
            #expect(listens[0] == StoredListen(
                user: "cy", trackID: "halo", timestamp: utc("2020-01-02T13:45:00Z"), msPlayed: 1500, skipped: nil))
            #expect(listens.allSatisfy { $0.user == "cy" && $0.skipped == nil })
            let source = try store.database.prepare("SELECT DISTINCT source FROM listens")
            try source.step()
            #expect(source.string(at: 0) == "spotify-account")
        }
    }

    // MARK: Files that are not histories

    @Test func detectsTheFormatFromTheContent() throws {
        try withCatalogue { store, directory in
            let importer = StreamingHistoryImporter(store: store)
            // Named like the other format: the keys decide.
            let account = try writeFile(
                "[" + accountPlay("2020-01-02 13:45", "Beyoncé", "Halo", 1) + "]",
                named: "Streaming_History_Audio_2020.json", in: directory)
            #expect(try importer.importFile(atPath: account, user: "ana").format == .accountData)

            let empty = try writeFile("[]", named: "empty.json", in: directory)
            let nothing = try importer.importFile(atPath: empty, user: nil)
            #expect(nothing.rows == 0 && nothing.format == nil)

            let object = try writeFile(#"{"ts": "2020"}"#, named: "object.json", in: directory)
            #expect(throws: StreamingHistoryError.notStreamingHistory(path: object, found: "a JSON object")) {
                try importer.importFile(atPath: object, user: "ana")
            }
            let other = try writeFile(#"[{"user": "a", "item": "b"}]"#, named: "other.json", in: directory)
            #expect(throws: StreamingHistoryError.notStreamingHistory(path: other, found: "objects with the keys item, user")) {
                try importer.importFile(atPath: other, user: "ana")
            }
            let broken = try writeFile("[{\"ts\": ", named: "broken.json", in: directory)
            let error = try #require(throws: StreamingHistoryError.self) { try importer.importFile(atPath: broken, user: "ana") }
            guard case .notJSON(broken, _) = error else {
                Issue.record("expected notJSON, got \(error)")
                return
            }
            let missing = directory.appendingPathComponent("missing.json").path
            #expect(throws: CatalogueError.unreadableFile(path: missing, reason: "No such file or directory")) {
                try importer.importFile(atPath: missing, user: "ana")
            }
        }
    }

    @Test(arguments: [
        (true, "trackdone", true), (false, "fwdbtn", true), (nil, "backbtn", true), (nil, "endplay", true),
        (false, "trackdone", false), (nil, "trackdone", false), (false, "logout", false), (nil, "logout", nil),
        (nil, nil, nil),
    ] as [(Bool?, String?, Bool?)])
    func skipRule(flag: Bool?, reasonEnd: String?, expected: Bool?) {
        #expect(StreamingHistoryPlay.skipRule(flag: flag, reasonEnd: reasonEnd) == expected)
    }
}
