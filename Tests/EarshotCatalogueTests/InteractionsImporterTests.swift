import Foundation
import Testing

@testable import EarshotCatalogue

@Suite("Interactions import")
struct InteractionsImporterTests {
    @Test("rows are stored once per pair; re-import changes nothing; a new weight replaces the old")
    func importsAndUpdates() throws {
        try withTemporaryStore { store, directory in
            let first = try writeCSV(
                ["user\titem\tweight", "2\t51\t13883", "2\t52\t11690", "3\t51\t5", "3\t51\t7", "4\tx\tmany", "5\t9"],
                named: "train.tsv", in: directory)
            let summary = try InteractionsImporter(store: store).importFile(atPath: first)
            #expect(summary.rows == 6)
            #expect(summary.imported == 3)
            #expect(summary.duplicates == 1)
            #expect(summary.skipped == 2)
            #expect(summary.problems.map(\.line) == [5, 6, 7])
            let again = try InteractionsImporter(store: store).importFile(atPath: first)
            #expect(again.imported == 0 && again.updated == 0)
            let changed = try writeCSV(["user\titem\tweight", "2\t51\t100"], named: "changed.tsv", in: directory)
            #expect(try InteractionsImporter(store: store).importFile(atPath: changed).updated == 1)
            let counts = try store.playCounts().map { "\($0.user) \($0.trackID) \($0.plays)" }
            #expect(counts == ["2 51 100", "2 52 11690", "3 51 5"])
        }
    }

    @Test("training counts add imported weights to listens")
    func combinedWithListens() throws {
        try withTemporaryStore { store, directory in
            let file = try writeCSV(["user\titem\tweight", "ana\tt1\t3"], named: "i.tsv", in: directory)
            _ = try InteractionsImporter(store: store).importFile(atPath: file)
            try store.recordListens([
                ListenEvent(user: "ana", trackID: "t1", timestamp: Date(timeIntervalSince1970: 0), source: "test"),
                ListenEvent(user: "ana", trackID: "t2", timestamp: Date(timeIntervalSince1970: 1), source: "test"),
            ])
            let counts = try store.playCounts().map { "\($0.user) \($0.trackID) \($0.plays)" }
            #expect(counts == ["ana t1 4", "ana t2 1"])
        }
    }

    @Test("a file without the header fails with one line naming it")
    func wrongHeader() throws {
        try withTemporaryStore { store, directory in
            let file = try writeCSV(["a,b,c", "1,2,3"], named: "bad.tsv", in: directory)
            let error = try #require(throws: CatalogueError.self) { try InteractionsImporter(store: store).importFile(atPath: file) }
            #expect(error.description.hasSuffix(#"not an interactions TSV: expected the header user<TAB>item<TAB>weight; found "a,b,c""#))
        }
    }
}
