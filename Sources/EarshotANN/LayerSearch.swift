/// Where a search reads a node's neighbours on one level: the finished,
/// read-only graph, or the graph under construction (behind locks).
protocol NeighborLists {
    /// Calls `body` with the neighbours of `node` on `level` (−1 ends a padded list).
    func withNeighbors<R>(of node: Int32, level: Int, _ body: (UnsafeBufferPointer<Int32>) -> R) -> R
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
        -InnerProduct.dot(query, vectors + Int(node) * dimension, count: dimension)
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
    func search<Links: NeighborLists>(
        _ query: UnsafePointer<Float>, entry: Int32, level: Int, ef: Int, links: Links,
        excluded: (Int32) -> Bool = { _ in false }
    ) {
        visited.startSearch()
        candidates.removeAll()
        results.removeAll()
        let entryDistance = distance(query, entry)
        _ = visited.insert(entry)
        candidates.push(-entryDistance, entry)
        var bound = Float.infinity
        if !excluded(entry) {
            results.push(entryDistance, entry)
            bound = entryDistance
        }
        while !candidates.isEmpty {
            let closest = -candidates.topKey
            if closest > bound, results.count >= ef { break }
            let node = candidates.topNode
            candidates.pop()
            links.withNeighbors(of: node, level: level) { neighbors in
                for neighbor in neighbors {
                    if neighbor < 0 { break }
                    guard visited.insert(neighbor) else { continue }
                    let d = distance(query, neighbor)
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
