import Foundation

/// Hyperparameters of the two-tower retrieval trainer and how it runs.
///
/// The model is the "TFRS done properly" recipe of the Last.fm reference
/// (`../shared/data/README.md`): the query tower is a user-id embedding plus
/// the mean of the user's history item embeddings (the target item left out
/// of its own history while training); the candidate tower is an item-id
/// embedding plus the count-weighted mean of the item's top tag embeddings;
/// the loss is the in-batch sampled softmax with the log-q correction of
/// Yi et al. (2019). The defaults were chosen on a validation slice of the
/// Last.fm training split (20% of each user's training artists), never on
/// its test split; `docs/two-tower.md` lists the table.
public struct TwoTowerConfiguration: Sendable, Equatable {
    /// The optimizer of all embedding tables.
    public enum Optimizer: String, Sendable, CaseIterable {
        /// Adam (Kingma & Ba), dense updates as Keras applies them.
        case adam
        /// Adagrad with Keras' initial accumulator 0.1.
        case adagrad
    }

    /// How a play count enters training.
    public enum PlayWeighting: String, Sendable, CaseIterable {
        /// Every (user, item) pair has weight 1.
        case none
        /// A pair's weight is `ln(1 + plays / s)`, `s` the geometric mean of
        /// the user's play counts (loss weights are then normalized to mean 1).
        case log
    }

    /// Width of every embedding (query and candidate vectors).
    public var dimension = 64
    /// Passes over the training pairs (the most, with early stopping).
    public var epochs = 10
    /// Training pairs per in-batch softmax.
    public var batchSize = 1024
    public var optimizer = Optimizer.adam
    public var learningRate: Float = 0.003
    /// L2 penalty `λ·‖θ‖²` on every parameter, added to the gradient.
    public var l2: Float = 0.00001
    /// Logits are divided by it: below 1 sharpens the softmax.
    public var temperature: Float = 1
    /// Subtract `log q(item)` (the item's expected count in a batch) from
    /// each logit, so popular items are not over-penalized as negatives.
    public var logQCorrection = true
    /// Extra negatives drawn uniformly from all items for each batch
    /// (mixed negative sampling); 0 for in-batch negatives only.
    public var randomNegatives = 0
    /// Query tower: a learned embedding per training user.
    public var userEmbeddings = true
    /// Query tower: the mean of the user's history item embeddings.
    public var historyPooling = true
    /// During training, drop an example's user embedding with this
    /// probability, so the history alone also makes a good query (as it must
    /// for listeners the model never saw).
    public var userDropout: Float = 0
    /// Tags per item in the candidate tower: its most-assigned ones.
    public var maxTagsPerItem = 10
    /// How play counts weight each pair's loss.
    public var playWeighting = PlayWeighting.log
    /// How play counts weight each item in the history pooling (the scorer
    /// applies the same formula to a listener's history weights).
    public var historyWeighting = PlayWeighting.log
    /// Fraction of each user's items held out for early stopping (users with
    /// at least 5 items); 0 trains exactly `epochs` passes on all data.
    public var validationFraction: Float = 0
    /// Epochs without a better validation ndcg@10 before stopping.
    public var patience = 2
    /// Worker threads; results do not depend on it.
    public var threads = ALSConfiguration.processorCount
    /// Seed of initialization, shuffling and sampling.
    public var seed: UInt64 = 42

    public init() {}

    /// Refuses values the trainer cannot use, naming the command-line option.
    public func validate() throws(TrainingError) {
        guard (1...4096).contains(dimension) else { throw .invalidOption(name: "dims", reason: "must be 1…4096, found \(dimension)") }
        guard (1...10_000).contains(epochs) else { throw .invalidOption(name: "epochs", reason: "must be 1…10000, found \(epochs)") }
        guard (2...65_536).contains(batchSize) else {
            throw .invalidOption(name: "batch-size", reason: "must be 2…65536, found \(batchSize)")
        }
        guard learningRate.isFinite, learningRate > 0 else {
            throw .invalidOption(name: "learning-rate", reason: "must be a number > 0, found \(learningRate)")
        }
        guard l2.isFinite, l2 >= 0 else { throw .invalidOption(name: "l2", reason: "must be a number ≥ 0, found \(l2)") }
        guard temperature.isFinite, temperature > 0 else {
            throw .invalidOption(name: "temperature", reason: "must be a number > 0, found \(temperature)")
        }
        guard (0...65_536).contains(randomNegatives) else {
            throw .invalidOption(name: "random-negatives", reason: "must be 0…65536, found \(randomNegatives)")
        }
        guard userEmbeddings || historyPooling else {
            throw .invalidOption(
                name: "history-pooling", reason: "the query tower needs user embeddings or history pooling; enable one")
        }
        guard userDropout.isFinite, (0..<1).contains(userDropout) else {
            throw .invalidOption(name: "user-dropout", reason: "must be in [0, 1), found \(userDropout)")
        }
        guard (0...1000).contains(maxTagsPerItem) else {
            throw .invalidOption(name: "max-tags", reason: "must be 0…1000, found \(maxTagsPerItem)")
        }
        guard validationFraction.isFinite, (0..<1).contains(validationFraction) else {
            throw .invalidOption(name: "validation-fraction", reason: "must be in [0, 1), found \(validationFraction)")
        }
        guard (1...1000).contains(patience) else { throw .invalidOption(name: "patience", reason: "must be 1…1000, found \(patience)") }
        guard (1...256).contains(threads) else { throw .invalidOption(name: "threads", reason: "must be 1…256, found \(threads)") }
    }

    /// The manifest's hyperparameters; the `two-tower` scorer reads
    /// `user_embeddings` and `history_pooling` back to build queries the way
    /// training did.
    public var hyperparameters: [String: Double] {
        [
            "dims": Double(dimension),
            "epochs": Double(epochs),
            "batch_size": Double(batchSize),
            "optimizer_adagrad": optimizer == .adagrad ? 1 : 0,
            "learning_rate": Double(learningRate),
            "l2": Double(l2),
            "temperature": Double(temperature),
            "logq_correction": logQCorrection ? 1 : 0,
            "random_negatives": Double(randomNegatives),
            "user_embeddings": userEmbeddings ? 1 : 0,
            "history_pooling": historyPooling ? 1 : 0,
            "user_dropout": Double(userDropout),
            "max_tags": Double(maxTagsPerItem),
            "play_weighting_log": playWeighting == .log ? 1 : 0,
            "history_weighting_log": historyWeighting == .log ? 1 : 0,
            "validation_fraction": Double(validationFraction),
            "patience": Double(patience),
            "seed": Double(seed),
        ]
    }
}
