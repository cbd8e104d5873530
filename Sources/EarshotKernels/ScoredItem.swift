/// One result of a scorer: an item index and its score.
public struct ScoredItem: Sendable, Equatable {
    public var item: Int32
    public var score: Float

    @inlinable
    public init(item: Int32, score: Float) {
        self.item = item
        self.score = score
    }
}

/// Items a request must not return, in a scorer's item space.
///
/// A bitset: one bit per item, so checking it inside a scan costs a load
/// and a shift, and building it per request costs `items / 8` bytes.
public struct ItemExclusion: Sendable {
    @usableFromInline var words: [UInt64]

    /// An exclusion over `count` items with nothing excluded.
    public init(count: Int) {
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    @inlinable
    public mutating func exclude(_ item: Int32) {
        let index = Int(item)
        guard index >= 0, index >> 6 < words.count else { return }
        words[index >> 6] |= 1 << UInt64(index & 63)
    }

    @inlinable
    public func contains(_ item: Int32) -> Bool {
        let index = Int(item)
        guard index >= 0, index >> 6 < words.count else { return false }
        return words[index >> 6] & (1 << UInt64(index & 63)) != 0
    }
}
