import EarshotSnapshot
import Foundation

/// The `popular/` snapshot part: one score per item (`items.txt`,
/// `scores.npy`), read by the `popular` scorer.
public struct PopularityPart: Sendable {
    public static let partName = "popular"

    public let itemIDs: [String]
    public let scores: [Float]

    public init(itemIDs: [String], scores: [Float]) {
        precondition(itemIDs.count == scores.count, "one score per item")
        self.itemIDs = itemIDs
        self.scores = scores
    }

    /// ln(1 + the number of users with the item) over a table's items.
    public init(listenersIn table: InteractionTable) {
        var users = [Int](repeating: 0, count: table.itemIDs.count)
        for item in table.items { users[Int(item)] += 1 }
        self.init(itemIDs: table.itemIDs, scores: users.map { Float(log1p(Double($0))) })
    }

    public func snapshotPart(training: [String: Int] = [:]) -> SnapshotPartContents {
        var list = itemIDs.joined(separator: "\n")
        if !itemIDs.isEmpty { list += "\n" }
        return SnapshotPartContents(
            name: Self.partName, part: Manifest.Part(kind: Self.partName, training: training.merging(["items": itemIDs.count]) { a, _ in a }),
            files: ["items.txt": Data(list.utf8), "scores.npy": NPY.write(.float32(shape: [scores.count], values: scores))])
    }
}
