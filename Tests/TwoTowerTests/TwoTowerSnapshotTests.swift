import EarshotScoring
import EarshotSnapshot
import EarshotTraining
import Foundation
import Testing
import TwoTower

/// Writes a model's part as a snapshot and reads it back, as the daemon does.
enum TwoTowerSnapshotRoundTrip {
    static func writeAndRead(_ model: TwoTowerModel, in directory: TwoTowerFixtures.TemporaryDirectory) throws -> SnapshotPart {
        let path = directory.path("snapshot")
        try SnapshotWriter.write([model.snapshotPart()], to: path, catalogueFingerprint: nil)
        let snapshot = try SnapshotReader.read(at: path)
        guard let part = snapshot.parts[TwoTowerModel.partName] else { throw SnapshotError.missingFile(file: "two-tower/") }
        return part
    }
}

@Suite struct TwoTowerSnapshotTests {
    static let model: TwoTowerModel = {
        let split = TwoTowerFixtures.groupedSplit()
        // Force-try: the fixture's configuration is valid by construction.
        return try! TwoTowerTrainer(
            interactions: split.train, tags: split.tags, configuration: TwoTowerFixtures.configuration(epochs: 10)
        ).train()
    }()

    @Test func roundTripKeepsEveryTensor() throws {
        let directory = try TwoTowerFixtures.TemporaryDirectory()
        let model = Self.model
        let part = try TwoTowerSnapshotRoundTrip.writeAndRead(model, in: directory)
        #expect(part.kind == "two-tower")
        #expect(part.idLists["items"].map(Array.init) == model.itemIDs)
        #expect(part.idLists["users"].map(Array.init) == model.userIDs)
        #expect(part.matrices["item_embeddings"].map { Array($0.values) } == model.itemEmbeddings)
        #expect(part.matrices["item_embeddings"]?.columns == 16)
        #expect(part.matrices["history_embeddings"].map { Array($0.values) } == model.historyEmbeddings)
        #expect(part.matrices["user_embeddings"].map { Array($0.values) } == model.userEmbeddings)
        #expect(part.integers["user_items_indptr"] == model.userItems.offsets.map(Int64.init))
        #expect(part.integers["user_items_indices"] == model.userItems.columns.map(Int64.init))
        #expect(part.parameters["dims"] == 16)
        #expect(part.parameters["trained_epochs"] == 10)
        let manifest = try SnapshotReader.read(at: directory.path("snapshot")).manifest
        #expect(manifest.scorers["two-tower"]?.training["interactions"] == model.userItems.nonzeroCount)
    }

    @Test func servesTrainingUsersWithTheirTrainingItems() throws {
        let directory = try TwoTowerFixtures.TemporaryDirectory()
        let scorer = try TwoTowerPlugin.load(
            ScorerLoadContext(catalogue: .empty, part: try TwoTowerSnapshotRoundTrip.writeAndRead(Self.model, in: directory)))
        let training = scorer.trainingItems(of: "u0")
        #expect(training.count == 5)
        var exclusion = ItemExclusion(count: scorer.itemIDs.count)
        for item in training { exclusion.exclude(item) }
        let top = try scorer.recommend(for: Listener(user: "u0", history: []), k: 10, excluding: exclusion)
        #expect(top.count == 10)
        #expect(Set(top.map(\.item)).isDisjoint(with: training))
        let scores = try scorer.score(top.map(\.item), for: Listener(user: "u0", history: []))
        for (item, score) in zip(top, scores) { #expect(abs(item.score - score) < 1e-5) }
        #expect(scorer.trainingItems(of: "nobody").isEmpty)
    }

    @Test func servesANeverSeenListenerFromHistoryAlone() throws {
        let directory = try TwoTowerFixtures.TemporaryDirectory()
        let scorer = try TwoTowerPlugin.load(
            ScorerLoadContext(catalogue: .empty, part: try TwoTowerSnapshotRoundTrip.writeAndRead(Self.model, in: directory)))
        // Items of group 1 (i10…i19).
        let history = ["i11", "i12", "i13"].compactMap { scorer.item(of: $0) }.map { WeightedItem(item: $0, weight: 1) }
        #expect(history.count == 3)
        var exclusion = ItemExclusion(count: scorer.itemIDs.count)
        for entry in history { exclusion.exclude(entry.item) }
        let top = try scorer.recommend(for: Listener(user: "stranger", history: history), k: 5, excluding: exclusion)
        #expect(top.count == 5)
        #expect(Set(top.map(\.item)).isDisjoint(with: history.map(\.item)))
        let ids = top.map { scorer.itemIDs[Int($0.item)] }
        let inGroup = ids.filter { Int($0.dropFirst()).map { $0 / 10 == 1 } ?? false }
        #expect(inGroup.count >= 4, "recommended \(ids)")
        #expect(throws: ScoringError.unknownUser("stranger")) {
            try scorer.recommend(for: Listener(user: "stranger", history: []), k: 5, excluding: exclusion)
        }
    }

    @Test func similarIsCandidateCosine() throws {
        let directory = try TwoTowerFixtures.TemporaryDirectory()
        let scorer = try TwoTowerPlugin.load(
            ScorerLoadContext(catalogue: .empty, part: try TwoTowerSnapshotRoundTrip.writeAndRead(Self.model, in: directory)))
        let seed = try #require(scorer.item(of: "i21"))
        var exclusion = ItemExclusion(count: scorer.itemIDs.count)
        exclusion.exclude(seed)
        for strategy in [SeedStrategy.average, .weighted, .max] {
            let top = try scorer.similar(to: [seed], strategy: strategy, k: 3, excluding: exclusion)
            #expect(top.count == 3)
            #expect(top.allSatisfy { scorer.itemIDs[Int($0.item)].hasPrefix("i2") }, "\(strategy)")
            #expect(top.allSatisfy { $0.score <= 1.0001 })
        }
    }

    @Test func refusesAPartWithMismatchedShapes() {
        let part = SnapshotPart(
            kind: "two-tower", matrices: ["item_embeddings": Matrix(rows: 2, columns: 2, values: [1, 0, 0, 1])],
            integers: [:], idLists: ["items": ["a"]], parameters: [:])
        #expect(throws: ScorerLoadError.self) { try TwoTowerPlugin.load(ScorerLoadContext(catalogue: .empty, part: part)) }
    }
}
