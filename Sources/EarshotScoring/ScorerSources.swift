/// The scorers already loaded in the same load or reload, by name: what a
/// blend reads its sources through. A source stays alive as long as a model
/// holding it does.
public struct ScorerSources: Sendable {
    private let lookup: @Sendable (String) -> (any LoadedScorer)?

    public init(_ lookup: @escaping @Sendable (String) -> (any LoadedScorer)?) {
        self.lookup = lookup
    }

    /// No sources (a load outside the daemon, or the first scorer).
    public static let none = ScorerSources { _ in nil }

    public func scorer(named name: String) -> (any LoadedScorer)? { lookup(name) }
}
