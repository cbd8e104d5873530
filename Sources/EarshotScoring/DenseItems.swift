import EarshotANN

/// Items as dense vectors, the way embedding scorers (`mf`, `two-tower`)
/// serve them: ids, row-major vectors (a view of the mapped snapshot file)
/// and their inverse norms, with the top-k, scoring and cosine `similar`
/// every such scorer needs, and the part's HNSW graph when it has one.
public struct DenseItems: Sendable {
    public let ids: IDList
    public let dimension: Int
    /// Row-major `ids.count × dimension`.
    public let vectors: TensorElements<Float>
    /// 1 / ‖row‖ (0 for zero rows): cosine without a normalized copy.
    public let inverseNorms: [Float]
    private let rowOfID: IDRowIndex
    /// The graph `recommend` searches instead of scanning, when present and
    /// `ann` allows it (docs/SNAPSHOTS.md, "ANN index").
    public let graph: HNSWGraph?
    public let ann: ANNSettings
    private let scratch = HNSWScratchPool()

    /// `matrix` must have one row per id; a repeated id is an error naming `file`.
    public init(
        ids: IDList, matrix: Matrix, file: String, graph: HNSWGraph? = nil, ann: ANNSettings = ANNSettings(),
        fail: (String) -> ScorerLoadError
    ) throws(ScorerLoadError) {
        precondition(matrix.rows == ids.count, "check the row count before building the items")
        precondition(graph.map { $0.count == ids.count } ?? true, "check the graph's node count before building the items")
        self.ids = ids
        dimension = matrix.columns
        vectors = matrix.values
        // One pass that does not keep a mapped matrix resident.
        var norms: [Float] = []
        norms.reserveCapacity(matrix.rows)
        matrix.values.forEachChunk(of: max(matrix.columns, 1) * 16_384) { _, rows in
            norms += CosineSimilarity.inverseNorms(rows, dimension: matrix.columns)
        }
        inverseNorms = norms
        rowOfID = try SnapshotPart.rowIndex(ids, file: file, fail: fail)
        self.graph = graph
        self.ann = ann
    }

    public func row(of id: String) -> Int32? { rowOfID.row(of: id) }

    /// The `k` items with the highest dot product with `query`, best first:
    /// from the graph when there is one, the matrix has at least
    /// `ann.minimumItems` rows and `search` does not ask for the exact scan;
    /// otherwise (and when the graph finds fewer than `k` allowed items) by
    /// scanning every row.
    public func top(
        query: [Float], k: Int, excluding exclusion: ItemExclusion, search: SearchOptions = SearchOptions()
    ) -> [ScoredItem] {
        if searchesGraph(search), k > 0 {
            let found = graphCandidates(query: query, count: k, search: search, excluding: exclusion)
            if found.count >= k { return found }
        }
        return vectors.withUnsafeBufferPointer {
            VectorKernels.topDotProducts(query: query, matrix: $0, rows: ids.count, k: k, excluding: exclusion)
        }
    }

    /// Whether `search` is answered from the graph rather than by a scan.
    public func searchesGraph(_ search: SearchOptions) -> Bool {
        graph != nil && !search.exact && ids.count >= ann.minimumItems
    }

    /// The best `count` allowed items the graph finds for `query` (its
    /// candidate list at least `count` long), best first. The graph's scores
    /// are exact dot products of the full vectors, so the candidates come
    /// back re-ranked exactly. Requires a graph (`searchesGraph`).
    public func graphCandidates(
        query: [Float], count: Int, search: SearchOptions, excluding exclusion: ItemExclusion
    ) -> [ScoredItem] {
        guard let graph else { preconditionFailure("graphCandidates needs a graph; check searchesGraph first") }
        let ef = max(search.ef ?? ann.ef, count)
        let found = query.withUnsafeBufferPointer { q in
            vectors.withUnsafeBufferPointer { rows in
                graph.search(
                    query: q.baseAddress!, vectors: rows.baseAddress!, dimension: dimension, k: count, ef: ef,
                    scratch: scratch, excluded: { exclusion.contains($0) })
            }
        }
        return found.map { ScoredItem(item: $0.node, score: $0.score) }
    }

    /// The dot products of `query` with `items`, in order.
    public func scores(query: [Float], items: [Int32]) -> [Float] {
        query.withUnsafeBufferPointer { q in
            vectors.withUnsafeBufferPointer { rows in
                items.map { VectorKernels.dot(q.baseAddress!, rows.baseAddress! + Int($0) * dimension, count: dimension) }
            }
        }
    }

