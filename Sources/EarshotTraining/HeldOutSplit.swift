/// A seeded per-user hold-out: what `earshot train blend` fits its weights
/// on. Each user with at least `minimumItems` items keeps a random
/// `fraction` of them (at least one) as held out, the rest to train on —
/// the way the Last.fm split itself was made.
public struct HeldOutSplit: Sendable {
    public let fit: InteractionTable
    public let heldOut: InteractionTable

    public init(_ table: InteractionTable, fraction: Double, minimumItems: Int = 5, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var positions = [[Int]](repeating: [], count: table.userIDs.count)
        for index in 0..<table.count { positions[Int(table.users[index])].append(index) }
        var held = [Bool](repeating: false, count: table.count)
        for entries in positions where entries.count >= minimumItems {
            var shuffled = entries
            shuffled.shuffle(using: &generator)
            let count = max(1, Int((Double(entries.count) * fraction).rounded()))
            for index in shuffled.prefix(count) { held[index] = true }
        }
        var fit = InteractionTable()
        var heldOut = InteractionTable()
        for index in 0..<table.count {
            let user = table.userIDs[Int(table.users[index])]
            let item = table.itemIDs[Int(table.items[index])]
            if held[index] {
                heldOut.add(user: user, item: item, weight: table.weights[index])
            } else {
                fit.add(user: user, item: item, weight: table.weights[index])
            }
        }
        self.fit = fit
        self.heldOut = heldOut
    }
}
