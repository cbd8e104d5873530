import ArgumentParser
import Blend
import EarshotScoring
import EarshotSnapshot
import EarshotTraining
import Foundation

/// `earshot train blend --interactions TSV --out DIR`: the `blend` scorer
/// and its sources in one snapshot, fitted honestly.
///
/// 1. Hold out a seeded `--holdout` fraction of each training user's items
///    (users with ≥ 5).
/// 2. Train every source on the rest (tag rows on held-out pairs dropped too).
/// 3. Fit the blend's weights on the held-out items (ndcg@`--fit-k`).
/// 4. Retrain every source on all the interactions; write them and the
///    weights into `--out`.
///
/// Progress goes to stderr on a terminal; the last line of stdout is a JSON summary.
struct TrainBlendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blend",
        abstract: "Train the blend scorer: its sources (mf, two-tower, popular) and weights fitted on a held-out slice.",
        discussion: """
            Every source trains with its own defaults (as `earshot train mf` and `earshot train two-tower`); \
            `popular` is ln(1 + listeners) per item. The same data and --seed give the same snapshot.
            """)

    @Option(help: ArgumentHelp("Training interactions: header line, then user<TAB>item<TAB>weight (play count).", valueName: "TSV"))
    var interactions: String

    @Option(help: ArgumentHelp("Item tags for two-tower (Last.fm user_taggedartists.dat format).", valueName: "FILE"))
    var itemTags: String?

    @Option(help: ArgumentHelp("Drop tag rows on the pairs of this user<TAB>item TSV (repeatable; pass the test split).", valueName: "TSV"))
    var excludePairs: [String] = []

    @Option(help: ArgumentHelp("The snapshot directory to write; must not exist yet.", valueName: "DIR"))
    var out: String

    @Option(help: "Comma-separated sources, from mf, two-tower, popular.")
    var sources = "mf,two-tower,popular"

    @Option(help: "Fraction of each user's items held out to fit the weights.")
    var holdout = 0.2

    @Option(help: "Candidates each source contributes to the pool (its top N).")
    var candidates = BlendPlugin.defaultCandidates

    @Option(help: "Weights maximize ndcg at this cut-off on the held-out items.")
    var fitK = BlendFit.defaultK

    @Option(help: "Worker threads (default: all cores).")
    var threads = ALSConfiguration.processorCount

    @Option(help: "Random seed (hold-out slice and every source).")
    var seed: UInt64 = 42

    func run() throws {
        let started = Date()
        let names = sources.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty, names.allSatisfy(BlendSourceTraining.trainable.contains), Set(names).count == names.count else {
            throw CLIError("--sources must be distinct names from \(BlendSourceTraining.trainable.joined(separator: ", ")), found \(sources)")
        }
        guard holdout > 0, holdout < 1 else { throw CLIError("--holdout must be between 0 and 1, found \(holdout)") }
        guard (1...10_000).contains(candidates), (1...1_000).contains(fitK) else {
            throw CLIError("--candidates must be 1…10000 and --fit-k 1…1000")
        }
        try CLIError.reporting {
            try SnapshotWriter.checkDestination(out)
            let table = try InteractionTable.read(tsv: interactions)
            var excluded = TwoTowerExcludedPairs()
            for file in excludePairs { try excluded.read(tsv: file) }
            let split = HeldOutSplit(table, fraction: holdout, seed: seed)
            var fitExcluded = excluded
            for index in 0..<split.heldOut.count {
                fitExcluded.insert(
                    user: split.heldOut.userIDs[Int(split.heldOut.users[index])],
                    item: split.heldOut.itemIDs[Int(split.heldOut.items[index])])
            }
            let training = BlendSourceTraining(itemTags: itemTags, threads: threads, seed: seed)

            // Steps 1–3: sources on the fit slice, weights on the held-out slice.
            let fitParts = try training.train(names, on: split.fit, excluding: fitExcluded, phase: "fit slice")
            let fitted = try Self.fitWeights(
                names, parts: fitParts, fit: split.fit, heldOut: split.heldOut, candidates: candidates, k: fitK)

            // Step 4: every source on everything, plus the weights.
            let parts = try training.train(names, on: table, excluding: excluded, phase: "all interactions")
            var blend = BlendPart(
                sources: names, weights: fitted.weights,
                hyperparameters: [
                    BlendPlugin.candidatesKey: Double(candidates), BlendPlugin.fitKKey: Double(fitK), "holdout": holdout, "seed": Double(seed),
                ],
                training: ["held_out_interactions": split.heldOut.count])
            blend.recordFit(fittedNDCG: fitted.fittedNDCG, defaultNDCG: fitted.defaultNDCG, users: fitted.examples)
            let manifest = try SnapshotWriter.write(parts + [blend.snapshotPart()], to: out, catalogueFingerprint: nil)
            let seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
            let alone = zip(names, fitted.sourceNDCG).map { "\(jsonString($0)):\(String(format: "%.4f", $1))" }
            print(
                #"{"snapshot":\#(jsonString(URL(fileURLWithPath: out).standardizedFileURL.path)),"id":\#(jsonString(manifest.id)),"#
                    + #""sources":[\#(names.map(jsonString).joined(separator: ","))],"#
                    + #""weights":[\#(fitted.weights.map { String(format: "%.4f", $0) }.joined(separator: ","))],"#
                    + #""held_out_ndcg@\#(fitK)":{"blend":\#(String(format: "%.4f", fitted.fittedNDCG)),"#
                    + #""unfitted":\#(String(format: "%.4f", fitted.defaultNDCG)),\#(alone.joined(separator: ","))},"#
                    + #""fit_users":\#(fitted.examples),"seconds":\#(seconds)}"#)
        }
    }

    /// Loads the fit-slice sources through the plugins and fits the weights
    /// on each held-out user: history = their fit items, hits = held-out items.
    static func fitWeights(
        _ names: [String], parts: [SnapshotPartContents], fit: InteractionTable, heldOut: InteractionTable,
        candidates: Int, k: Int
    ) throws -> BlendFit.Result {
        let pool = try BlendSourceTraining.pool(names, parts: parts)
        let fitRows = SparseRows(
            rows: fit.users, columns: fit.items, values: fit.weights, rowCount: fit.userIDs.count, columnCount: fit.itemIDs.count)
        var relevant = [Set<Int32>](repeating: [], count: heldOut.userIDs.count)
        for index in 0..<heldOut.count {
            if let item = pool.item(of: heldOut.itemIDs[Int(heldOut.items[index])]) {
                relevant[Int(heldOut.users[index])].insert(item)
            }
        }
        var examples: [BlendFit.Example] = []
        for (heldUser, id) in heldOut.userIDs.enumerated() where !relevant[heldUser].isEmpty {
            guard let user = fit.user(of: id).map(Int.init) else { continue }
            var history: [WeightedItem] = []
            var exclusion = ItemExclusion(count: pool.itemIDs.count)
            for position in fitRows.offsets[user]..<fitRows.offsets[user + 1] {
                guard let item = pool.item(of: fit.itemIDs[Int(fitRows.columns[position])]) else { continue }
                history.append(WeightedItem(item: item, weight: fitRows.values[position]))
                exclusion.exclude(item)
            }
            examples.append(BlendFit.Example(
                listener: Listener(user: id, history: history), exclusion: exclusion, relevant: relevant[heldUser]))
        }
        let progress = TerminalProgress(label: "blend")
        let result = BlendFit(k: k, candidates: candidates).fit(pool: pool, examples: examples) {
            progress.update($0, of: $1, note: $2)
        }
        progress.finish()
        return result
    }
}
