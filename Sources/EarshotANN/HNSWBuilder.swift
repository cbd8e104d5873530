import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How to build a graph (hnswlib's names and defaults where it has them).
public struct HNSWBuildOptions: Sendable {
    /// Neighbours per node above level 0 (2M on level 0).
    public var m: Int = 16
    /// Candidate list while inserting: larger builds slower and finds better neighbours.
    public var efConstruction: Int = 100
    /// Threads inserting at once.
    public var threads: Int = 2
    /// Seed of the level draws, so a build is repeatable up to thread timing.
    public var seed: UInt64 = 100

    public init(m: Int = 16, efConstruction: Int = 100, threads: Int = 2, seed: UInt64 = 100) {
        self.m = m
        self.efConstruction = efConstruction
        self.threads = threads
        self.seed = seed
    }
}

/// The arrays of a built graph, as a snapshot stores them (see `HNSWGraph`).
public struct HNSWArrays: Sendable {
    public let count: Int
    public let m: Int
    public let entryPoint: Int32
    public let maxLevel: Int
    public let level0: [Int32]
    public let upperNodes: [Int32]
    public let upperOffsets: [Int32]
    public let upperLinks: [Int32]

    public init(
        count: Int, m: Int, entryPoint: Int32, maxLevel: Int, level0: [Int32], upperNodes: [Int32],
        upperOffsets: [Int32], upperLinks: [Int32]
    ) {
        self.count = count
        self.m = m
        self.entryPoint = entryPoint
        self.maxLevel = maxLevel
        self.level0 = level0
        self.upperNodes = upperNodes
        self.upperOffsets = upperOffsets
        self.upperLinks = upperLinks
    }

    /// A graph over these arrays (it keeps a reference to them).
    public func graph() throws(HNSWGraph.Invalid) -> HNSWGraph {
        let storage = ArrayStorage(self)
        return try HNSWGraph(
            count: count, m: m, entryPoint: entryPoint, maxLevel: maxLevel, level0: storage.level0.buffer,
            upperNodes: storage.upperNodes.buffer, upperOffsets: storage.upperOffsets.buffer,
            upperLinks: storage.upperLinks.buffer, owner: storage)
    }
}

/// Copies of the arrays at addresses that stay put.
final class ArrayStorage: Sendable {
    let level0, upperNodes, upperOffsets, upperLinks: OwnedInt32s
    init(_ arrays: HNSWArrays) {
        level0 = OwnedInt32s(arrays.level0)
        upperNodes = OwnedInt32s(arrays.upperNodes)
        upperOffsets = OwnedInt32s(arrays.upperOffsets)
        upperLinks = OwnedInt32s(arrays.upperLinks)
    }
}

// @unchecked Sendable: written once in init, read-only afterwards.
final class OwnedInt32s: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<Int32>
    init(_ values: [Int32]) {
        let memory = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(values.count, 1))
        _ = memory.initialize(from: values)
        buffer = UnsafeBufferPointer(rebasing: memory[0..<values.count])
    }
    deinit { UnsafeMutableBufferPointer(mutating: buffer).deallocate() }
}

/// Builds HNSW graphs for maximum inner product, several threads inserting
/// at once (per-node locks, as hnswlib).
public enum HNSWBuilder {
    /// Builds the graph over `count` rows of `vectors` (`count × dimension`,
    /// row-major); `progress` is called with the number of nodes inserted,
    /// about every 1% and at the end, from a building thread.
    public static func build(
        vectors: UnsafePointer<Float>, count: Int, dimension: Int, options: HNSWBuildOptions,
        progress: @Sendable (Int) -> Void = { _ in }
    ) -> HNSWArrays {
        precondition(count >= 1 && dimension >= 1 && options.m >= 2 && options.efConstruction >= 1)
        let state = BuildState(vectors: vectors, count: count, dimension: dimension, options: options)
        defer { state.release() }
        let threads = max(1, min(options.threads, count))
        let step = max(1, count / 100)
        let vectorsAddress = UInt(bitPattern: vectors)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let search = LayerSearch(
                vectors: UnsafePointer(bitPattern: vectorsAddress)!, dimension: dimension, count: count)
            while true {
                let node = state.next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard node < count else { break }
                if node != Int(state.entryPoint) { state.insert(Int32(node), search: search) }
                let done = state.done.wrappingAdd(1, ordering: .relaxed).newValue
                if done % step == 0 || done == count { progress(done) }
            }
        }
        return state.arrays()
    }
}

