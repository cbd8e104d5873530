import ArgumentParser
import Blend
import EarshotCatalogue
import EarshotScoring
import EarshotSnapshot
import EarshotTraining
import Foundation

/// `earshot eval history --db DB --snapshot DIR --user U`: one real
/// listener's time-ordered history. The user's distinct catalogue tracks
/// played ≥ 30 s, in the order first played: the first `--split` are the
/// history, the rest the test. The scorer ranks the whole catalogue for a
/// listener known only by that history (passed explicitly, weight 1 each;
/// the history's tracks and their other versions excluded, one version per
/// song), and the top K is compared with the test tracks.
///
/// Nothing of the test period reaches the scorers: the user's listens from
/// the first test track's first play on are dropped from what popularity
/// and a listens-fitted blend are rebuilt from.
struct EvalHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Evaluate a scorer on a stored listener's later listens: recall@K, ndcg@K and hit@K.")

    @Option(help: ArgumentHelp("The catalogue database with the user's imported listens.", valueName: "DB"))
    var db: String

    @Option(help: ArgumentHelp("Snapshot directory.", valueName: "DIR"))
    var snapshot: String?

    @Option(help: "The stored user to evaluate.")
    var user: String

    @Option(help: "Fraction of the user's tracks (in time order) used as history.")
    var split = 0.8

    @Option(help: "Scorer to evaluate (content, artists, popular, blend, mf, two-tower).")
    var scorer = "content"

    @Option(help: "Cut-off K.")
    var k = 100

    func run() throws {
        guard (1...10_000).contains(k) else { throw CLIError("--k must be 1…10000, found \(k)") }
        guard split > 0, split < 1 else { throw CLIError("--split must be between 0 and 1, found \(split)") }
        let (catalogue, listens) = try TrainArtistsCommand.readCatalogue(db)
        let mine = listens.filter { $0.user == user }
        guard !mine.isEmpty else { throw CLIError("user \(user) has no listens in \(db); import a history with --user \(user)") }
        let timeline = ListeningTimeline(mine, catalogue: catalogue)
        let (history, test) = timeline.split(split)
        guard !history.isEmpty, !test.isEmpty else {
            throw CLIError("user \(user) has \(timeline.rows.count) catalogue tracks played ≥ 30 s: too few to split")
        }
        let testStart = timeline.firstPlayed[test.startIndex]
        let past = listens.filter { $0.user != user || $0.timestamp < testStart }

        let snapshotContents = try CLIError.reporting { try snapshot.map { try SnapshotReader.read(at: $0) } }
        let versions = SongVersions(catalogue)
        // Popularity from the catalogue and the past listens only.
        var parts: [String: SnapshotPart] = [:]
        let popular = CataloguePopularity.part(catalogue: catalogue, listens: past)
        parts["popular"] = SnapshotPart(
            kind: "popular", matrices: ["scores": Matrix(rows: popular.scores.count, columns: 1, values: popular.scores)],
            integers: [:], idLists: ["items": IDList(popular.itemIDs)], parameters: [:])
        var settings: [String: [String: String]] = [:]
        var refit: BlendFit.Result?
        if scorer == "blend", let blend = snapshotContents?.parts["blend"], (blend.parameters["fitted_on_listens"] ?? 0) != 0 {
            // The snapshot's weights saw this user's later listens: fit them again on the past.
            let sources = blend.idLists["sources"].map { Array($0) } ?? []
            let pool = try BlendSourceTraining.pool(sources, parts: [], catalogue: catalogue, replacing: parts, basedOn: snapshot)
            let examples = CatalogueBlendFit.examples(pool: pool, listens: past, versions: versions)
            let candidates = Int(blend.parameters[BlendPlugin.candidatesKey] ?? Double(BlendPlugin.defaultCandidates))
            let fitK = Int(blend.parameters[BlendPlugin.fitKKey] ?? Double(TrainArtistsCommand.defaultFitK))
            let progress = TerminalProgress(label: "refitting blend")
            let result = BlendFit(k: fitK, candidates: candidates).fit(pool: pool, examples: examples) {
                progress.update($0, of: $1, note: $2)
            }
            progress.finish()
            settings["blend"] = ["weights": result.weights.map { String($0) }.joined(separator: ",")]
            refit = result
        }
        let loaded = try OfflineScorers.load(scorer, snapshot: snapshotContents, catalogue: catalogue, parts: parts, settings: settings)

        let example = CatalogueBlendFit.example(
            itemOf: loaded.item(of:), itemCount: loaded.itemIDs.count, history: history, test: test, versions: versions)
        let started = Date()
        let ranked: [ScoredItem]
        do {
            ranked = try loaded.recommend(for: example.listener, k: k * 2 + 16, excluding: example.exclusion)
        } catch {
            throw CLIError("scorer \(scorer) cannot rank for this history: \(error)")
        }
        let milliseconds = Date().timeIntervalSince(started) * 1000
        var songs = Set<Int32>()
        var relevance: [Bool] = []
        let testIDs = Set(test.map { catalogue.tracks[Int($0)].id })
        for scored in ranked {
            let id = loaded.itemIDs[Int(scored.item)]
            if let row = catalogue.row(of: id), !songs.insert(catalogue.songOfRow[Int(row)]).inserted { continue }
            relevance.append(testIDs.contains(id))
            if relevance.count == k { break }
        }
        let hits = relevance.filter { $0 }.count
        let metrics = RankingMetrics.of(relevance: relevance, relevantCount: test.count, k: k)
        let recall = Double(hits) / Double(test.count)
        FileHandle.standardError.write(Data("""
            user \(user): \(timeline.rows.count) tracks played ≥ 30 s; history \(history.count), test \(test.count) (from \(testStart))
            scorer \(scorer): \(hits) of \(test.count) test tracks in the top \(k); recall@\(k) \(String(format: "%.4f", recall)), ndcg@\(k) \(String(format: "%.4f", metrics.ndcg)); ranked in \(String(format: "%.1f", milliseconds)) ms
            \(refit.map(Self.describe) ?? "")
            """.utf8))
        print(
            #"{"user":\#(jsonString(user)),"scorer":\#(jsonString(scorer)),"history":\#(history.count),"test":\#(test.count),"#
                + #""k":\#(k),"hits":\#(hits),"recall@\#(k)":\#(String(format: "%.6f", recall)),"#
                + #""ndcg@\#(k)":\#(String(format: "%.6f", metrics.ndcg)),"hit@\#(k)":\#(hits > 0 ? 1 : 0)}"#)
    }

    /// One line on the weights a refit on the user's past listens chose.
    private static func describe(_ refit: BlendFit.Result) -> String {
        let weights = refit.weights.map { String(format: "%.3f", $0) }.joined(separator: " ")
        let how = refit.fitted
            ? "refitted on \(refit.examples) listeners' past listens"
            : "kept at the defaults (\(refit.examples) listeners with past listens; a fit needs \(BlendFit.defaultMinimumExamples))"
        return "blend weights \(how): \(weights)\n"
    }
}
