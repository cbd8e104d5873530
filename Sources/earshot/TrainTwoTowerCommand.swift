import ArgumentParser
import EarshotSnapshot
import EarshotTraining
import Foundation

/// `earshot train two-tower (--interactions TSV | --db DB) --out DIR`: two-tower
/// retrieval trained natively, written as the `two-tower` part of a new
/// snapshot directory.
///
/// Progress goes to stderr on a terminal; the last line of stdout is a JSON
/// summary, e.g. `{"snapshot":"…","id":"…","users":1892,"items":17632,"interactions":74272,"epochs":7,"seconds":3.1}`.
struct TrainTwoTowerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "two-tower",
        abstract: "Train the two-tower retrieval scorer (in-batch softmax with log-q correction) from an interactions TSV or the catalogue's listens.",
        discussion: """
            Query tower: a user-id embedding plus the mean of the user's history item embeddings (the target item \
            left out of its own history while training). Candidate tower: an item-id embedding plus the \
            count-weighted mean of the item's --max-tags most-assigned tags (--item-tags, Last.fm \
            user_taggedartists.dat format). Every training pair is one example per epoch; play counts weight the \
            loss only with --play-weighting log. Tag rows on pairs listed in --exclude-pairs files (e.g. test.tsv) \
            are dropped, so held-out listens cannot leak into item features. Results are the same for a seed and \
            any --threads.
            """)

    @OptionGroup var input: TrainingInput

    @Option(help: ArgumentHelp("Item tags: userID<TAB>artistID<TAB>tagID<TAB>day<TAB>month<TAB>year with a header (Last.fm user_taggedartists.dat).", valueName: "FILE"))
    var itemTags: String?

    @Option(help: ArgumentHelp("Drop tag rows whose (user, item) pair is in this user<TAB>item TSV with a header (repeatable; pass the test split).", valueName: "TSV"))
    var excludePairs: [String] = []

    @Option(help: "Embedding width of both towers.")
    var dims = TwoTowerConfiguration().dimension

    @Option(help: "Training epochs (the most, with --validation-fraction).")
    var epochs = TwoTowerConfiguration().epochs

    @Option(help: "Training pairs per in-batch softmax.")
    var batchSize = TwoTowerConfiguration().batchSize

    @Option(help: "Optimizer: adam or adagrad.")
    var optimizer = TwoTowerConfiguration().optimizer.rawValue

    @Option(help: "Learning rate.")
    var learningRate = TwoTowerConfiguration().learningRate

    @Option(help: "L2 penalty on every parameter.")
    var l2 = TwoTowerConfiguration().l2

    @Option(help: "Softmax temperature (logits are divided by it).")
    var temperature = TwoTowerConfiguration().temperature

    @Option(help: "Correct logits by log q(item), the item's sampling frequency (true/false).")
    var logq = TwoTowerConfiguration().logQCorrection

    @Option(help: "Uniformly sampled extra negatives per batch (mixed negative sampling).")
    var randomNegatives = TwoTowerConfiguration().randomNegatives

    @Option(help: "Query tower: learn a user-id embedding (true/false).")
    var userEmbeddings = TwoTowerConfiguration().userEmbeddings

    @Option(help: "Query tower: mean of the history's item embeddings (true/false).")
    var historyPooling = TwoTowerConfiguration().historyPooling

    @Option(help: "Probability of dropping an example's user embedding in training.")
    var userDropout = TwoTowerConfiguration().userDropout

    @Option(help: "Tags per item in the candidate tower (its most assigned).")
    var maxTags = TwoTowerConfiguration().maxTagsPerItem

    @Option(help: "How play counts enter: none (every pair weight 1) or log (loss weight ln(1 + plays/user's geometric mean)).")
    var playWeighting = TwoTowerConfiguration().playWeighting.rawValue

    @Option(help: "How play counts weight the history pooling: none (plain mean) or log (ln(1 + plays/user's geometric mean)).")
    var historyWeighting = TwoTowerConfiguration().historyWeighting.rawValue

    @Option(help: "Hold out this fraction of each user's pairs to pick the epoch count (early stopping), then refit on all; 0 = off.")
    var validationFraction = TwoTowerConfiguration().validationFraction

    @Option(help: "Early stopping: epochs without improvement before stopping.")
    var patience = TwoTowerConfiguration().patience

    @Option(help: "Worker threads (default: all cores).")
    var threads = TwoTowerConfiguration().threads

    @Option(help: "Random seed (initialization, shuffling, sampling).")
    var seed = TwoTowerConfiguration().seed

    func run() throws {
        let started = Date()
        var configuration = TwoTowerConfiguration()
        configuration.dimension = dims
        configuration.epochs = epochs
        configuration.batchSize = batchSize
        guard let optimizer = TwoTowerConfiguration.Optimizer(rawValue: optimizer) else {
            throw CLIError("--optimizer must be adam or adagrad, found \(optimizer)")
        }
        configuration.optimizer = optimizer
        configuration.learningRate = learningRate
        configuration.l2 = l2
        configuration.temperature = temperature
        configuration.logQCorrection = logq
        configuration.randomNegatives = randomNegatives
        configuration.userEmbeddings = userEmbeddings
        configuration.historyPooling = historyPooling
        configuration.userDropout = userDropout
        configuration.maxTagsPerItem = maxTags
        guard let weighting = TwoTowerConfiguration.PlayWeighting(rawValue: playWeighting) else {
            throw CLIError("--play-weighting must be none or log, found \(playWeighting)")
        }
        configuration.playWeighting = weighting
        guard let historyWeighting = TwoTowerConfiguration.PlayWeighting(rawValue: historyWeighting) else {
            throw CLIError("--history-weighting must be none or log, found \(historyWeighting)")
        }
        configuration.historyWeighting = historyWeighting
        configuration.validationFraction = validationFraction
        configuration.patience = patience
        configuration.threads = threads
        configuration.seed = seed
        try CLIError.reporting {
            try configuration.validate()
            let (table, catalogue) = try input.load()
            var tags = catalogue.map { TwoTowerItemTags(assignments: $0.genreTags) }
            var excluded = TwoTowerExcludedPairs()
            for file in excludePairs { try excluded.read(tsv: file) }
            if let path = itemTags {
                let read = try TwoTowerItemTags.read(lastFMTags: path, excluding: excluded)
                tags = TwoTowerItemTags(
                    assignments: (tags?.assignments ?? []) + read.assignments, excludedCount: read.excludedCount)
            }
            let trainer = try TwoTowerTrainer(interactions: table, tags: tags, configuration: configuration)
            let progress = TerminalProgress(label: "two-tower")
            let model = trainer.train { state in
                var note = "\(state.phase) epoch \(state.epoch)/\(state.epochs)"
                if let loss = state.lastLoss { note += String(format: " loss %.4f", loss) }
                if let ndcg = state.lastValidationNDCG { note += String(format: " validation ndcg@10 %.4f", ndcg) }
                progress.update(state.batch, of: state.batches, note: note)
            }
            progress.finish()
            let manifest = try SnapshotWriter.write(
                [model.snapshotPart()], to: input.out, catalogueFingerprint: catalogue?.catalogue.fingerprint,
                basedOn: input.into)
            let seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
            let training = (model.summary.seconds * 1000).rounded() / 1000
            let validation = model.summary.validationNDCG.map { String(format: "%.4f", $0) }.joined(separator: ",")
            print(
                #"{"snapshot":\#(jsonString(URL(fileURLWithPath: input.out).standardizedFileURL.path)),"id":\#(jsonString(manifest.id)),"#
                    + #""users":\#(model.userIDs.count),"items":\#(model.itemIDs.count),"#
                    + #""interactions":\#(model.userItems.nonzeroCount),"tags":\#(model.summary.tags),"#
                    + #""excluded_tag_assignments":\#(model.summary.excludedTagAssignments),"epochs":\#(model.summary.epochs),"#
                    + #""validation_ndcg@10":[\#(validation)],"training_seconds":\#(training),"seconds":\#(seconds)}"#)
        }
    }
}