/// The graph while it is built.
// @unchecked Sendable: every neighbour list is read and written only under
// its node's stripe lock; the other arrays are written before the threads start.
final class BuildState: @unchecked Sendable {
    let vectors: UnsafePointer<Float>
    let count: Int
    let dimension: Int
    let m: Int
    let level0Degree: Int
    let efConstruction: Int
    let levels: [Int32]
    /// Index into `upperOffsets` of each node above level 0, −1 for the others.
    let upperIndex: [Int32]
    let upperNodes: [Int32]
    let upperOffsets: [Int32]
    let level0: UnsafeMutablePointer<Int32>
    let upperLinks: UnsafeMutablePointer<Int32>
    let upperLinkCount: Int
    let locks: UnsafeMutablePointer<pthread_mutex_t>
    static let stripes = 1 << 16
    let entryPoint: Int32
    let maxLevel: Int
    let next = Atomic<Int>(0)
    let done = Atomic<Int>(0)

    init(vectors: UnsafePointer<Float>, count: Int, dimension: Int, options: HNSWBuildOptions) {
        self.vectors = vectors
        self.count = count
        self.dimension = dimension
        m = options.m
        level0Degree = 2 * options.m
        efConstruction = max(options.efConstruction, options.m)
        var random = SplitMix64(seed: options.seed)
        let multiplier = 1 / log(Double(options.m))
        var levels = [Int32](repeating: 0, count: count)
        var upperIndex = [Int32](repeating: -1, count: count)
        var upperNodes: [Int32] = []
        var upperOffsets: [Int32] = [0]
        var top = 0
        var entry: Int32 = 0
        for node in 0..<count {
            let uniform = Double(random.next() >> 11) / Double(1 << 53)
            let level = min(Int(-log(max(uniform, 1e-300)) * multiplier), 30)
            levels[node] = Int32(level)
            if level > 0 {
                upperIndex[node] = Int32(upperNodes.count)
                upperNodes.append(Int32(node))
                upperOffsets.append(upperOffsets.last! + Int32(level))
            }
            if level > top {
                top = level
                entry = Int32(node)
            }
        }
        self.levels = levels
        self.upperIndex = upperIndex
        self.upperNodes = upperNodes
        self.upperOffsets = upperOffsets
        entryPoint = entry
        maxLevel = top
        level0 = .allocate(capacity: count * level0Degree)
        level0.initialize(repeating: -1, count: count * level0Degree)
        upperLinkCount = Int(upperOffsets.last!) * options.m
        upperLinks = .allocate(capacity: max(upperLinkCount, 1))
        upperLinks.initialize(repeating: -1, count: max(upperLinkCount, 1))
        locks = .allocate(capacity: Self.stripes)
        for stripe in 0..<Self.stripes { pthread_mutex_init(locks + stripe, nil) }
    }

    func release() {
        for stripe in 0..<Self.stripes { pthread_mutex_destroy(locks + stripe) }
        locks.deallocate()
        level0.deallocate()
        upperLinks.deallocate()
    }

    @inline(__always)
    func withLock<R>(_ node: Int32, _ body: () -> R) -> R {
        let lock = locks + (Int(node) & (Self.stripes - 1))
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }

    /// The list of `node` on `level` and its capacity; use under the node's lock.
    @inline(__always)
    func list(_ node: Int32, level: Int) -> UnsafeMutableBufferPointer<Int32> {
        if level == 0 { return UnsafeMutableBufferPointer(start: level0 + Int(node) * level0Degree, count: level0Degree) }
        let index = Int(upperIndex[Int(node)])
        let block = Int(upperOffsets[index]) + level - 1
        return UnsafeMutableBufferPointer(start: upperLinks + block * m, count: m)
    }

