/// One `recommend` or `similar` as a scorer sees it inside a pass.
public struct ScoringRequest: Sendable {
    public enum Query: Sendable {
        /// `recommend`: a listener.
        case listener(Listener)
        /// `similar`: seed items and how they combine.
        case seeds([Int32], SeedStrategy)
    }

    public var query: Query
    public var k: Int
    /// Items never returned (heard, given, filtered), in the scorer's item space.
    public var exclusion: ItemExclusion
    /// Song and artist rules applied in the scan; nil: none.
    public var rules: CandidateRules?
    /// The request's say in the search (an ANN index's `ef`, or the exact scan).
    public var search: SearchOptions

    public init(
        query: Query, k: Int, exclusion: ItemExclusion, rules: CandidateRules? = nil, search: SearchOptions = SearchOptions()
    ) {
        self.query = query
        self.k = k
        self.exclusion = exclusion
        self.rules = rules
        self.search = search
    }

    /// Query vectors this request scores per item: `similar` with `max`
    /// scores one per seed, everything else one.
    public var vectorCount: Int {
        if case .seeds(let seeds, .max) = query { return seeds.count }
        return 1
    }
}

/// Scoring work for one or more requests, cut into slices that worker
/// threads run in any order, several at once; `results` is read once every
/// slice has run. Slices are how the daemon shares its cores fairly: a
/// heavy request is many slices, and other requests' slices run between them.
public protocol ScoringPass: Sendable {
    var sliceCount: Int { get }
    /// Runs one slice on worker `worker` (below the `workers` the pass was made for).
    /// Two slices never run on the same worker at once.
    func run(slice: Int, worker: Int)
    /// One result per request, in order.
    func results() -> [Result<[ScoredItem], ScoringError>]
}

extension LoadedScorer {
    /// One request at a time: this scorer gains nothing from sharing a pass.
    public var batchLimit: Int { 1 }

    /// Every request may share a pass, up to `batchLimit`.
    public func sharesPass(_ request: ScoringRequest) -> Bool { true }

    /// Each request is one slice answered through `recommend` / `similar`;
    /// rules are applied by asking for more until `k` survive them (a
    /// scorer that applies them in its scan overrides this).
    public func pass(for requests: [ScoringRequest], workers: Int) -> any ScoringPass {
        RequestByRequestPass(scorer: self, requests: requests)
    }
}

/// The default pass: every request through the single-request API.
final class RequestByRequestPass<Scorer: LoadedScorer>: ScoringPass {
    let scorer: Scorer
    let requests: [ScoringRequest]
    /// Slot `i` is written by the slice running request `i` only.
    private let outcomes: SlotBuffer<Result<[ScoredItem], ScoringError>>

    init(scorer: Scorer, requests: [ScoringRequest]) {
        self.scorer = scorer
        self.requests = requests
        outcomes = SlotBuffer(count: requests.count, repeating: .success([]))
    }

    var sliceCount: Int { requests.count }

    func run(slice: Int, worker: Int) {
        let request = requests[slice]
        outcomes[slice] = Result { () throws(ScoringError) -> [ScoredItem] in
            try Self.select(request: request, total: scorer.itemIDs.count) { (fetch: Int) throws(ScoringError) in
                switch request.query {
                case .listener(let listener):
                    try scorer.recommend(for: listener, k: fetch, excluding: request.exclusion, search: request.search)
                case .seeds(let seeds, let strategy):
                    try scorer.similar(to: seeds, strategy: strategy, k: fetch, excluding: request.exclusion)
                }
            }
        }
    }

    func results() -> [Result<[ScoredItem], ScoringError>] { outcomes.all }

    /// Without rules, one ask for `k`; with rules, asks for more and widens
    /// the ask until `k` survive them or the scorer has nothing more.
    static func select(
        request: ScoringRequest, total: Int, fetch: (Int) throws(ScoringError) -> [ScoredItem]
    ) throws(ScoringError) -> [ScoredItem] {
        guard let rules = request.rules else { return try fetch(request.k) }
        var ask = min(total, request.k * 2 + 16)
        while true {
            let candidates = try fetch(max(ask, 1))
            var selection = CandidateSelection(k: request.k, rules: rules)
            for candidate in candidates { selection.offer(item: candidate.item, score: candidate.score) }
            let kept = selection.sorted()
            if kept.count == request.k || candidates.count < ask || ask >= total { return kept }
            ask = min(total, ask * 4)
        }
    }
}
