/// The scorer plugins a binary links, by name.
///
/// Adding a scorer is one entry here, made by the executable that links it,
/// so `EarshotServer` never names a concrete plugin.
public struct ScorerRegistry: Sendable {
    public let plugins: [any ScorerPlugin.Type]

    public init(_ plugins: [any ScorerPlugin.Type]) {
        var seen = Set<String>()
        for plugin in plugins {
            precondition(seen.insert(plugin.name).inserted, "two scorer plugins are named \(plugin.name)")
        }
        self.plugins = plugins
    }

    public var names: [String] { plugins.map { $0.name } }

    public func plugin(named name: String) -> (any ScorerPlugin.Type)? {
        plugins.first { $0.name == name }
    }
}