    @inline(__always)
    func distance(_ a: Int32, _ b: Int32) -> Float {
        -InnerProduct.dot(vectors + Int(a) * dimension, vectors + Int(b) * dimension, count: dimension)
    }

    func insert(_ node: Int32, search: LayerSearch) {
        let query = vectors + Int(node) * dimension
        let level = Int(levels[Int(node)])
        let links = BuildLinks(state: self)
        var current = entryPoint
        var currentDistance = search.distance(query, current)
        var layer = maxLevel
        while layer > level {
            (current, currentDistance) = search.greedy(query, from: current, distance: currentDistance, level: layer, links: links)
            layer -= 1
        }
        for layer in stride(from: min(level, maxLevel), through: 0, by: -1) {
            search.search(query, entry: current, level: layer, ef: efConstruction, links: links)
            let found = search.sortedResults()
            let selected = selectNeighbors(found, limit: m)
            withLock(node) {
                let own = list(node, level: layer)
                for (slot, neighbor) in selected.enumerated() where slot < own.count { own[slot] = neighbor.node }
            }
            let capacity = layer == 0 ? level0Degree : m
            for neighbor in selected { connect(neighbor.node, to: node, level: layer, capacity: capacity) }
            if let closest = found.first { current = closest.node }
        }
    }

    /// Adds `node` to `target`'s list, pruning it by the heuristic when full.
    private func connect(_ target: Int32, to node: Int32, level: Int, capacity: Int) {
        withLock(target) {
            let list = list(target, level: level)
            var used = 0
            while used < list.count, list[used] >= 0 {
                if list[used] == node { return }
                used += 1
            }
            if used < list.count {
                list[used] = node
                return
            }
            var candidates = [(node: Int32, distance: Float)]()
            candidates.reserveCapacity(used + 1)
            for neighbor in list[0..<used] { candidates.append((neighbor, distance(target, neighbor))) }
            candidates.append((node, distance(target, node)))
            candidates.sort { $0.distance < $1.distance }
            let kept = selectNeighbors(candidates, limit: capacity)
            for slot in 0..<list.count { list[slot] = slot < kept.count ? kept[slot].node : -1 }
        }
    }

    /// The heuristic of Malkov & Yashunin (algorithm 4, as hnswlib): keep a
    /// candidate (closest first) unless a kept one is closer to it than the
    /// base node is, for neighbours in diverse directions.
    private func selectNeighbors(
        _ sorted: [(node: Int32, distance: Float)], limit: Int
    ) -> [(node: Int32, distance: Float)] {
        guard sorted.count > limit else { return sorted }
        var kept: [(node: Int32, distance: Float)] = []
        kept.reserveCapacity(limit)
        for candidate in sorted {
            var good = true
            for other in kept where distance(candidate.node, other.node) < candidate.distance {
                good = false
                break
            }
            if good {
                kept.append(candidate)
                if kept.count >= limit { break }
            }
        }
        return kept
    }

    func arrays() -> HNSWArrays {
        HNSWArrays(
            count: count, m: m, entryPoint: entryPoint, maxLevel: maxLevel,
            level0: Array(UnsafeBufferPointer(start: level0, count: count * level0Degree)), upperNodes: upperNodes,
            upperOffsets: upperOffsets, upperLinks: Array(UnsafeBufferPointer(start: upperLinks, count: upperLinkCount)))
    }
}

/// The lists under construction, each read under its node's lock.
struct BuildLinks: NeighborLists {
    let state: BuildState

    @inline(__always)
    func withNeighbors<R>(of node: Int32, level: Int, _ body: (UnsafeBufferPointer<Int32>) -> R) -> R {
        state.withLock(node) { body(UnsafeBufferPointer(state.list(node, level: level))) }
    }
}

/// SplitMix64: a small seeded generator for the level draws.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
