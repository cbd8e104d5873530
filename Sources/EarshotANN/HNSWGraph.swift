import CEarshotKernels

/// A finished HNSW graph over the rows of an item matrix, for maximum inner
/// product search (distance `-dot`, as hnswlib's `ip` space). Read-only: its
/// arrays are usually views of a snapshot's mapped files.
///
/// Layout (the arrays a snapshot stores, see `HNSWGraph.Arrays`):
/// - `level0`: `count × 2M` neighbour ids, padded with −1;
/// - `upperNodes`: the ids of nodes above level 0, ascending;
/// - `upperOffsets`: `upperNodes.count + 1` block offsets; node
///   `upperNodes[i]` has levels `1...(upperOffsets[i+1] - upperOffsets[i])`;
/// - `upperLinks`: blocks of `M` neighbour ids, padded with −1.
public struct HNSWGraph: @unchecked Sendable {
    // @unchecked Sendable: the buffers are read-only and kept alive by `owner`.
    public let count: Int
    public let m: Int
    public let entryPoint: Int32
    public let maxLevel: Int
    let level0: UnsafeBufferPointer<Int32>
    let upperNodes: UnsafeBufferPointer<Int32>
    let upperOffsets: UnsafeBufferPointer<Int32>
    let upperLinks: UnsafeBufferPointer<Int32>
    private let owner: any Sendable

    /// Neighbours per node on level 0.
    public var level0Degree: Int { 2 * m }

    /// The file stems a snapshot part stores the graph under (`<stem>.npy`, int32).
    public enum Arrays {
        public static let level0 = "hnsw_level0"
        public static let upperNodes = "hnsw_upper_nodes"
        public static let upperOffsets = "hnsw_upper_offsets"
        public static let upperLinks = "hnsw_upper_links"
    }

    /// The manifest hyperparameters that describe the graph.
    public enum Parameters {
        public static let m = "hnsw_m"
        public static let efConstruction = "hnsw_ef_construction"
        public static let entryPoint = "hnsw_entry_point"
        public static let maxLevel = "hnsw_max_level"
        public static let items = "hnsw_items"
    }

    /// Why the arrays do not form a graph over `count` nodes.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Checks the arrays (sizes, every id in range) and wraps them; `owner`
    /// keeps their memory alive.
    public init(
        count: Int, m: Int, entryPoint: Int32, maxLevel: Int, level0: UnsafeBufferPointer<Int32>,
        upperNodes: UnsafeBufferPointer<Int32>, upperOffsets: UnsafeBufferPointer<Int32>,
        upperLinks: UnsafeBufferPointer<Int32>, owner: any Sendable
    ) throws(Invalid) {
        func bad(_ why: String) -> Invalid { Invalid(description: why) }
        guard m >= 2, count >= 1 else { throw bad("M must be at least 2 and the graph must have nodes") }
        guard level0.count == count * 2 * m else { throw bad("\(Arrays.level0) has \(level0.count) ids, expected \(count) × \(2 * m)") }
        guard entryPoint >= 0, Int(entryPoint) < count, maxLevel >= 0 else { throw bad("entry point \(entryPoint) is not a node") }
        guard upperOffsets.count == upperNodes.count + 1, upperOffsets.first == 0,
            Int(upperOffsets.last!) * m == upperLinks.count
        else { throw bad("\(Arrays.upperOffsets) does not match \(Arrays.upperNodes) and \(Arrays.upperLinks)") }
        guard zip(upperNodes, upperNodes.dropFirst()).allSatisfy({ $0 < $1 }),
            upperNodes.allSatisfy({ $0 >= 0 && Int($0) < count }),
            zip(upperOffsets, upperOffsets.dropFirst()).allSatisfy({ $0 < $1 && $1 - $0 <= Int32(maxLevel) })
        else { throw bad("\(Arrays.upperNodes) must list distinct nodes ascending, each with 1...max level levels") }
        guard level0.allSatisfy({ $0 >= -1 && Int($0) < count }), upperLinks.allSatisfy({ $0 >= -1 && Int($0) < count })
        else { throw bad("a neighbour id is outside 0..<\(count)") }
        self.count = count
        self.m = m
        self.entryPoint = entryPoint
        self.maxLevel = maxLevel
        self.level0 = level0
        self.upperNodes = upperNodes
        self.upperOffsets = upperOffsets
        self.upperLinks = upperLinks
        self.owner = owner
    }

    /// The `k` nodes with the highest dot product with `query` that the
    /// search finds with a candidate list of `ef` (≥ k), best first, with
    /// their exact dot products. `excluded` nodes are walked but not returned.
    /// `vectors` is the `count × dimension` matrix the graph was built on.
    public func search(
        query: UnsafePointer<Float>, vectors: UnsafePointer<Float>, dimension: Int, k: Int, ef: Int,
        scratch: HNSWScratchPool, excluded: (Int32) -> Bool
    ) -> [(node: Int32, score: Float)] {
        let search = scratch.take(vectors: vectors, dimension: dimension, count: count)
        defer { scratch.give(back: search) }
        let links = ServedLinks(graph: self)
        var node = entryPoint
        var distance = search.distance(query, node)
        var level = maxLevel
        while level > 0 {
            (node, distance) = search.greedy(query, from: node, distance: distance, level: level, links: links)
            level -= 1
        }
        search.search(query, entry: node, level: 0, ef: max(ef, k), links: links, excluded: excluded)
        while search.results.count > k { search.results.pop() }
        return search.sortedResults().map { ($0.node, -$0.distance) }
    }

    /// The block of `node` on `level` ≥ 1, if the node reaches that level.
    func upperBlock(of node: Int32, level: Int) -> UnsafeBufferPointer<Int32>? {
        var low = 0
        var high = upperNodes.count
        while low < high {
            let middle = (low + high) / 2
            if upperNodes[middle] < node { low = middle + 1 } else { high = middle }
        }
        guard low < upperNodes.count, upperNodes[low] == node else { return nil }
        let block = Int(upperOffsets[low]) + level - 1
        guard block < Int(upperOffsets[low + 1]) else { return nil }
        return UnsafeBufferPointer(rebasing: upperLinks[block * m..<(block + 1) * m])
    }
}

/// The finished graph's lists, read without locks.
struct ServedLinks: NeighborLists {
    let graph: HNSWGraph

    @inline(__always)
    func prefetchLevel0(of node: Int32) {
        earshot_prefetch(graph.level0.baseAddress! + Int(node) * graph.level0Degree)
    }

    @inline(__always)
    func withNeighbors<R>(of node: Int32, level: Int, _ body: (UnsafeBufferPointer<Int32>) -> R) -> R {
        if level == 0 {
            let degree = graph.level0Degree
            return body(UnsafeBufferPointer(rebasing: graph.level0[Int(node) * degree..<(Int(node) + 1) * degree]))
        }
        return body(graph.upperBlock(of: node, level: level) ?? UnsafeBufferPointer(start: nil, count: 0))
    }
}
