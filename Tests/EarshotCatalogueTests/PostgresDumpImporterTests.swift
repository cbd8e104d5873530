import EarshotScoring
import Foundation
import Testing

@testable import EarshotCatalogue

/// The fixture made by scripts/make-seed-dump-fixture.sh with a real PostgreSQL and pg_dump.
private let seedDump = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/seed-dump.sql").path

@Suite("PostgreSQL dump import")
struct PostgresDumpImporterTests {
    func importDump(_ path: String, into store: CatalogueStore) throws -> ImportSummary {
        try PostgresDumpImporter(store: store).importFile(atPath: path)
    }

    func track(_ id: String, in catalogue: TrackCatalogue) throws -> TrackRecord {
        let row = try #require(catalogue.row(of: id), "track \(id) missing")
        return catalogue.tracks[Int(row)]
    }

    /// The 1-based line of the fixture that starts with `prefix`.
    func fixtureLine(startingWith prefix: String) throws -> Int {
        let lines = try String(contentsOfFile: seedDump, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        return try #require(lines.firstIndex { $0.hasPrefix(prefix) }) + 1
    }

    @Test func importsThePgDumpFixture() throws {
        try withTemporaryStore { store, _ in
            let summary = try importDump(seedDump, into: store)
            let ghostLine = try fixtureLine(startingWith: "0SeedFixtureTrack00006\t")
            #expect(summary == ImportSummary(
                rows: 6, imported: 6, updated: 0, duplicates: 0, skipped: 0,
                problems: [ImportProblem(
                    line: ghostLine, reason: "track: artist 0SeedFixtureMissing999 is not in table artist; credit left out")]))

            let catalogue = try store.loadCatalogue()
            #expect(catalogue.count == 6)

            let hoppipolla = try track("0SeedFixtureTrack00001", in: catalogue)
            #expect(hoppipolla == TrackRecord(
                id: "0SeedFixtureTrack00001", name: "Hoppípolla", artists: ["Sigur Rós"], album: "Takk...",
                genres: ["icelandic rock", "post-rock"], popularity: 62, durationMs: 268_000, explicit: false,
                features: AudioFeatures(
                    danceability: 0.25, energy: 0.5, key: 1, loudness: -8.5, mode: 1, speechiness: 0.03125,
                    acousticness: 0.75, instrumentalness: 0.875, liveness: 0.125, valence: 0.0625, tempo: 81.5,
                    timeSignature: 4)))

            // Three artists in artist_ids order; genres are the union of theirs.
            let drunk = try track("0SeedFixtureTrack00002", in: catalogue)
            #expect(drunk.artists == ["Beyoncé", "Back\\slash \"Quoted\" Band", "Sigur Rós"])
            #expect(drunk.genres == [
                "back\\slash", "hip hop", "icelandic rock", "pop", "post-rock", "r&b", "rock, indie", "say \"hi\"",
            ])
            #expect(drunk.explicit && drunk.popularity == 80 && drunk.album == "BEYONCÉ [Platinum Edition]")
            #expect(drunk.features?.instrumentalness == Float(1.01e-06) && drunk.features?.tempo == 140.25)

            // Escapes in the name, NULL album, a features row of NULLs.
            let escaped = try track("0SeedFixtureTrack00003", in: catalogue)
            #expect(escaped.name == "Line\nbreak\tand \\ backslash \"quoted\"")
            #expect(escaped.album == "" && escaped.features == nil)

            // No features row; an artist with a tab in the name and NULL genres.
            let yoru = try track("0SeedFixtureTrack00004", in: catalogue)
            #expect(yoru.name == "夜に駆ける" && yoru.artists == ["YOASOBI", "Tab\tArtist"])
            #expect(yoru.genres == ["j-pop"] && yoru.features == nil)

            // One NULL feature means no features; a NULL array element is no genre, a quoted "NULL" is one.
            let partial = try track("0SeedFixtureTrack00005", in: catalogue)
            #expect(partial.features == nil)
            #expect(partial.artists == ["Null Element", "No Genres"] && partial.genres == ["NULL", "ambient"])

            // An unknown artist id is left out of the credits; NULL popularity reads as 0.
            let ghost = try track("0SeedFixtureTrack00006", in: catalogue)
            #expect(ghost.artists == ["Sigur Rós"] && ghost.popularity == 0 && ghost.durationMs == 200_000)

            #expect(try store.search("hoppipolla", limit: 5) == ["0SeedFixtureTrack00001"])
            #expect(try store.search("yoasobi", limit: 5) == ["0SeedFixtureTrack00004"])
        }
    }

    @Test func reimportChangesNothing() throws {
        try withTemporaryStore { store, _ in
            let first = try importDump(seedDump, into: store)
            let before = try store.loadCatalogue()
            let second = try importDump(seedDump, into: store)
            #expect(second.imported == 0 && second.updated == first.imported && second.problems == first.problems)
            let after = try store.loadCatalogue()
            #expect(after.tracks == before.tracks && after.fingerprint == before.fingerprint)
        }
    }

    /// A hand-written dump: reordered and extra columns, quoted identifiers,
    /// plural table names, another schema, a table the importer does not
    /// read, CRLF line ends and unreadable rows.
    let handWritten = [
        "-- hand-written dump",  // 1
        "COPY public.playlist (id, name) FROM stdin;",  // 2
        "p1\tMy list",  // 3
        "\\.",  // 4
        "COPY seed.\"artists\" (genres, \"Name\", name, id) FROM stdin;",  // 5
        "{pop}\tignored\tAna\ta1",  // 6
        "{rock}\tignored\t\\N\ta2",  // 7: NULL name
        "\\.",  // 8
        "COPY public.tracks (explicit, artist_ids, track_name, track_id, popularity) FROM stdin;",  // 9
        "t\t{a1}\tFirst\tt1\t7",  // 10
        "f\t{a1,a2}\tSecond\tt2\tmany",  // 11: bad popularity
        "f\t{a1}\tThird\tt3",  // 12: a field short
        "f\t{}\tFourth\tt4\t1",  // 13
        "f\t{a1}\tFirst again\tt1\t9",  // 14: the same id again
        "\\.",  // 15
        "COPY public.audio_features (time_signature, tempo, valence, liveness, instrumentalness, acousticness, "
            + "speechiness, mode, loudness, key, energy, danceability, id) FROM stdin;",  // 16
        "4\t120\t0.5\t0.1\t0\t0.2\t0.05\t1\t-5\t7\t0.8\t0.6\tt1",  // 17
        "3\tNaN\t0.5\t0.1\t0\t0.2\t0.05\t1\t-5\t7\t0.8\t0.6\tt4",  // 18: not a number
        "4\t120\t0.5\t0.1\t0\t0.2\t0.05\t1\t-5\t7\t0.8\t0.6\tt9",  // 19: no such track
        "\\.",  // 20
    ]

    @Test func readsColumnsByNameAndReportsLines() throws {
        try withTemporaryStore { store, directory in
            let path = try writeCSV(handWritten, named: "seed.dump", in: directory, newline: "\r\n")
            #expect(try CatalogueFileFormat.detect(atPath: path) == .postgresDump)
            let summary = try importDump(path, into: store)
            #expect(summary == ImportSummary(
                rows: 5, imported: 2, updated: 0, duplicates: 1, skipped: 2,
                problems: [
                    ImportProblem(line: 7, reason: "artists: name: empty or NULL"),
                    ImportProblem(line: 11, reason: "tracks: popularity: not an integer: \"many\""),
                    ImportProblem(line: 12, reason: "tracks: expected 5 fields, found 4"),
                    ImportProblem(line: 18, reason: "audio_features: tempo: not a number: \"NaN\""),
                    ImportProblem(line: 19, reason: "audio_features: track t9 is not in table track; ignored"),
                ]))
            let catalogue = try store.loadCatalogue()
            #expect(catalogue.tracks.map(\.id) == ["t1", "t4"])
            let first = try track("t1", in: catalogue)
            #expect(first.name == "First" && first.artists == ["Ana"] && first.genres == ["pop"])
            #expect(first.explicit && first.popularity == 9, "the repeated row raised the popularity")
            #expect(first.features == AudioFeatures(
                danceability: 0.6, energy: 0.8, key: 7, loudness: -5, mode: 1, speechiness: 0.05, acousticness: 0.2,
                instrumentalness: 0, liveness: 0.1, valence: 0.5, tempo: 120, timeSignature: 4))
            let fourth = try track("t4", in: catalogue)
            #expect(fourth.artists == [] && fourth.genres == [] && fourth.features == nil)
        }
    }

    @Test func refusesWhatIsNotTheSeedDump() throws {
        try withTemporaryStore { store, directory in
            let noTrack = try writeCSV(["-- empty", "SELECT 1;"], named: "a.sql", in: directory)
            #expect(throws: PostgresDumpError.missingTable(path: noTrack, table: "track")) {
                try importDump(noTrack, into: store)
            }
            let custom = try writeCSV(["PGDMP\u{1}\u{E}"], named: "b.dump", in: directory)
            #expect(try CatalogueFileFormat.detect(atPath: custom) == .postgresDump)
            #expect(throws: PostgresDumpError.customFormat(path: custom)) { try importDump(custom, into: store) }

            let truncated = try writeCSV(["COPY public.track (id, name) FROM stdin;", "t1\tSong"], named: "c.sql", in: directory)
            #expect(throws: PostgresDumpError.unterminatedCopy(path: truncated, line: 1, table: "track")) {
                try importDump(truncated, into: store)
            }
            let noName = try writeCSV(["COPY public.track (id, title) FROM stdin;", "\\."], named: "d.sql", in: directory)
            #expect(throws: PostgresDumpError.missingColumn(
                path: noName, line: 1, table: "track", column: "name or track_name", found: ["id", "title"])) {
                try importDump(noName, into: store)
            }
            let features = try writeCSV(
                ["COPY public.audio_features (track_id, energy) FROM stdin;", "\\."], named: "e.sql", in: directory)
            #expect(throws: PostgresDumpError.missingColumn(
                path: features, line: 1, table: "audio_features", column: "danceability", found: ["track_id", "energy"])) {
                try importDump(features, into: store)
            }
            let header = try writeCSV(["COPY public.track id, name FROM stdin;"], named: "f.sql", in: directory)
            #expect(throws: PostgresDumpError.unreadableCopyHeader(
                path: header, line: 1, found: "COPY public.track id, name FROM stdin;")) {
                try importDump(header, into: store)
            }
            #expect(try store.trackCount() == 0)
        }
    }

    @Test func tellsDumpsFromCSVFiles() throws {
        try withTemporaryDirectory { directory in
            let csv = try writeCSV([tracksHeader], in: directory)
            #expect(try CatalogueFileFormat.detect(atPath: csv) == .spotifyTracksCSV)
            let bom = try writeCSV(["\u{FEFF}--", "-- PostgreSQL database dump"], named: "dump.txt", in: directory)
            #expect(try CatalogueFileFormat.detect(atPath: bom) == .postgresDump)
            let named = try writeCSV([tracksHeader], named: "odd.SQL", in: directory)
            #expect(try CatalogueFileFormat.detect(atPath: named) == .postgresDump)
            let empty = try writeFile("", named: "empty.csv", in: directory)
            #expect(try CatalogueFileFormat.detect(atPath: empty) == .spotifyTracksCSV)
            #expect(try CatalogueFileFormat.detect(atPath: seedDump) == .postgresDump)
        }
    }
}
