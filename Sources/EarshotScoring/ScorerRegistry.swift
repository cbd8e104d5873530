/// The scorer plugins a binary links, by name.
///
/// Adding a scorer is one entry here, made by the executable that links it,
/// so `EarshotServer` never names a concrete plugin.
public struct ScorerRegistry: Sendable {
    /// The built-in scorers.
    public let plugins: [any ScorerPlugin.Type]
    /// Every scorer, built-in first, then those loaded from plugin files.
    public let scorers: [ScorerFactory]

    public init(_ plugins: [any ScorerPlugin.Type]) {
        var seen = Set<String>()
        for plugin in plugins {
            precondition(seen.insert(plugin.name).inserted, "two scorer plugins are named \(plugin.name)")
        }
        self.plugins = plugins
        scorers = plugins.map { ScorerFactory($0) }
    }

    private init(plugins: [any ScorerPlugin.Type], scorers: [ScorerFactory]) {
        self.plugins = plugins
        self.scorers = scorers
    }

    public var names: [String] { scorers.map(\.name) }

    /// This registry with `scorer` added, or `nil` when a scorer of that name exists.
    public func adding(_ scorer: ScorerFactory) -> ScorerRegistry? {
        guard self.scorer(named: scorer.name) == nil else { return nil }
        return ScorerRegistry(plugins: plugins, scorers: scorers + [scorer])
    }

    /// The scorer named `name`, built-in or loaded.
    public func scorer(named name: String) -> ScorerFactory? {
        scorers.first { $0.name == name }
    }

    public func plugin(named name: String) -> (any ScorerPlugin.Type)? {
        plugins.first { $0.name == name }
    }
}
