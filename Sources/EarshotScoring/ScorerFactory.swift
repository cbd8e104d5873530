/// One entry of a `ScorerRegistry`: a scorer's name and how to load it,
/// whether a `ScorerPlugin` type linked into the binary or a plugin file
/// opened at run time (`EarshotPlugins`).
public struct ScorerFactory: Sendable {
    public let name: String
    /// One line for `scorers`.
    public let summary: String
    /// The plugin's own version, for scorers loaded from a file.
    public let version: String?
    /// The file a loaded plugin came from; `nil` for built-in scorers.
    public let origin: String?
    private let build: @Sendable (ScorerLoadContext) throws(ScorerLoadError) -> any LoadedScorer

    public init(
        name: String, summary: String, version: String? = nil, origin: String? = nil,
        load: @escaping @Sendable (ScorerLoadContext) throws(ScorerLoadError) -> any LoadedScorer
    ) {
        self.name = name
        self.summary = summary
        self.version = version
        self.origin = origin
        self.build = load
    }

    /// A built-in scorer.
    public init(_ plugin: any ScorerPlugin.Type) {
        self.init(name: plugin.name, summary: plugin.summary) { (context) throws(ScorerLoadError) in
            try plugin.load(context)
        }
    }

    /// Builds the model, or explains why this scorer cannot serve.
    public func load(_ context: ScorerLoadContext) throws(ScorerLoadError) -> any LoadedScorer {
        try build(context)
    }
}
