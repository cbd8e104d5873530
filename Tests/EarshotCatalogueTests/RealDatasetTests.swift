import EarshotScoring
import Foundation
import Testing

@testable import EarshotCatalogue

/// `../shared/data/spotify-tracks/tracks.csv` beside the package root, which
/// is three levels above this file (Tests/EarshotCatalogueTests/…).
private let realTracksCSV = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("../shared/data/spotify-tracks/tracks.csv").standardizedFileURL.path

@Suite("Real Spotify Tracks Dataset")
struct RealDatasetTests {
    @Test(
        "imports all 114,000 rows as 89,741 tracks, then re-imports without change",
        .enabled(
            if: FileManager.default.fileExists(atPath: realTracksCSV),
            "needs the shared data set at \(realTracksCSV)"))
    func importsTheRealFile() throws {
        try withTemporaryStore { store, _ in
            let clock = ContinuousClock()
            var summary = ImportSummary()
            let importTime = try clock.measure { summary = try importCSV(realTracksCSV, into: store) }
            #expect(summary == ImportSummary(rows: 114_000, imported: 89_741, updated: 0, duplicates: 24_259, skipped: 0))

            var catalogue = TrackCatalogue.empty
            let loadTime = try clock.measure { catalogue = try store.loadCatalogue() }
            print("real tracks.csv: import \(importTime), loadCatalogue \(loadTime)")
            #expect(catalogue.count == 89_741)
            #expect(catalogue.fingerprint.hasPrefix("89741-"))
            #expect(zip(catalogue.tracks, catalogue.tracks.dropFirst()).allSatisfy { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) })
            #expect(catalogue.tracks.allSatisfy { $0.features != nil && !$0.genres.isEmpty })
            #expect(catalogue.tracks.reduce(0) { $0 + $1.genres.count } == 113_550, "450 rows repeat a (track, genre) pair")

            let untitled = catalogue.tracks[Int(try #require(catalogue.row(of: "1kR4gIb7nGxHPI3D2ifs59")))]
            #expect(untitled.name == "" && untitled.artists == [] && untitled.genres == ["k-pop"])
            let ghost = catalogue.tracks[Int(try #require(catalogue.row(of: "4qPNDBW1i3p13qLCt0Ki3A")))]
            #expect(ghost.name == "Ghost - Acoustic" && ghost.artists == ["Ben Woodward"])
            #expect(try store.search("ghost acoustic", limit: 5).contains("4qPNDBW1i3p13qLCt0Ki3A"))

            let again = try importCSV(realTracksCSV, into: store)
            #expect(again == ImportSummary(rows: 114_000, imported: 0, updated: 89_741, duplicates: 24_259, skipped: 0))
            let reloaded = try store.loadCatalogue()
            #expect(reloaded.fingerprint == catalogue.fingerprint)
            #expect(reloaded.tracks == catalogue.tracks)
        }
    }
}
