/// A binary max-heap of (key, node) in storage reused across searches.
///
/// Key and node sit side by side, and each operation works on the buffer
/// directly: one uniqueness check per push or pop instead of one per swap.
@usableFromInline
struct DistanceHeap {
    @usableFromInline
    struct Entry {
        @usableFromInline var key: Float
        @usableFromInline var node: Int32

        @inlinable init(key: Float, node: Int32) {
            self.key = key
            self.node = node
        }
    }

    @usableFromInline var entries: [Entry] = []

    @usableFromInline init() {}

    @inlinable var count: Int { entries.count }
    @inlinable var isEmpty: Bool { entries.isEmpty }
    @inlinable var topKey: Float { entries[0].key }
    @inlinable var topNode: Int32 { entries[0].node }

    @inlinable
    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
    }

    @inlinable
    mutating func push(_ key: Float, _ node: Int32) {
        entries.append(Entry(key: key, node: node))
        entries.withUnsafeMutableBufferPointer { heap in
            var child = heap.count - 1
            let moving = heap[child]
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[parent].key < moving.key else { break }
                heap[child] = heap[parent]
                child = parent
            }
            heap[child] = moving
        }
    }

    @inlinable
    mutating func pop() {
        let last = entries.removeLast()
        guard !entries.isEmpty else { return }
        entries.withUnsafeMutableBufferPointer { heap in
            let count = heap.count
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < count else { break }
                var largest = left
                if left + 1 < count, heap[left + 1].key > heap[left].key { largest = left + 1 }
                guard heap[largest].key > last.key else { break }
                heap[parent] = heap[largest]
                parent = largest
            }
            heap[parent] = last
        }
    }
}

/// Which nodes one search has seen: a stamp per node, so starting a new
/// search costs one increment instead of clearing `count` flags.
@usableFromInline
struct VisitedNodes {
    @usableFromInline var stamps: [UInt16]
    @usableFromInline var current: UInt16 = 0

    @usableFromInline init(count: Int) { stamps = [UInt16](repeating: 0, count: count) }

    @inlinable
    mutating func startSearch() {
        current &+= 1
        if current == 0 {
            stamps.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            current = 1
        }
    }

    /// Marks `node`; true when it was not seen before in this search.
    @inlinable
    mutating func insert(_ node: Int32) -> Bool {
        stamps.withUnsafeMutableBufferPointer { stamps in
            if stamps[Int(node)] == current { return false }
            stamps[Int(node)] = current
            return true
        }
    }
}
