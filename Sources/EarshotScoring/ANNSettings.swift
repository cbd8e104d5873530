import EarshotANN

/// How a dense scorer uses its part's HNSW graph: `[scorer.<name>]` keys
/// `ef` and `ann_min_items` (docs/SNAPSHOTS.md, "ANN index").
public struct ANNSettings: Sendable, Equatable {
    public static let defaultEF = 64
    /// Below this many items a scan is fast enough and exact.
    public static let defaultMinimumItems = 100_000

    /// Candidate list of a search, unless the request sets its own.
    public var ef: Int
    /// Scorers with fewer items scan even when the snapshot has a graph.
    public var minimumItems: Int

    public init(ef: Int = defaultEF, minimumItems: Int = defaultMinimumItems) {
        self.ef = ef
        self.minimumItems = minimumItems
    }

    /// Reads `ef` and `ann_min_items` from a scorer's settings; bad values are an error naming the key.
    public init(settings: [String: String], scorer: String) throws(ScorerLoadError) {
        self.init()
        if let text = settings["ef"] {
            guard let value = Int(text), value >= 1 else {
                throw ScorerLoadError("[scorer.\(scorer)] ef = \(text) must be an integer ≥ 1")
            }
            ef = value
        }
        if let text = settings["ann_min_items"] {
            guard let value = Int(text), value >= 0 else {
                throw ScorerLoadError("[scorer.\(scorer)] ann_min_items = \(text) must be an integer ≥ 0")
            }
            minimumItems = value
        }
    }
}

/// A request's say in how its top-k is found.
public struct SearchOptions: Sendable, Equatable {
    /// The graph's candidate list for this request (nil: the scorer's `ef`).
    public var ef: Int?
    /// Scan every item even when there is a graph.
    public var exact: Bool

    public init(ef: Int? = nil, exact: Bool = false) {
        self.ef = ef
        self.exact = exact
    }
}

extension SnapshotPart {
    /// The part's HNSW graph over `rows` items, nil when the part has none;
    /// `name` labels errors.
    public func hnswGraph(rows: Int, part name: String, fail: (String) -> ScorerLoadError) throws(ScorerLoadError) -> HNSWGraph? {
        typealias Arrays = HNSWGraph.Arrays
        typealias Keys = HNSWGraph.Parameters
        guard let level0 = int32Tensors[Arrays.level0] else { return nil }
        guard let nodes = int32Tensors[Arrays.upperNodes], let offsets = int32Tensors[Arrays.upperOffsets],
            let links = int32Tensors[Arrays.upperLinks]
        else { throw fail("\(name)/\(Arrays.level0).npy comes without the upper levels of its graph") }
        guard let m = parameters[Keys.m], let entry = parameters[Keys.entryPoint], let top = parameters[Keys.maxLevel],
            let items = parameters[Keys.items]
        else { throw fail("the manifest's \(name) hyperparameters lack \(Keys.m), \(Keys.entryPoint), \(Keys.maxLevel) or \(Keys.items)") }
        guard Int(items) == rows else {
            throw fail("the \(name) graph has \(Int(items)) nodes but the part has \(rows) items; rebuild it with `earshot snapshot index`")
        }
        do {
            return try level0.withUnsafeBufferPointer { l0 throws(HNSWGraph.Invalid) in
                try HNSWGraph(
                    count: rows, m: Int(m), entryPoint: Int32(entry), maxLevel: Int(top), level0: l0,
                    upperNodes: nodes.withUnsafeBufferPointer { $0 }, upperOffsets: offsets.withUnsafeBufferPointer { $0 },
                    upperLinks: links.withUnsafeBufferPointer { $0 },
                    owner: [level0.region, nodes.region, offsets.region, links.region])
            }
        } catch {
            throw fail("the \(name) HNSW graph is invalid: \(error.description)")
        }
    }
}
