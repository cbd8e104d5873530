/// A listener a scorer has looked at once (its query vector, folded-in
/// user, …), ready for `recommend` and `score` without looking again: what a
/// blend asks of each source, whose top items it pools before it scores the
/// pool.
public protocol PreparedListener: Sendable {
    /// As the scorer's `recommend(for:k:excluding:)` for this listener.
    func recommend(k: Int, excluding exclusion: ItemExclusion) throws(ScoringError) -> [ScoredItem]
    /// As the scorer's `score(_:for:)` for this listener.
    func score(_ items: [Int32]) throws(ScoringError) -> [Float]
}

extension LoadedScorer {
    /// A scorer with no state of its own to share prepares nothing: each call
    /// goes to `recommend` and `score`.
    public func prepared(for listener: Listener) throws(ScoringError) -> any PreparedListener {
        Unprepared(scorer: self, listener: listener)
    }
}

/// The listener as it is, each call passed to the scorer.
struct Unprepared<Scorer: LoadedScorer>: PreparedListener {
    let scorer: Scorer
    let listener: Listener

    func recommend(k: Int, excluding exclusion: ItemExclusion) throws(ScoringError) -> [ScoredItem] {
        try scorer.recommend(for: listener, k: k, excluding: exclusion)
    }

    func score(_ items: [Int32]) throws(ScoringError) -> [Float] { try scorer.score(items, for: listener) }
}
