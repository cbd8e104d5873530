import EarshotScoring
import EarshotTraining
import Foundation

/// Small synthetic data with structure a two-tower model can find: items in
/// four taste groups (each group's items share a tag), every user plays
/// items of one group only; one pair per user is held out.
enum TwoTowerFixtures {
    static let groups = 4
    static let itemsPerGroup = 10

    struct Split {
        var train = InteractionTable()
        /// The held-out item of each user.
        var heldOut: [String: String] = [:]
        var tags: TwoTowerItemTags
    }

    static func groupedSplit(users: Int = 80, perUser: Int = 6, seed: UInt64 = 11) -> Split {
        var generator = SeededGenerator(seed: seed)
        var split = Split(tags: TwoTowerItemTags(assignments: []))
        var assignments: [TwoTowerItemTags.Assignment] = []
        for user in 0..<users {
            let group = user % groups
            var chosen: [Int] = []
            while chosen.count < perUser {
                let item = group * itemsPerGroup + Int(generator.next() % UInt64(itemsPerGroup))
                if !chosen.contains(item) { chosen.append(item) }
            }
            for item in chosen.dropLast() {
                split.train.add(user: "u\(user)", item: "i\(item)", weight: Float(1 + generator.next() % 20))
            }
            split.heldOut["u\(user)"] = "i\(chosen.last!)"
        }
        for item in 0..<(groups * itemsPerGroup) {
            assignments.append(.init(user: nil, item: "i\(item)", tag: "g\(item / itemsPerGroup)"))
        }
        split.tags = TwoTowerItemTags(assignments: assignments)
        return split
    }

    static func configuration(epochs: Int = 30, threads: Int = 1) -> TwoTowerConfiguration {
        var configuration = TwoTowerConfiguration()
        configuration.dimension = 16
        configuration.epochs = epochs
        configuration.batchSize = 32
        configuration.learningRate = 0.01
        configuration.threads = threads
        return configuration
    }

    /// A temporary directory removed when the value is released.
    final class TemporaryDirectory {
        let url: URL

        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-two-tower-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }

        func path(_ name: String) -> String { url.appendingPathComponent(name).path }

        deinit { try? FileManager.default.removeItem(at: url) }
    }
}
