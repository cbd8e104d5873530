import EarshotScoring

/// A batch of requests for a plugin scorer as one slice: every `recommend`
/// of the batch in one call of the plugin's `recommend`, each `similar` in a
/// call of its own, the catalogue rules handed in as the call's constraints
/// so the plugin applies them in its scan (scorer.h, `earshot_constraints`).
final class PluginPass: ScoringPass {
    let scorer: PluginScorer
    let requests: [ScoringRequest]
    /// Slot `i` is written by the one slice only.
    private let outcomes: SlotBuffer<Result<[ScoredItem], ScoringError>>

    init(scorer: PluginScorer, requests: [ScoringRequest]) {
        self.scorer = scorer
        self.requests = requests
        outcomes = SlotBuffer(count: requests.count, repeating: .success([]))
    }

    var sliceCount: Int { 1 }

    func run(slice: Int, worker: Int) {
        var answers = [Result<[ScoredItem], ScoringError>?](repeating: nil, count: requests.count)
        var batch: [PluginRequest] = []
        var positions: [Int] = []
        for (index, request) in requests.enumerated() {
            let limits = request.rules.map {
                PluginLimits(excludedSongs: $0.excludedSongs, maxPerArtist: $0.maxPerArtist)
            }
            switch request.query {
            case .listener(let listener):
                batch.append(PluginRequest(listener: listener, k: request.k, exclusion: request.exclusion, limits: limits))
                positions.append(index)
            case .seeds(let seeds, let strategy):
                answers[index] = Result { () throws(ScoringError) in
                    try scorer.similar(
                        to: seeds, strategy: strategy, k: request.k, excluding: request.exclusion, limits: limits)
                }
            }
        }
        for (position, answer) in zip(positions, scorer.recommend(batch)) { answers[position] = answer }
        for (index, answer) in answers.enumerated() { outcomes[index] = answer! }
    }

    func results() -> [Result<[ScoredItem], ScoringError>] { outcomes.all }
}

extension PluginScorer {
    /// A batch goes to the plugin in one `recommend` call.
    public var batchLimit: Int { 64 }

    public func pass(for requests: [ScoringRequest], workers: Int) -> any ScoringPass {
        PluginPass(scorer: self, requests: requests)
    }
}
