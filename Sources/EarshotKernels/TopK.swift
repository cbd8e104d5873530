/// Keeps the `k` highest-scoring items seen so far in a bounded min-heap.
///
/// `insert` is O(1) for the common case of an item below the current
/// threshold, O(log k) otherwise; ties keep the lower item index, so
/// results are deterministic.
public struct TopK: Sendable {
    public let k: Int
    @usableFromInline var heap: [ScoredItem]

    public init(k: Int) {
        precondition(k >= 1, "k must be positive")
        self.k = k
        heap = []
        heap.reserveCapacity(k)
    }

    /// The score an item must beat to enter, `-infinity` until the heap is full.
    @inlinable
    public var threshold: Float { heap.count < k ? -.infinity : heap[0].score }

    @inlinable
    public mutating func insert(item: Int32, score: Float) {
        let candidate = ScoredItem(item: item, score: score)
        if heap.count < k {
            heap.append(candidate)
            siftUp(heap.count - 1)
        } else if Self.worse(heap[0], than: candidate) {
            heap[0] = candidate
            siftDown(0)
        }
    }

    /// The kept items, best first.
    public func sorted() -> [ScoredItem] {
        heap.sorted { Self.worse($1, than: $0) }
    }

    /// `a` ranks below `b`: lower score, or equal score and higher index.
    @inlinable
    static func worse(_ a: ScoredItem, than b: ScoredItem) -> Bool {
        a.score < b.score || (a.score == b.score && a.item > b.item)
    }

    @inlinable
    mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.worse(heap[child], than: heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    @inlinable
    mutating func siftDown(_ start: Int) {
        var parent = start
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            var smallest = left
            let right = left + 1
            if right < count, Self.worse(heap[right], than: heap[left]) { smallest = right }
            guard Self.worse(heap[smallest], than: heap[parent]) else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
