import EarshotScoring
import Foundation
import Testing

@testable import EarshotCatalogue

@Suite("Spotify tracks CSV import")
struct SpotifyTracksCSVImporterTests {
    /// Quoting, non-ASCII text, a multi-line name (lines 3-4), a second genre and a bad row (line 7).
    let fixture = [
        tracksHeader,
        "t1,Beyoncé,\"Lemonade, Deluxe\",\"Hold Up \"\"Live\"\"\",\(numbers(popularity: 80)),pop",
        "t2,Sigur Rós; Jónsi,Takk...,\"Hoppípolla",
        "(Edit)\",\(numbers()),ambient",
        "t3,YOASOBI,THE BOOK,夜に駆ける,\(numbers(popularity: 70)),j-pop",
        "t1,Beyoncé,\"Lemonade, Deluxe\",\"Hold Up \"\"Live\"\"\",\(numbers(popularity: 81)),r-n-b",
        "t4,Someone,Album,Song,not-a-number,210000,False,0.5,0.6,1,-5.25,1,0.05,0.1,0.0,0.2,0.4,120.5,4,pop",
        "t5,,,,\(numbers(popularity: 0)),k-pop",
    ]

    func track(_ id: String, in catalogue: TrackCatalogue) throws -> TrackRecord {
        let row = try #require(catalogue.row(of: id), "track \(id) missing")
        return catalogue.tracks[Int(row)]
    }

    @Test(arguments: ["\n", "\r\n"])
    func importsTheFixture(newline: String) throws {
        try withTemporaryStore { store, directory in
            let path = try writeCSV(fixture, in: directory, newline: newline)
            let summary = try importCSV(path, into: store)
            #expect(summary == ImportSummary(
                rows: 6, imported: 4, updated: 0, duplicates: 1, skipped: 1,
                problems: [ImportProblem(line: 7, reason: "popularity: not an integer: \"not-a-number\"")]))

