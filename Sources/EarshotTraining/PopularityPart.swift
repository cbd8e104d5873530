import EarshotScoring
import EarshotSnapshot
import Foundation

/// The `popular/` snapshot part: one score per item (`items.txt`,
/// `scores.npy`), read by the `popular` scorer.
public struct PopularityPart: Sendable {
    public static let partName = "popular"

    /// The manifest hyperparameter marking scores that start from the catalogue's popularity.
    public static let catalogueKey = "catalogue_popularity"

    public let itemIDs: [String]
    public let scores: [Float]
    /// Whether the scores start from the catalogue's popularity (recorded so a retrain recomputes them alike).
    public let fromCatalogue: Bool

    public init(itemIDs: [String], scores: [Float], fromCatalogue: Bool = false) {
        precondition(itemIDs.count == scores.count, "one score per item")
        self.itemIDs = itemIDs
        self.scores = scores
        self.fromCatalogue = fromCatalogue
    }

    /// ln(1 + the number of users with the item) over a table's items.
    public init(listenersIn table: InteractionTable) {
        var users = [Int](repeating: 0, count: table.itemIDs.count)
        for item in table.items { users[Int(item)] += 1 }
        self.init(itemIDs: table.itemIDs, scores: users.map { Float(log1p(Double($0))) })
    }

    /// Every catalogue track: its popularity / 100 + ln(1 + its distinct
    /// listeners), `listeners[row]` counted by the caller.
    public init(catalogue: TrackCatalogue, listeners: [Int]) {
        precondition(listeners.count == catalogue.count, "one listener count per catalogue row")
        self.init(
            itemIDs: catalogue.tracks.map(\.id),
            scores: zip(catalogue.tracks, listeners).map { Float($0.popularity) / 100 + Float(log1p(Double($1))) },
            fromCatalogue: true)
    }

    /// The catalogue's popularity plus the distinct users per track of `table` (as `init(catalogue:listeners:)`).
    public init(catalogue: TrackCatalogue, listenersIn table: InteractionTable) {
        var listeners = [Int](repeating: 0, count: catalogue.count)
        for entry in table.items {
            if let row = catalogue.row(of: table.itemIDs[Int(entry)]) { listeners[Int(row)] += 1 }
        }
        self.init(catalogue: catalogue, listeners: listeners)
    }

    public func snapshotPart(training: [String: Int] = [:]) -> SnapshotPartContents {
        var list = itemIDs.joined(separator: "\n")
        if !itemIDs.isEmpty { list += "\n" }
        return SnapshotPartContents(
            name: Self.partName,
            part: Manifest.Part(
                kind: Self.partName, hyperparameters: fromCatalogue ? [Self.catalogueKey: 1] : [:],
                training: training.merging(["items": itemIDs.count]) { a, _ in a }),
            files: ["items.txt": Data(list.utf8), "scores.npy": NPY.write(.float32(shape: [scores.count], values: scores))])
    }
}
