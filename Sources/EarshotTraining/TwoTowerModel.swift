import EarshotSnapshot
import Foundation

/// A trained two-tower model, ready to be written as the `two-tower` part
/// of a snapshot.
public struct TwoTowerModel: Sendable {
    /// How training went, for the manifest and the command's summary.
    public struct Summary: Sendable, Equatable {
        /// Epochs of the final fit.
        public var epochs: Int
        /// Mean batch loss of the final fit's last epoch.
        public var finalLoss: Double
        /// ndcg@10 on the held-out slice after each validation epoch (empty without early stopping).
        public var validationNDCG: [Double]
        public var tags: Int
        public var tagAssignments: Int
        public var excludedTagAssignments: Int
        public var itemsWithTags: Int
        public var seconds: Double
    }

    public let configuration: TwoTowerConfiguration
    public let userIDs: [String]
    public let itemIDs: [String]
    /// Row-major `users × dims`; empty without user embeddings.
    public let userEmbeddings: [Float]
    /// Row-major `items × dims`, the query tower's item table; empty without history pooling.
    public let historyEmbeddings: [Float]
    /// Row-major `items × dims`: the candidate tower's output for every item.
    public let itemEmbeddings: [Float]
    /// Each user's training items (ascending) with their play counts.
    public let userItems: SparseRows
    public let summary: Summary

    /// The snapshot part name and scorer kind.
    public static let partName = "two-tower"

    /// The `two-tower` part: `items.txt` with `item_embeddings.npy` (candidate
    /// vectors) and `history_embeddings.npy` (query-tower item table),
    /// `users.txt` with `user_embeddings.npy`, and the users' training items as
    /// CSR (`user_items_indptr`/`user_items_indices` int64, `user_items_data`
    /// float32 play counts), all loadable with `numpy.load`.
    public func snapshotPart() -> SnapshotPartContents {
        let d = configuration.dimension
        var files: [String: Data] = [
            "items.txt": Self.idList(itemIDs),
            "users.txt": Self.idList(userIDs),
            "item_embeddings.npy": NPY.write(.float32(shape: [itemIDs.count, d], values: itemEmbeddings)),
            "user_items_indptr.npy": NPY.write(.int64(shape: [userItems.offsets.count], values: userItems.offsets.map(Int64.init))),
            "user_items_indices.npy": NPY.write(.int64(shape: [userItems.columns.count], values: userItems.columns.map(Int64.init))),
            "user_items_data.npy": NPY.write(.float32(shape: [userItems.values.count], values: userItems.values)),
        ]
        if !userEmbeddings.isEmpty {
            files["user_embeddings.npy"] = NPY.write(.float32(shape: [userIDs.count, d], values: userEmbeddings))
        }
        if !historyEmbeddings.isEmpty {
            files["history_embeddings.npy"] = NPY.write(.float32(shape: [itemIDs.count, d], values: historyEmbeddings))
        }
        var hyperparameters = configuration.hyperparameters
        hyperparameters["trained_epochs"] = Double(summary.epochs)
        if let best = summary.validationNDCG.max() { hyperparameters["validation_ndcg_at_10"] = best }
        let part = Manifest.Part(
            kind: Self.partName, hyperparameters: hyperparameters,
            training: [
                "users": userIDs.count, "items": itemIDs.count, "interactions": userItems.nonzeroCount,
                "epochs": summary.epochs, "tags": summary.tags, "tag_assignments": summary.tagAssignments,
                "excluded_tag_assignments": summary.excludedTagAssignments, "items_with_tags": summary.itemsWithTags,
                "training_ms": Int((summary.seconds * 1000).rounded()),
            ])
        return SnapshotPartContents(name: Self.partName, part: part, files: files)
    }

    private static func idList(_ ids: [String]) -> Data {
        var text = ids.joined(separator: "\n")
        if !ids.isEmpty { text += "\n" }
        return Data(text.utf8)
    }
}
