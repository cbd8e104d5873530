import Foundation

/// What one training run of the two-tower model sees, in index form: the
/// pairs it learns from (each user's items, CSR), their loss weights, the
/// items' tag features and each item's log-q correction.
///
/// Built from all pairs for the final model, or from the pairs left after
/// holding out an early-stopping slice; then the slice's tag assignments
/// (given by that user to that item) are left out too, so the slice cannot
/// leak into the candidate tower.
struct TwoTowerTrainingSet: Sendable {
    /// Each user's training items (ascending) and play counts.
    let userItems: SparseRows
    /// Loss weight of each entry of `userItems` (mean 1).
    let lossWeights: [Float]
    /// Weight of each entry of `userItems` in its user's history pooling.
    let poolingWeights: [Float]
    /// Item `i`'s tags are `itemTags[itemTagOffsets[i]..<itemTagOffsets[i + 1]]`
    /// with `itemTagWeights` summing to 1 per item (count-weighted mean).
    let itemTagOffsets: [Int]
    let itemTags: [Int32]
    let itemTagWeights: [Float]
    /// `log(n_i / N)`, the log-probability that a sampled training pair has item `i`.
    let itemLogProbability: [Float]

    var itemCount: Int { userItems.columnCount }
    var userCount: Int { userItems.rowCount }

    /// - Parameters:
    ///   - userItems: the pairs to learn from, columns ascending per row.
    ///   - tags: tag assignments as `(user index or -1, item index, tag index)`.
    ///   - heldOut: `(user, item)` pairs whose tag assignments are left out.
    init(
        userItems: SparseRows, tags: TwoTowerIndexedTags, heldOut: Set<UInt64>, configuration: TwoTowerConfiguration
    ) {
        self.userItems = userItems
        lossWeights = Self.normalized(Self.playWeights(userItems, weighting: configuration.playWeighting))
        poolingWeights = Self.playWeights(userItems, weighting: configuration.historyWeighting)
        var counts = [Float](repeating: 0, count: userItems.columnCount)
        for item in userItems.columns { counts[Int(item)] += 1 }
        let total = Float(max(1, userItems.nonzeroCount))
        // Items without a training pair are never in a batch; their value is unused.
        itemLogProbability = counts.map { $0 > 0 ? log($0 / total) : log(1 / total) }
        (itemTagOffsets, itemTags, itemTagWeights) = Self.topTags(
            tags, heldOut: heldOut, items: userItems.columnCount, limit: configuration.maxTagsPerItem)
    }

    /// Pair key of `(user, item)` indexes, for held-out sets.
    static func pairKey(user: Int32, item: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: user)) << 32 | UInt64(UInt32(bitPattern: item))
    }

    /// `weights` divided by their mean.
    private static func normalized(_ weights: [Float]) -> [Float] {
        let mean = weights.reduce(0, +) / Float(max(1, weights.count))
        return mean > 0 ? weights.map { $0 / mean } : weights
    }

    /// Each entry's weight under `weighting` (`TwoTowerConfiguration.PlayWeighting`).
    static func playWeights(_ rows: SparseRows, weighting: TwoTowerConfiguration.PlayWeighting) -> [Float] {
        switch weighting {
        case .none:
            return [Float](repeating: 1, count: rows.nonzeroCount)
        case .log:
            var weights = [Float](repeating: 1, count: rows.nonzeroCount)
            for user in 0..<rows.rowCount where rows.count(ofRow: user) > 0 {
                let range = rows.offsets[user]..<rows.offsets[user + 1]
                let scale = exp(range.reduce(0.0) { $0 + log(Double(rows.values[$1])) } / Double(range.count))
                for position in range { weights[position] = Float(log1p(Double(rows.values[position]) / scale)) }
            }
            return weights
        }
    }

    /// Each item's `limit` most-assigned tags (ties: lower tag index first),
    /// weighted by their counts.
    private static func topTags(
        _ tags: TwoTowerIndexedTags, heldOut: Set<UInt64>, items: Int, limit: Int
    ) -> ([Int], [Int32], [Float]) {
        var countsOfItem = [[Int32: Int]](repeating: [:], count: items)
        for entry in tags.items.indices {
            let user = tags.users[entry]
            let item = tags.items[entry]
            if user >= 0, heldOut.contains(pairKey(user: user, item: item)) { continue }
            countsOfItem[Int(item)][tags.tags[entry], default: 0] += 1
        }
        var offsets = [0]
        var chosen: [Int32] = []
        var weights: [Float] = []
        for counts in countsOfItem {
            let top = counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(limit)
            let total = Float(top.reduce(0) { $0 + $1.value })
            for (tag, count) in top {
                chosen.append(tag)
                weights.append(Float(count) / total)
            }
            offsets.append(chosen.count)
        }
        return (offsets, chosen, weights)
    }
}

/// Tag assignments mapped onto the trainer's user and item indexes.
struct TwoTowerIndexedTags: Sendable {
    /// User index of each assignment, -1 when the tagger is not a training user.
    var users: [Int32] = []
    var items: [Int32] = []
    var tags: [Int32] = []
    /// Tag id of each tag index.
    var tagIDs: [String] = []

    /// Keeps the assignments of known items; tags get indexes in order of first appearance.
    init(_ source: TwoTowerItemTags, userIndex: (String) -> Int32?, itemIndex: (String) -> Int32?) {
        var tagIndex: [String: Int32] = [:]
        for assignment in source.assignments {
            guard let item = itemIndex(assignment.item) else { continue }
            let tag: Int32
            if let known = tagIndex[assignment.tag] {
                tag = known
            } else {
                tag = Int32(tagIDs.count)
                tagIndex[assignment.tag] = tag
                tagIDs.append(assignment.tag)
            }
            users.append(assignment.user.flatMap(userIndex) ?? -1)
            items.append(item)
            tags.append(tag)
        }
    }

    init() {}
}
