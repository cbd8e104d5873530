import Artists
import Blend
import ContentSimilarity
import EarshotScoring
import EarshotSnapshot
import MatrixFactorization
import Popular
import TwoTower

/// The scorers compiled into Earshot: the one list the daemon, `earshot
/// eval` and the demo start from (plugin files are added to it at load).
public enum BuiltInScorers {
    public static let registry = ScorerRegistry([
        ContentSimilarityPlugin.self, MatrixFactorizationPlugin.self, TwoTowerPlugin.self, PopularPlugin.self,
        ArtistsPlugin.self,
        // Last: a blend reaches the scorers loaded before it.
        BlendPlugin.self,
    ])

    /// Loads every built-in scorer that can load from `snapshot`, in the
    /// registry's order, each seeing those before it (as the daemon does, so
    /// a blend reaches its sources); `parts` replaces the snapshot's parts by
    /// name. Returns the loaded scorers and why the others could not load.
    public static func loadAll(
        snapshot: Snapshot?, catalogue: TrackCatalogue, parts overrides: [String: SnapshotPart] = [:],
        settings: [String: [String: String]] = [:]
    ) -> (loaded: [String: any LoadedScorer], failures: [String: String]) {
        var loaded: [String: any LoadedScorer] = [:]
        var failures: [String: String] = [:]
        for scorer in registry.scorers {
            let name = scorer.name
            let part = overrides[name] ?? snapshot?.parts[name]
            var context = ScorerLoadContext(catalogue: catalogue, part: part, settings: settings[name] ?? [:])
            let before = loaded
            context.sources = ScorerSources { before[$0] }
            if part != nil, overrides[name] == nil { context.partFolder = snapshot.map { $0.resolvedPath + "/" + name } }
            do {
                loaded[name] = try scorer.load(context)
            } catch {
                failures[name] = error.description
            }
        }
        return (loaded, failures)
    }
}