    /// Cosine similarity to `seeds` (see `CosineSimilarity.top`).
    public func similar(
        to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion
    ) throws(ScoringError) -> [ScoredItem] {
        guard !seeds.isEmpty else { throw .noKnownItems }
        return vectors.withUnsafeBufferPointer { matrix in
            CosineSimilarity.top(
                to: seeds, strategy: strategy, matrix: matrix, inverseNorms: inverseNorms, dimension: dimension, k: k,
                excluding: exclusion)
        }
    }
}

/// The users a model was trained on and each one's training items (CSR),
/// so heard-filtering works without a catalogue.
public struct TrainingUsers: Sendable {
    public let ids: IDList
    private let rowOfUser: IDRowIndex
    private let offsets: [Int]
    /// Every user's training items, concatenated in user order.
    public let items: [Int32]

    /// Reads `users.txt` order and the part's `user_items_*` CSR; `name` labels errors.
    public init(
        ids: IDList, part: SnapshotPart, items itemCount: Int, name: String, fail: (String) -> ScorerLoadError
    ) throws(ScorerLoadError) {
        self.ids = ids
        rowOfUser = try SnapshotPart.rowIndex(ids, file: "\(name)/users.txt", fail: fail)
        (offsets, items) = try part.userItems(users: ids.count, items: itemCount, part: name, fail: fail)
    }

    public func row(of user: String) -> Int? { rowOfUser.row(of: user).map(Int.init) }

    /// Where user row `row`'s entries are in `items` (and in row-aligned arrays such as weights).
    public func range(ofRow row: Int) -> Range<Int> { offsets[row]..<offsets[row + 1] }

    public func items(ofRow row: Int) -> ArraySlice<Int32> { items[range(ofRow: row)] }

    /// `user`'s training items, empty for a user not in the model.
    public func trainingItems(of user: String) -> [Int32] {
        row(of: user).map { Array(items(ofRow: $0)) } ?? []
    }
}

/// A scorer whose listener becomes one query vector scored against dense
/// item vectors: everything but building that vector comes with it.
public protocol DenseItemScorer: LoadedScorer {
    var items: DenseItems { get }
    var users: TrainingUsers { get }
    /// The listener's query vector (a user vector, or one folded in or pooled from history).
    func queryVector(for listener: Listener) throws(ScoringError) -> [Float]
}

extension DenseItemScorer {
    public var facts: [String: Int] {
        var facts = ["items": items.ids.count, "users": users.ids.count, "dims": items.dimension]
        if let graph = items.graph {
            facts["hnsw_m"] = graph.m
            facts["ef"] = items.ann.ef
        }
        return facts
    }

    public var itemIDs: IDList { items.ids }

    public func item(of id: String) -> Int32? { items.row(of: id) }

    public func trainingItems(of user: String) -> [Int32] { users.trainingItems(of: user) }

    public func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError)
        -> [ScoredItem]
    {
        items.top(query: try queryVector(for: listener), k: k, excluding: exclusion)
    }

    public func recommend(
        for listener: Listener, k: Int, excluding exclusion: ItemExclusion, search: SearchOptions
    ) throws(ScoringError) -> [ScoredItem] {
        items.top(query: try queryVector(for: listener), k: k, excluding: exclusion, search: search)
    }

    public func score(_ scored: [Int32], for listener: Listener) throws(ScoringError) -> [Float] {
        items.scores(query: try queryVector(for: listener), items: scored)
    }

    /// The query vector built once (a fold-in is one least-squares solve).
    public func prepared(for listener: Listener) throws(ScoringError) -> any PreparedListener {
        PreparedQueryVector(items: items, query: try queryVector(for: listener))
    }

    /// Cosine similarity of the item vectors.
    public func similar(
        to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion
    ) throws(ScoringError) -> [ScoredItem] {
        try items.similar(to: seeds, strategy: strategy, k: k, excluding: exclusion)
    }
}

/// A listener's query vector against dense items, built once.
struct PreparedQueryVector: PreparedListener {
    let items: DenseItems
    let query: [Float]

    func recommend(k: Int, excluding exclusion: ItemExclusion) -> [ScoredItem] {
        items.top(query: query, k: k, excluding: exclusion)
    }

    func score(_ scored: [Int32]) -> [Float] { items.scores(query: query, items: scored) }
}
