import EarshotSnapshot
import Foundation

/// A trained matrix-factorization model, ready to be written as the `mf`
/// part of a snapshot.
public struct ALSModel: Sendable {
    public let configuration: ALSConfiguration
    public let userIDs: [String]
    public let itemIDs: [String]
    /// Row-major `users × factors`.
    public let userFactors: [Float]
    /// Row-major `items × factors`.
    public let itemFactors: [Float]
    /// Each user's training items (ascending) with their confidences.
    public let userItems: SparseRows

    public var factors: Int { configuration.factors }

    /// The snapshot part name and scorer kind.
    public static let partName = "mf"

    /// The `mf` part: id lists, float32 factors and the users' training
    /// items as CSR (`user_items_indptr`, `user_items_indices` int64 and
    /// `user_items_data`, the float32 confidences), all loadable with
    /// `numpy.load`.
    public func snapshotPart() -> SnapshotPartContents {
        let k = factors
        let files: [String: Data] = [
            "items.txt": Self.idList(itemIDs),
            "users.txt": Self.idList(userIDs),
            "item_factors.npy": NPY.write(.float32(shape: [itemIDs.count, k], values: itemFactors)),
            "user_factors.npy": NPY.write(.float32(shape: [userIDs.count, k], values: userFactors)),
            "user_items_indptr.npy": NPY.write(.int64(shape: [userItems.offsets.count], values: userItems.offsets.map(Int64.init))),
            "user_items_indices.npy": NPY.write(.int64(shape: [userItems.columns.count], values: userItems.columns.map(Int64.init))),
            "user_items_data.npy": NPY.write(.float32(shape: [userItems.values.count], values: userItems.values)),
        ]
        let part = Manifest.Part(
            kind: Self.partName, hyperparameters: configuration.hyperparameters,
            training: ["users": userIDs.count, "items": itemIDs.count, "interactions": userItems.nonzeroCount])
        return SnapshotPartContents(name: Self.partName, part: part, files: files)
    }

    private static func idList(_ ids: [String]) -> Data {
        var text = ids.joined(separator: "\n")
        if !ids.isEmpty { text += "\n" }
        return Data(text.utf8)
    }
}
