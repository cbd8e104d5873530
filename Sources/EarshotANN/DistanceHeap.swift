/// A binary max-heap of (key, node) in storage reused across searches.
@usableFromInline
struct DistanceHeap {
    @usableFromInline var keys: [Float] = []
    @usableFromInline var nodes: [Int32] = []

    @usableFromInline init() {}

    @inlinable var count: Int { keys.count }
    @inlinable var isEmpty: Bool { keys.isEmpty }
    @inlinable var topKey: Float { keys[0] }
    @inlinable var topNode: Int32 { nodes[0] }

    @inlinable
    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        nodes.removeAll(keepingCapacity: true)
    }

    @inlinable
    mutating func push(_ key: Float, _ node: Int32) {
        keys.append(key)
        nodes.append(node)
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard keys[parent] < keys[child] else { break }
            keys.swapAt(parent, child)
            nodes.swapAt(parent, child)
            child = parent
        }
    }

    @inlinable
    mutating func pop() {
        let last = keys.count - 1
        keys.swapAt(0, last)
        nodes.swapAt(0, last)
        keys.removeLast()
        nodes.removeLast()
        var parent = 0
        let count = keys.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            var largest = left
            if left + 1 < count, keys[left + 1] > keys[left] { largest = left + 1 }
            guard keys[largest] > keys[parent] else { break }
            keys.swapAt(parent, largest)
            nodes.swapAt(parent, largest)
            parent = largest
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
