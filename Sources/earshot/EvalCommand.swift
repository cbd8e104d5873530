import ArgumentParser
import EarshotScoring
import EarshotSnapshot
import EarshotTraining
import Foundation

/// `earshot eval`: offline quality — on a train/test split (`earshot eval
/// split`, the default, so `earshot eval --snapshot …` runs it) or on one
/// listener's later listens (`earshot eval history`).
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate a scorer offline.",
        subcommands: [EvalSplitCommand.self, EvalHistoryCommand.self], defaultSubcommand: EvalSplitCommand.self)
}

/// `earshot eval [split]`: offline quality of a snapshot's scorer on a train/test
/// split, through the plugin API the daemon serves with.
///
/// The last line of stdout is one JSON object,
/// `{"users":1877,"recall@10":…,"ndcg@10":…,"hit@10":…,"k":10,"scorer":"mf"}`.
struct EvalSplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Evaluate a snapshot's scorer on a train/test split (the default): recall@K, ndcg@K and hit@K over the test users.",
        discussion: """
            For each user with test items the scorer ranks all its items for that user, with the user's training \
            items as history and removed from the ranking. recall@K = hits / min(K, test items); ndcg@K uses binary \
            relevance and the ideal DCG of min(K, test items) hits; hit@K = any hit. Averages over the test users.
            """)

    @Option(help: ArgumentHelp("Snapshot directory.", valueName: "DIR"))
    var snapshot: String

    @Option(help: ArgumentHelp("Scorer to evaluate (mf, two-tower, popular, blend).", valueName: "NAME"))
    var scorer: String

    @Option(help: ArgumentHelp("Training interactions TSV (history and exclusions).", valueName: "TSV"))
    var train: String

    @Option(help: ArgumentHelp("Held-out interactions TSV.", valueName: "TSV"))
    var test: String

    @Option(help: "Cut-off K.")
    var k = 10

    @Option(help: "Worker threads (default: all cores).")
    var threads = ALSConfiguration.processorCount

    func run() throws {
        guard (1...10_000).contains(k) else { throw CLIError("--k must be 1…10000, found \(k)") }
        let (loaded, trainTable, testTable) = try CLIError.reporting {
            let snapshot = try SnapshotReader.read(at: self.snapshot)
            return (
                try OfflineScorers.load(scorer, snapshot: snapshot, catalogue: .empty), try InteractionTable.read(tsv: train),
                try InteractionTable.read(tsv: test)
            )
        }
        let progress = TerminalProgress(label: "evaluating users")
        let result = OfflineEvaluation(k: k, workers: max(1, threads)).run(scorer: loaded, train: trainTable, test: testTable) {
            progress.update($0, of: $1)
        }
        progress.finish()
        if result.unscoredUsers > 0 {
            FileHandle.standardError.write(Data(
                "earshot: \(result.unscoredUsers) test users are unknown to the model and have no known training item; they count as misses\n".utf8))
        }
        let m = result.metrics
        print(
            #"{"users":\#(result.users),"recall@\#(k)":\#(format(m.recall)),"ndcg@\#(k)":\#(format(m.ndcg)),"#
                + #""hit@\#(k)":\#(format(m.hit)),"k":\#(k),"scorer":\#(jsonString(scorer))}"#)
    }

    private func format(_ value: Double) -> String {
        String(format: "%.6f", value)
    }
}
