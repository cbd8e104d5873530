import EarshotScoring
import EarshotSnapshot
import Foundation
import MatrixFactorization
import Testing

@testable import EarshotTraining

@Suite("ALS trainer")
struct ALSTrainerTests {
    @Test("the loss falls with every iteration")
    func lossDecreases() throws {
        let trainer = try ALSTrainer(interactions: Fixtures.groupedTable(), configuration: Fixtures.configuration())
        var previous = trainer.loss()
        for _ in 0..<8 {
            trainer.iterate()
            let loss = trainer.loss()
            #expect(loss < previous)
            previous = loss
        }
    }

    @Test("the same seed gives the same model, for any thread count")
    func deterministic() throws {
        let table = Fixtures.groupedTable(users: 150, items: 60)
        let one = try ALSTrainer(interactions: table, configuration: Fixtures.configuration(iterations: 3, threads: 1)).train()
        let again = try ALSTrainer(interactions: table, configuration: Fixtures.configuration(iterations: 3, threads: 1)).train()
        let two = try ALSTrainer(interactions: table, configuration: Fixtures.configuration(iterations: 3, threads: 2)).train()
        #expect(one.userFactors == again.userFactors && one.itemFactors == again.itemFactors)
        #expect(one.userFactors == two.userFactors && one.itemFactors == two.itemFactors)
        var otherSeed = Fixtures.configuration(iterations: 3)
        otherSeed.seed = 43
        #expect(try ALSTrainer(interactions: table, configuration: otherSeed).train().userFactors != one.userFactors)
    }

    @Test("users' training items are kept as CSR with their confidences")
    func trainingItems() throws {
        var table = InteractionTable()
        table.add(user: "a", item: "x", weight: 4)
        table.add(user: "b", item: "y", weight: 1)
        table.add(user: "a", item: "y", weight: 1)
        var configuration = Fixtures.configuration(iterations: 1)
        configuration.confidence = ConfidenceScaling(alpha: 2, relativeToUser: false)
        let model = try ALSTrainer(interactions: table, configuration: configuration).train()
        #expect(model.userIDs == ["a", "b"] && model.itemIDs == ["x", "y"])
        #expect(model.userItems.offsets == [0, 2, 3])
        #expect(model.userItems.columns == [0, 1, 1])
        let expected = [4, 1, 1].map { 1 + 2 * log1p(Float($0)) }
        for (got, want) in zip(model.userItems.values, expected) { #expect(abs(got - want) < 1e-6) }
    }

    @Test("relative weights depend only on each user's proportions")
    func relativeConfidence() {
        let scaling = ConfidenceScaling(alpha: 8, relativeToUser: true)
        let small: [Float] = [1, 2, 4]
        let large: [Float] = [1000, 2000, 4000]
        let a = small.withUnsafeBufferPointer { scaling.confidences($0) }
        let b = large.withUnsafeBufferPointer { scaling.confidences($0) }
        for (x, y) in zip(a, b) { #expect(abs(x - y) < 1e-4) }
        // The geometric mean of 1, 2, 4 is 2: the middle weight gets 1 + 8 ln 2.
        #expect(abs(a[1] - (1 + 8 * log(2))) < 1e-5)
    }

    @Test("options outside their range are refused with the flag's name")
    func validation() {
        var configuration = ALSConfiguration()
        configuration.factors = 0
        #expect(throws: TrainingError.invalidOption(name: "factors", reason: "must be 1…4096, found 0")) {
            try ALSTrainer(interactions: Fixtures.groupedTable(), configuration: configuration)
        }
        configuration = ALSConfiguration()
        configuration.regularization = -1
        #expect(throws: TrainingError.self) { try ALSTrainer(interactions: Fixtures.groupedTable(), configuration: configuration) }
    }

    @Test("fold-in of a training user's own history gives back the trained vector")
    func foldInMatchesTraining() throws {
        let table = Fixtures.groupedTable()
        var configuration = Fixtures.configuration(factors: 6, iterations: 60)
        configuration.conjugateGradientSteps = 6
        let model = try ALSTrainer(interactions: table, configuration: configuration).train()
        let snapshot = try Fixtures.TemporaryDirectory()
        try SnapshotWriter.write([model.snapshotPart()], to: snapshot.path("s"), catalogueFingerprint: nil)
        let part = try #require(try SnapshotReader.read(at: snapshot.path("s")).parts["mf"])
        let scorer = try MatrixFactorizationPlugin.load(ScorerLoadContext(catalogue: .empty, part: part))
        let k = model.factors
        for user in [0, 1, 17, 59] {
            let id = model.userIDs[user]
            // As a stranger: the same items and raw weights, under another name.
            let history = (0..<table.count).filter { table.users[$0] == Int32(user) }.map {
                WeightedItem(item: scorer.item(of: table.itemIDs[Int(table.items[$0])])!, weight: table.weights[$0])
            }
            let all = (0..<Int32(model.itemIDs.count)).map { $0 }
            let folded = try scorer.score(all, for: Listener(user: "stranger-\(id)", history: history))
            let trainedVector = Array(model.userFactors[user * k..<(user + 1) * k])
            let trained = all.map { item in
                zip(trainedVector, model.itemFactors[Int(item) * k..<(Int(item) + 1) * k]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            }
            let largest = trained.map(abs).max() ?? 1
            for (a, b) in zip(folded, trained) { #expect(abs(a - b) <= 2e-3 * largest, "user \(id)") }
            // The trained user itself is scored with the stored vector.
            let stored = try scorer.score(all, for: Listener(user: id, history: []))
            for (a, b) in zip(stored, trained) { #expect(abs(a - b) <= 1e-5 * largest) }
        }
    }
}
