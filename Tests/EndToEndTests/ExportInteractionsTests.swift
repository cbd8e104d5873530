import EarshotProtocol
import Foundation
import Testing

/// `earshot export interactions`: the catalogue's training data as the TSV
/// the trainers read (`contrib/spark/train_als.py`, `earshot train mf`).
@Suite("export interactions: the catalogue's training data as TSV")
struct ExportInteractionsTests {
    let folder: TemporaryFolder
    let database: String
    static let tracks = MatrixFactorizationCatalogueTests.tracks

    /// A catalogue with listens (ann: track 0 twice and track 1; bob: track 2)
    /// and imported interactions (ann: track 0 weight 3; cy: an item the catalogue lacks).
    init() throws {
        folder = try TemporaryFolder()
        database = folder.path("catalogue.db")
        try MatrixFactorizationCatalogueTests.catalogueCSV.write(toFile: folder.path("tracks.csv"), atomically: true, encoding: .utf8)
        let imported = try runCLI(["import", "catalogue", "--db", database, folder.path("tracks.csv")])
        try #require(imported.status == 0, "\(imported.stderr)")
        for (user, plays) in [("ann", [0, 0, 1]), ("bob", [2])] {
            let file = folder.path("Streaming_History_Audio_\(user).json")
            try MatrixFactorizationCatalogueTests.history(plays).write(toFile: file, atomically: true, encoding: .utf8)
            let result = try runCLI(["import", "history", "--db", database, "--user", user, file])
            try #require(result.status == 0, "\(result.stderr)")
        }
        let interactions = "user\titem\tweight\nann\t\(Self.tracks[0])\t3\ncy\tlastfm-artist-89\t7\n"
        try interactions.write(toFile: folder.path("plays.tsv"), atomically: true, encoding: .utf8)
        let result = try runCLI(["import", "interactions", "--db", database, folder.path("plays.tsv")])
        try #require(result.status == 0, "\(result.stderr)")
    }

    @Test("listens plus interaction weights per user and item, header first, in user then item order")
    func writesTrainingRows() throws {
        let out = folder.path("export.tsv")
        let result = try runCLI(["export", "interactions", "--db", database, out])
        #expect(result.status == 0, "\(result.stderr)")
        let written = try String(contentsOfFile: out, encoding: .utf8)
        #expect(written == """
            user\titem\tweight
            ann\t\(Self.tracks[0])\t5
            ann\t\(Self.tracks[1])\t1
            bob\t\(Self.tracks[2])\t1
            cy\tlastfm-artist-89\t7

            """)
        let summary = try #require(Self.lastJSON(result.stdout))
        #expect(summary.int("rows") == 4)
        #expect(summary.int("users") == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).allSatisfy { !$0.contains(".tmp-") })
    }

    @Test("a model trained from the export sees the same users, items and interactions as one trained from the catalogue")
    func trainsLikeTheCatalogue() throws {
        let out = folder.path("export.tsv")
        #expect(try runCLI(["export", "interactions", "--db", database, out]).status == 0)
        var counts: [[Int?]] = []
        for (name, source) in [("from-db", ["--db", database]), ("from-tsv", ["--interactions", out])] {
            let trained = try runCLI(["train", "mf"] + source + ["--out", folder.path(name), "--factors", "2", "--iterations", "1"])
            #expect(trained.status == 0, "\(trained.stderr)")
            let summary = try #require(Self.lastJSON(trained.stdout))
            counts.append([summary.int("users"), summary.int("items"), summary.int("interactions")])
        }
        #expect(counts[0] == [3, 4, 4])
        #expect(counts[1] == counts[0])
    }

    @Test("exporting again replaces the file; a Parquet name or a missing catalogue is refused with one line")
    func refusals() throws {
        let out = folder.path("export.tsv")
        try "stale\n".write(toFile: out, atomically: true, encoding: .utf8)
        #expect(try runCLI(["export", "interactions", "--db", database, out]).status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix("user\titem\tweight\n"))

        let parquet = try runCLI(["export", "interactions", "--db", database, folder.path("export.parquet")])
        #expect(parquet.status != 0)
        #expect(parquet.stderr.contains("TSV only"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("export.parquet")))

        let missing = try runCLI(["export", "interactions", "--db", folder.path("none.db"), folder.path("x.tsv")])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("does not exist"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("none.db")))
    }

    static func lastJSON(_ stdout: String) -> JSONObject? {
        guard let last = stdout.split(separator: "\n").last, case .object(let object) = try? JSONParser.parse(Array(last.utf8)) else {
            return nil
        }
        return object
    }
}
