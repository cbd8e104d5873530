import Artists
import Blend
import ContentSimilarity
import EarshotScoring
import EarshotSnapshot
import MatrixFactorization
import Popular
import TwoTower

/// The scorers `earshot` loads in-process (offline evaluation, blend
/// fitting), in the daemon's order: a blend last, so it reaches the scorers
/// loaded before it.
enum OfflineScorers {
    static let registry = ScorerRegistry([
        ContentSimilarityPlugin.self, MatrixFactorizationPlugin.self, TwoTowerPlugin.self, PopularPlugin.self,
        ArtistsPlugin.self, BlendPlugin.self,
    ])

    /// Loads every scorer that can load, in order; each sees those before
    /// it. `parts` replaces the snapshot's parts by name. Returns the loaded
    /// scorers and why the others could not load.
    static func loadAll(
        snapshot: Snapshot?, catalogue: TrackCatalogue, parts overrides: [String: SnapshotPart] = [:],
        settings: [String: [String: String]] = [:]
    ) -> (loaded: [String: any LoadedScorer], failures: [String: String]) {
        var loaded: [String: any LoadedScorer] = [:]
        var failures: [String: String] = [:]
        for plugin in registry.plugins {
            let name = plugin.name
            let context = ScorerLoadContext(
                catalogue: catalogue, part: overrides[name] ?? snapshot?.parts[name], settings: settings[name] ?? [:],
                scorers: loaded)
            do {
                loaded[name] = try plugin.load(context)
            } catch {
                failures[name] = error.description
            }
        }
        return (loaded, failures)
    }

    /// Loads `wanted` as `loadAll` does, or says why it cannot.
    static func load(
        _ wanted: String, snapshot: Snapshot?, catalogue: TrackCatalogue, parts overrides: [String: SnapshotPart] = [:],
        settings: [String: [String: String]] = [:]
    ) throws(CLIError) -> any LoadedScorer {
        guard registry.plugin(named: wanted) != nil else {
            throw CLIError("--scorer: no scorer named \(wanted); known: \(registry.names.joined(separator: ", "))")
        }
        let (loaded, failures) = loadAll(snapshot: snapshot, catalogue: catalogue, parts: overrides, settings: settings)
        guard let scorer = loaded[wanted] else { throw CLIError("scorer \(wanted): \(failures[wanted] ?? "not loaded")") }
        return scorer
    }
}
