import EarshotScoring
import EarshotTraining
import Foundation
import Testing
import TwoTower

@Suite struct TwoTowerTrainerTests {
    @Test func sameSeedGivesTheSameModelForAnyThreadCount() throws {
        let split = TwoTowerFixtures.groupedSplit()
        var configuration = TwoTowerFixtures.configuration(epochs: 3)
        configuration.randomNegatives = 8
        configuration.userDropout = 0.1
        let first = try TwoTowerTrainer(interactions: split.train, tags: split.tags, configuration: configuration).train()
        configuration.threads = 2
        let second = try TwoTowerTrainer(interactions: split.train, tags: split.tags, configuration: configuration).train()
        #expect(first.itemEmbeddings == second.itemEmbeddings)
        #expect(first.userEmbeddings == second.userEmbeddings)
        #expect(first.historyEmbeddings == second.historyEmbeddings)
        configuration.seed = 43
        let other = try TwoTowerTrainer(interactions: split.train, tags: split.tags, configuration: configuration).train()
        #expect(other.itemEmbeddings != first.itemEmbeddings)
    }

    @Test func ranksEachUsersHeldOutItemHighly() throws {
        let split = TwoTowerFixtures.groupedSplit()
        let model = try TwoTowerTrainer(
            interactions: split.train, tags: split.tags, configuration: TwoTowerFixtures.configuration()
        ).train()
        let scorer = try TwoTowerPlugin.load(ScorerLoadContext(catalogue: .empty, part: try Self.part(of: model)))
        var hits = 0
        for (user, heldOut) in split.heldOut {
            var exclusion = ItemExclusion(count: scorer.itemIDs.count)
            for item in scorer.trainingItems(of: user) { exclusion.exclude(item) }
            let top = try scorer.recommend(for: Listener(user: user, history: []), k: 5, excluding: exclusion)
            if top.contains(where: { scorer.itemIDs[Int($0.item)] == heldOut }) { hits += 1 }
        }
        // 5 of the 35 unheard items are the user's group, the held-out item among them.
        #expect(Double(hits) / Double(split.heldOut.count) > 0.8, "hit@5 \(hits)/\(split.heldOut.count)")
    }

    @Test func earlyStoppingPicksAnEpochCountAndRefits() throws {
        let split = TwoTowerFixtures.groupedSplit()
        var configuration = TwoTowerFixtures.configuration(epochs: 6)
        configuration.validationFraction = 0.2
        configuration.patience = 2
        let model = try TwoTowerTrainer(interactions: split.train, tags: split.tags, configuration: configuration).train()
        #expect(!model.summary.validationNDCG.isEmpty)
        let best = model.summary.validationNDCG.indices.max { model.summary.validationNDCG[$0] < model.summary.validationNDCG[$1] }
        #expect(model.summary.epochs == best.map { $0 + 1 })
        #expect(model.userItems.nonzeroCount == split.train.count)
    }

    @Test func refusesAQueryTowerWithNothingInIt() {
        var configuration = TwoTowerFixtures.configuration()
        configuration.userEmbeddings = false
        configuration.historyPooling = false
        #expect(throws: TrainingError.self) {
            try TwoTowerTrainer(interactions: TwoTowerFixtures.groupedSplit().train, tags: nil, configuration: configuration)
        }
    }

    static func part(of model: TwoTowerModel) throws -> SnapshotPart {
        let directory = try TwoTowerFixtures.TemporaryDirectory()
        return try TwoTowerSnapshotRoundTrip.writeAndRead(model, in: directory)
    }
}
