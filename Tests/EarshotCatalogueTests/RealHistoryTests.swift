import Foundation
import Testing

@testable import EarshotCatalogue

private let realTracksCSV = sharedDataPath("spotify-tracks/tracks.csv")
private let realHistory = sharedDataPath("spotify-history")

/// The JSON files of one export folder, sorted.
private func exportFiles(_ folder: String) throws -> [String] {
    let directory = "\(realHistory)/\(folder)"
    return try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasSuffix(".json") }.sorted().map { "\(directory)/\($0)" }
}

@Suite("Real Spotify streaming histories")
struct RealHistoryTests {
    /// The three exports, imported into the real catalogue, against the
    /// figures of ../shared/data/README.md and the matching rules.
    @Test(
        "imports the Extended and account-data samples, then re-imports without change",
        .enabled(
            if: FileManager.default.fileExists(atPath: realTracksCSV) && FileManager.default.fileExists(atPath: realHistory),
            "needs the shared data sets at \(realTracksCSV) and \(realHistory)"))
    func importsTheRealExports() throws {
        try withTemporaryStore { store, _ in
            _ = try importCSV(realTracksCSV, into: store)
            let importer = StreamingHistoryImporter(store: store)
            let clock = ContinuousClock()

            func importAll(_ folder: String) throws -> HistoryImportSummary {
                var total = HistoryImportSummary()
                let elapsed = try clock.measure {
                    for file in try exportFiles(folder) {
                        let summary = try importer.importFile(atPath: file, user: folder)
                        #expect(summary.problems.isEmpty, "\(file): \(summary.problems.prefix(3))")
                        total.add(summary)
                    }
                }
                print("\(folder): \(String(decoding: try JSONEncoder().encode(total), as: UTF8.self)) in \(elapsed)")
                return total
            }

            let extended = try importAll("extended")
            #expect(extended.rows == 6_978 && extended.matched == 3_242 && extended.unmatched == 3_687)
            #expect(extended.skipped == 49 && extended.nonMusic == 49, "podcast episodes and audiobook chapters")
            #expect(extended.imported == 3_241 && extended.duplicates == 1, "two plays end at the same second")
            #expect(Set(try store.listens(forUser: "extended")).count == 434)

            let accountA = try importAll("account-a")
            #expect(accountA.rows == 33_489 && accountA.matched == 1_737 && accountA.unmatched == 31_752)
            #expect(accountA.skipped == 0 && accountA.imported == 1_695 && accountA.duplicates == 42)

            let accountB = try importAll("account-b")
            #expect(accountB.rows == 6_866 && accountB.matched == 1_890 && accountB.unmatched == 4_976)
            #expect(accountB.skipped == 0 && accountB.imported == 1_852 && accountB.duplicates == 38)

            var listens: [StoredListen] = []
            let loadTime = try clock.measure { listens = try store.allListens() }
            print("allListens: \(listens.count) listens in \(loadTime)")
            #expect(listens.count == 3_241 + 1_695 + 1_852)

            for folder in ["extended", "account-a", "account-b"] {
                #expect(try importAll(folder).imported == 0, "\(folder) imported again")
            }
            #expect(try store.allListens() == listens)
        }
    }
}
