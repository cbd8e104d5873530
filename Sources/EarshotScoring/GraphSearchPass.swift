/// `recommend` requests answered from a dense scorer's HNSW graph, one
/// slice each: the graph's candidate list (at least `ef` long when catalogue
/// rules apply, so versions and artists can be dropped without asking
/// again) goes through the same `CandidateSelection` as a scan. When the
/// rules leave fewer than `k`, that request falls back to the exact scan
/// with the rules in it, so it still answers `k` items when there are `k`.
final class GraphSearchPass: ScoringPass {
    let items: DenseItems
    let requests: [ScoringRequest]
    let queryVector: @Sendable (Listener) throws(ScoringError) -> [Float]
    /// Slot `i` is written by slice `i` only.
    private let outcomes: SlotBuffer<Result<[ScoredItem], ScoringError>>

    init(
        items: DenseItems, requests: [ScoringRequest],
        queryVector: @escaping @Sendable (Listener) throws(ScoringError) -> [Float]
    ) {
        self.items = items
        self.requests = requests
        self.queryVector = queryVector
        outcomes = SlotBuffer(count: requests.count, repeating: .success([]))
    }

    var sliceCount: Int { requests.count }

    func run(slice: Int, worker: Int) {
        let request = requests[slice]
        guard case .listener(let listener) = request.query else {
            preconditionFailure("GraphSearchPass answers recommend requests only")
        }
        outcomes[slice] = Result { () throws(ScoringError) -> [ScoredItem] in
            let query = try queryVector(listener)
            guard request.k > 0 else { return [] }
            guard let rules = request.rules else {
                let found = items.graphCandidates(
                    query: query, count: request.k, search: request.search, excluding: request.exclusion)
                if found.count >= request.k { return found }
                return exact(request)
            }
            let wanted = max(request.k, request.search.ef ?? items.ann.ef)
            var selection = CandidateSelection(k: request.k, rules: rules)
            for candidate in items.graphCandidates(
                query: query, count: wanted, search: request.search, excluding: request.exclusion)
            {
                selection.offer(item: candidate.item, score: candidate.score)
            }
            let kept = selection.sorted()
            return kept.count >= request.k ? kept : exact(request)
        }
    }

    /// The request's exact scan, rules in it, run here on one thread.
    private func exact(_ request: ScoringRequest) -> [ScoredItem] {
        var scan = request
        scan.search.exact = true
        let pass = DenseBatchPass(items: items, requests: [scan], workers: 1, queryVector: queryVector)
        for slice in 0..<pass.sliceCount { pass.run(slice: slice, worker: 0) }
        return (try? pass.results()[0].get()) ?? []
    }

    func results() -> [Result<[ScoredItem], ScoringError>] { outcomes.all }
}