            let catalogue = try store.loadCatalogue()
            #expect(catalogue.tracks.map(\.id) == ["t1", "t2", "t3", "t5"])
            let beyonce = try track("t1", in: catalogue)
            #expect(beyonce.name == "Hold Up \"Live\"")
            #expect(beyonce.album == "Lemonade, Deluxe")
            #expect(beyonce.artists == ["Beyoncé"])
            #expect(beyonce.genres == ["pop", "r-n-b"])
            #expect(beyonce.popularity == 81, "the highest popularity of the track's rows")
            #expect(beyonce.durationMs == 210000)
            #expect(beyonce.explicit == false)
            #expect(beyonce.features == AudioFeatures(
                danceability: 0.5, energy: 0.6, key: 1, loudness: -5.25, mode: 1, speechiness: 0.05,
                acousticness: 0.1, instrumentalness: 1.01e-06, liveness: 0.2, valence: 0.4, tempo: 120.5,
                timeSignature: 4))

            let sigurRos = try track("t2", in: catalogue)
            #expect(sigurRos.name == "Hoppípolla\(newline)(Edit)")
            #expect(sigurRos.artists == ["Sigur Rós", "Jónsi"])
            #expect(try track("t3", in: catalogue).name == "夜に駆ける")

            let untitled = try track("t5", in: catalogue)
            #expect(untitled.name == "" && untitled.album == "" && untitled.artists == [])
            #expect(untitled.genres == ["k-pop"])
        }
    }

    @Test func reimportChangesNothing() throws {
        try withTemporaryStore { store, directory in
            let path = try writeCSV(fixture, in: directory)
            let first = try importCSV(path, into: store)
            let before = try store.loadCatalogue()
            let second = try importCSV(path, into: store)
            #expect(second.imported == 0)
            #expect(second.updated == first.imported)
            #expect(second.duplicates == first.duplicates && second.skipped == first.skipped)
            let after = try store.loadCatalogue()
            #expect(after.tracks == before.tracks)
            #expect(after.fingerprint == before.fingerprint)
            #expect(try store.trackCount() == 4)
        }
    }

    @Test func oneTrackUnderTwoGenresKeepsBoth() throws {
        try withTemporaryStore { store, directory in
            let path = try writeCSV(
                [tracksHeader, plainRow(id: "t1", genre: "rock"), plainRow(id: "t1", genre: "acoustic")], in: directory)
            let summary = try importCSV(path, into: store)
            #expect(summary.rows == 2 && summary.imported == 1 && summary.duplicates == 1)
            let catalogue = try store.loadCatalogue()
            #expect(catalogue.count == 1)
            #expect(catalogue.tracks[0].genres == ["acoustic", "rock"])
        }
    }

    @Test func laterImportRefreshesMetadataAndAddsGenres() throws {
        try withTemporaryStore { store, directory in
            let old = try writeCSV(
                [tracksHeader, plainRow(id: "t1", artists: "A;B", name: "Old", genre: "rock")], named: "old.csv",
                in: directory)
            let new = try writeCSV(
                [tracksHeader, plainRow(id: "t1", artists: "C", name: "New", genre: "pop"), plainRow(id: "t2")],
                named: "new.csv", in: directory)
            _ = try importCSV(old, into: store)
            let summary = try importCSV(new, into: store)
            #expect(summary.imported == 1 && summary.updated == 1)
            let catalogue = try store.loadCatalogue()
            let track = try track("t1", in: catalogue)
            #expect(track.name == "New")
            #expect(track.artists == ["C"])
            #expect(track.genres == ["pop", "rock"])
        }
    }

    @Test func acceptsALeadingIndexColumn() throws {
        for indexName in ["", "Unnamed: 0"] {
            try withTemporaryStore { store, directory in
                let path = try writeCSV(
                    ["\(indexName),\(tracksHeader)", "0,\(plainRow(id: "t1"))", "1,\(plainRow(id: "t2"))"],
                    in: directory)
                let summary = try importCSV(path, into: store)
                #expect(summary.imported == 2 && summary.skipped == 0, "index column \"\(indexName)\"")
                #expect(try store.loadCatalogue().tracks.map(\.id) == ["t1", "t2"])
            }
        }
    }

    @Test func unreadableRowsAreReportedWithTheirLines() throws {
        try withTemporaryDirectory { directory in
            let store = try CatalogueStore.open(path: directory.appendingPathComponent("c.db").path, create: true)
            let url = directory.appendingPathComponent("bad.csv")
            var bytes = Array((tracksHeader + "\n" + plainRow(id: "good1") + "\n").utf8)
            bytes += Array("bad-utf8,".utf8) + [0xFF] + Array((",Album,Song,\(numbers()),pop\n").utf8)
            bytes += Array(("too,few,fields\n" + plainRow(id: "") + "\n").utf8)
            bytes += Array("bad-explicit,A,B,C,50,1000,maybe,0.5,0.6,1,-5,1,0.05,0.1,0,0.2,0.4,120,4,pop\n".utf8)
            bytes += Array("bad-float,A,B,C,50,1000,False,0.5,nan,1,-5,1,0.05,0.1,0,0.2,0.4,120,4,pop\n".utf8)
            bytes += Array("bad-key,A,B,C,50,1000,False,0.5,0.6,1.5,-5,1,0.05,0.1,0,0.2,0.4,120,4,pop\n".utf8)
            bytes += Array("\"bad-quote\"x,A,B,C,\(numbers()),pop\n".utf8)
            bytes += Array((plainRow(id: "good2") + "\n").utf8)
            try Data(bytes).write(to: url)

            let summary = try importCSV(url.path, into: store)
            #expect(summary.rows == 9 && summary.imported == 2 && summary.skipped == 7)
            #expect(summary.problems == [
                ImportProblem(line: 3, reason: "artists: not valid UTF-8"),
                ImportProblem(line: 4, reason: "expected 20 fields, found 3"),
                ImportProblem(line: 5, reason: "track_id: empty"),
                ImportProblem(line: 6, reason: "explicit: expected True or False, found \"maybe\""),
                ImportProblem(line: 7, reason: "energy: not a number: \"nan\""),
                ImportProblem(line: 8, reason: "key: not an integer: \"1.5\""),
                ImportProblem(line: 9, reason: "text after the closing quote of a field"),
            ])
            #expect(try store.loadCatalogue().tracks.map(\.id) == ["good1", "good2"])
        }
    }

    @Test func trackWithoutAudioFeatures() throws {
        try withTemporaryStore { store, directory in
            let path = try writeCSV(
                [tracksHeader, "t1,A,B,C,50,1000,True,,,,,,,,,,,,,pop"], in: directory)
            #expect(try importCSV(path, into: store).imported == 1)
            let track = try store.loadCatalogue().tracks[0]
            #expect(track.features == nil)
            #expect(track.explicit)
        }
    }

    @Test func wrongHeaderIsRefusedInOneLine() throws {
        try withTemporaryStore { store, directory in
            let path = try writeCSV(["a,b,c", "1,2,3"], in: directory)
            let error = try #require(throws: CatalogueError.self) { try importCSV(path, into: store) }
            #expect(error == .notSpotifyTracksCSV(path: path, found: "a,b,c"))
            #expect(error.description == "\(path): not a Spotify tracks CSV: expected header \(tracksHeader); found \"a,b,c\"")
            #expect(try store.trackCount() == 0)
        }
    }

    @Test func emptyAndMissingFilesAreRefused() throws {
        try withTemporaryStore { store, directory in
            let empty = try writeCSV([], in: directory)
            #expect(throws: CatalogueError.notSpotifyTracksCSV(path: empty, found: "")) {
                try importCSV(empty, into: store)
            }
            let missing = directory.appendingPathComponent("missing.csv").path
            #expect(throws: CatalogueError.unreadableFile(path: missing, reason: "No such file or directory")) {
                try importCSV(missing, into: store)
            }
        }
    }

    @Test func reportsProgress() throws {
        try withTemporaryStore { store, directory in
            let rows = (0..<2_500).map { plainRow(id: "t\($0)") }
            let path = try writeCSV([tracksHeader] + rows, in: directory)
            var reported: [Int] = []
            _ = try SpotifyTracksCSVImporter(store: store).importFile(atPath: path) { reported.append($0) }
            #expect(reported == [1_000, 2_000, 2_500])
        }
    }

    @Test func summaryJSONHasTheCountsOnly() throws {
        let summary = ImportSummary(
            rows: 3, imported: 1, updated: 0, duplicates: 1, skipped: 1, problems: [ImportProblem(line: 2, reason: "x")])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(summary), as: UTF8.self)
        #expect(json == #"{"duplicates":1,"imported":1,"rows":3,"skipped":1,"updated":0}"#)
    }
}
