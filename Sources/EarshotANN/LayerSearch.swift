import CEarshotKernels

/// Where a search reads a node's neighbours on one level: the finished,
/// read-only graph, or the graph under construction (behind locks).
protocol NeighborLists {
    /// Calls `body` with the neighbours of `node` on `level` (−1 ends a padded list).
    func withNeighbors<R>(of node: Int32, level: Int, _ body: (UnsafeBufferPointer<Int32>) -> R) -> R
    /// Hints that `node`'s list on level 0 is read next.
    func prefetchLevel0(of node: Int32)
}

extension NeighborLists {
    func prefetchLevel0(of node: Int32) {}
}

/// The two searches of HNSW over `-dot` (Malkov & Yashunin, algorithms 2 and 5),
/// with the state one search needs; reused by one thread at a time.
// @unchecked Sendable: a search is owned by one thread at a time (a builder
// thread, or a query that took it from an `HNSWScratchPool`); `vectors` is
// replaced before every use.
final class LayerSearch: @unchecked Sendable {
    var vectors: UnsafePointer<Float>
    var dimension: Int
    var visited: VisitedNodes
    var candidates = DistanceHeap()
    var results = DistanceHeap()

    init(vectors: UnsafePointer<Float>, dimension: Int, count: Int) {
        self.vectors = vectors
        self.dimension = dimension
        visited = VisitedNodes(count: count)
    }

    @inline(__always)
    func distance(_ query: UnsafePointer<Float>, _ node: Int32) -> Float {
        -InnerProduct.fastDot(query, vectors + Int(node) * dimension, count: dimension)
    }

    /// Greedy descent on one level from `start`: the closest node found and its distance.
    func greedy<Links: NeighborLists>(
        _ query: UnsafePointer<Float>, from start: Int32, distance startDistance: Float, level: Int, links: Links
    ) -> (Int32, Float) {
        var node = start
        var best = startDistance
        var changed = true
        while changed {
            changed = false
            let current = node
            links.withNeighbors(of: current, level: level) { neighbors in
                for neighbor in neighbors {
                    if neighbor < 0 { break }
                    let d = distance(query, neighbor)
                    if d < best {
                        best = d
                        node = neighbor
                        changed = true
                    }
                }
            }
        }
        return (node, best)
    }

    /// The `ef` closest nodes to `query` on `level` reachable from `entry`,
    /// left in `results` (a max-heap by distance). Nodes for which
    /// `excluded` is true are walked through but never kept.
    ///
    /// The heaps and stamps are moved into locals for the walk: mutating a
    /// class's stored properties costs a dynamic exclusivity check on every
    /// access, which in this loop costs as much as the dot products. A node's
    /// unvisited neighbours are stamped and their vectors prefetched before
    /// any is scored, so the memory reads overlap (as hnswlib does).
    func search<Links: NeighborLists>(
        _ query: UnsafePointer<Float>, entry: Int32, level: Int, ef: Int, links: Links,
        excluded: (Int32) -> Bool = { _ in false }
    ) {
        var visited = VisitedNodes(count: 0)
        var candidates = DistanceHeap()
        var results = DistanceHeap()
        swap(&visited, &self.visited)
        swap(&candidates, &self.candidates)
        swap(&results, &self.results)
        defer {
            swap(&visited, &self.visited)
            swap(&candidates, &self.candidates)
            swap(&results, &self.results)
        }
        let vectors = self.vectors
        let dimension = self.dimension
        visited.startSearch()
        candidates.removeAll()
        results.removeAll()
        let entryDistance = -InnerProduct.fastDot(query, vectors + Int(entry) * dimension, count: dimension)
        _ = visited.insert(entry)
        candidates.push(-entryDistance, entry)
        var bound = Float.infinity
        if !excluded(entry) {
            results.push(entryDistance, entry)
            bound = entryDistance
        }
        var fresh = [Int32](repeating: 0, count: 64)
        while !candidates.isEmpty {
            let closest = -candidates.topKey
            if closest > bound, results.count >= ef { break }
            let node = candidates.topNode
            candidates.pop()
            if level == 0, !candidates.isEmpty { links.prefetchLevel0(of: candidates.topNode) }
            links.withNeighbors(of: node, level: level) { neighbors in
                if fresh.count < neighbors.count { fresh = [Int32](repeating: 0, count: neighbors.count) }
                fresh.withUnsafeMutableBufferPointer { fresh in
                    var unseen = 0
                    visited.stamps.withUnsafeMutableBufferPointer { stamps in
                        let current = visited.current
                        for neighbor in neighbors {
                            if neighbor < 0 { break }
                            if stamps[Int(neighbor)] == current { continue }
                            stamps[Int(neighbor)] = current
                            earshot_prefetch(vectors + Int(neighbor) * dimension)
                            fresh[unseen] = neighbor
                            unseen += 1
                        }
                    }
                    for index in 0..<unseen {
                        let neighbor = fresh[index]
                        let d = -InnerProduct.fastDot(query, vectors + Int(neighbor) * dimension, count: dimension)
                        if results.count < ef || d < bound {
                            candidates.push(-d, neighbor)
                            if !excluded(neighbor) {
                                results.push(d, neighbor)
                                if results.count > ef { results.pop() }
                                bound = results.topKey
                            }
                        }
                    }
                }
            }
        }
    }

    /// Drains `results` closest first.
    func sortedResults() -> [(node: Int32, distance: Float)] {
        var sorted: [(node: Int32, distance: Float)] = []
        sorted.reserveCapacity(results.count)
        while !results.isEmpty {
            sorted.append((results.topNode, results.topKey))
            results.pop()
        }
        return sorted.reversed()
    }
}
