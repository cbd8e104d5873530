import EarshotScoring
import EarshotTraining
import Foundation

/// Small synthetic interaction data with structure ALS can find: users and
/// items in three taste groups, users playing mostly inside their group.
enum Fixtures {
    static func groupedTable(users: Int = 60, items: Int = 45, perUser: Int = 8, seed: UInt64 = 7) -> InteractionTable {
        var generator = SeededGenerator(seed: seed)
        var table = InteractionTable()
        for user in 0..<users {
            let group = user % 3
            var chosen = Set<Int>()
            while chosen.count < perUser {
                let inGroup = generator.nextUnitFloat() < 0.85
                let item = inGroup ? group + 3 * Int(generator.next() % UInt64(items / 3)) : Int(generator.next() % UInt64(items))
                chosen.insert(item)
            }
            for item in chosen.sorted() {
                table.add(user: "u\(user)", item: "i\(item)", weight: Float(1 + generator.next() % 50))
            }
        }
        return table
    }

    static func configuration(factors: Int = 8, iterations: Int = 10, threads: Int = 1) -> ALSConfiguration {
        var configuration = ALSConfiguration()
        configuration.factors = factors
        configuration.iterations = iterations
        configuration.threads = threads
        return configuration
    }

    /// A temporary directory removed when the value is released.
    final class TemporaryDirectory {
        let url: URL

        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-training-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }

        func path(_ name: String) -> String { url.appendingPathComponent(name).path }

        deinit { try? FileManager.default.removeItem(at: url) }
    }

    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
