import Foundation

/// Trains the two-tower retrieval model (see `TwoTowerConfiguration` for
/// the towers and the loss).
///
/// With a validation fraction, a seeded slice of each user's pairs (users
/// with at least 5) is held out, together with the tags those users gave
/// those items; the model trains on the rest, is scored (ndcg@10) after each
/// epoch and stops after `patience` epochs without improvement. The best
/// epoch count is then used to refit on all pairs, so the snapshot learns
/// from every interaction. Without it, the model trains `epochs` passes.
///
/// Play counts do not change which pairs are sampled (every pair once per
/// epoch, so the log-q correction is the pair frequency of each item); with
/// `PlayWeighting.log` they weight each pair's loss.
///
/// The same data, configuration and seed give the same model for any
/// thread count.
public final class TwoTowerTrainer {
    /// What the trainer reports while it runs.
    public struct Progress: Sendable {
        /// `"validation"` while searching the epoch count, `"fit"` for the final model.
        public var phase: String
        public var epoch: Int
        public var epochs: Int
        public var batch: Int
        public var batches: Int
        public var lastLoss: Double?
        public var lastValidationNDCG: Double?
    }

    public let configuration: TwoTowerConfiguration
    public let userIDs: [String]
    public let itemIDs: [String]
    /// Each user's training items (ascending) with their play counts.
    public let userItems: SparseRows
    private let tags: TwoTowerIndexedTags
    /// Tag assignments left out because they were on excluded pairs.
    private let excludedTagAssignments: Int

    public init(
        interactions: InteractionTable, tags: TwoTowerItemTags?, configuration: TwoTowerConfiguration = TwoTowerConfiguration()
    ) throws(TrainingError) {
        try configuration.validate()
        DenseMath.configureBLAS()
        self.configuration = configuration
        userIDs = interactions.userIDs
        itemIDs = interactions.itemIDs
        userItems = SparseRows(
            rows: interactions.users, columns: interactions.items, values: interactions.weights,
            rowCount: interactions.userIDs.count, columnCount: interactions.itemIDs.count
        ).transposed().transposed()
        if let tags {
            self.tags = TwoTowerIndexedTags(tags, userIndex: { interactions.user(of: $0) }, itemIndex: { interactions.item(of: $0) })
            excludedTagAssignments = tags.excludedCount
        } else {
            self.tags = TwoTowerIndexedTags()
            excludedTagAssignments = 0
        }
    }

    /// Trains and returns the model; `progress` is called after every batch.
    public func train(progress: (Progress) -> Void = { _ in }) -> TwoTowerModel {
        let started = Date()
        var epochs = configuration.epochs
        var validationHistory: [Double] = []
        if configuration.validationFraction > 0 {
            let (fit, heldOut) = splitValidation()
            var keys = Set<UInt64>()
            for user in 0..<heldOut.rowCount {
                for position in heldOut.offsets[user]..<heldOut.offsets[user + 1] {
                    keys.insert(TwoTowerTrainingSet.pairKey(user: Int32(user), item: heldOut.columns[position]))
                }
            }
            let data = TwoTowerTrainingSet(userItems: fit, tags: tags, heldOut: keys, configuration: configuration)
            var run = TwoTowerRun(data: data, tags: tags.tagIDs.count, configuration: configuration)
            var best = (epoch: 0, ndcg: -1.0)
            var loss: Double?
            for epoch in 1...configuration.epochs {
                loss = run.epoch { batch, batches in
                    progress(Progress(
                        phase: "validation", epoch: epoch, epochs: configuration.epochs, batch: batch, batches: batches,
                        lastLoss: loss, lastValidationNDCG: validationHistory.last))
                }
                let ndcg = TwoTowerValidation.ndcg(
                    network: run.network, data: data, heldOut: heldOut, k: 10, workers: configuration.threads)
                validationHistory.append(ndcg)
                if ndcg > best.ndcg { best = (epoch, ndcg) }
                if epoch - best.epoch >= configuration.patience { break }
            }
            epochs = best.epoch
        }
        let data = TwoTowerTrainingSet(userItems: userItems, tags: tags, heldOut: [], configuration: configuration)
        var run = TwoTowerRun(data: data, tags: tags.tagIDs.count, configuration: configuration)
        var loss: Double?
        for epoch in 1...epochs {
            loss = run.epoch { batch, batches in
                progress(Progress(
                    phase: "fit", epoch: epoch, epochs: epochs, batch: batch, batches: batches, lastLoss: loss,
                    lastValidationNDCG: validationHistory.last))
            }
        }
        let network = run.network
        return TwoTowerModel(
            configuration: configuration, userIDs: userIDs, itemIDs: itemIDs,
            userEmbeddings: network.table(offset: network.userOffset, rows: network.userRows),
            historyEmbeddings: network.table(offset: network.historyOffset, rows: network.historyRows),
            itemEmbeddings: network.allCandidates(features: data, workers: configuration.threads),
            userItems: userItems,
            summary: TwoTowerModel.Summary(
                epochs: epochs, finalLoss: loss ?? 0, validationNDCG: validationHistory, tags: tags.tagIDs.count,
                tagAssignments: tags.items.count, excludedTagAssignments: excludedTagAssignments,
                itemsWithTags: (0..<itemIDs.count).filter { data.itemTagOffsets[$0 + 1] > data.itemTagOffsets[$0] }.count,
                seconds: Date().timeIntervalSince(started)))
    }

    /// Holds out a seeded `validationFraction` of each user's pairs (users
    /// with at least 5, at least one pair each): `(fit, heldOut)`.
    func splitValidation() -> (SparseRows, SparseRows) {
        var generator = SeededGenerator(seed: configuration.seed ^ 0x5EED_0F_7A11)
        var fit: (rows: [Int32], columns: [Int32], values: [Float]) = ([], [], [])
        var held: (rows: [Int32], columns: [Int32], values: [Float]) = ([], [], [])
        for user in 0..<userItems.rowCount {
            let range = userItems.offsets[user]..<userItems.offsets[user + 1]
            var holdOut = Set<Int>()
            if range.count >= 5 {
                let count = max(1, Int((Float(range.count) * configuration.validationFraction).rounded()))
                holdOut = Set(Array(range).shuffled(using: &generator).prefix(count))
            }
            for position in range {
                if holdOut.contains(position) {
                    held.rows.append(Int32(user))
                    held.columns.append(userItems.columns[position])
                    held.values.append(userItems.values[position])
                } else {
                    fit.rows.append(Int32(user))
                    fit.columns.append(userItems.columns[position])
                    fit.values.append(userItems.values[position])
                }
            }
        }
        return (
            SparseRows(
                rows: fit.rows, columns: fit.columns, values: fit.values, rowCount: userItems.rowCount,
                columnCount: userItems.columnCount),
            SparseRows(
                rows: held.rows, columns: held.columns, values: held.values, rowCount: userItems.rowCount,
                columnCount: userItems.columnCount)
        )
    }
}
