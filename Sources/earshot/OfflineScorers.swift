import EarshotScorers
import EarshotScoring
import EarshotSnapshot

/// The scorers `earshot` loads in-process (offline evaluation, blend
/// fitting): the daemon's registry, in its order, so a blend (last) reaches
/// the scorers loaded before it, as in the daemon.
enum OfflineScorers {
    static let registry = BuiltInScorers.registry

    /// Loads every scorer that can load, in order; each sees those before
    /// it. `parts` replaces the snapshot's parts by name. Returns the loaded
    /// scorers and why the others could not load.
    static func loadAll(
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

    /// Loads `wanted` as `loadAll` does, or says why it cannot.
    static func load(
        _ wanted: String, snapshot: Snapshot?, catalogue: TrackCatalogue, parts overrides: [String: SnapshotPart] = [:],
        settings: [String: [String: String]] = [:]
    ) throws(CLIError) -> any LoadedScorer {
        guard registry.scorer(named: wanted) != nil else {
            throw CLIError("--scorer: no scorer named \(wanted); known: \(registry.names.joined(separator: ", "))")
        }
        let (loaded, failures) = loadAll(snapshot: snapshot, catalogue: catalogue, parts: overrides, settings: settings)
        guard let scorer = loaded[wanted] else { throw CLIError("scorer \(wanted): \(failures[wanted] ?? "not loaded")") }
        return scorer
    }
}
