import EarshotScorers
import EarshotScoring
import EarshotSnapshot

/// The scorers `earshot` loads in-process (offline evaluation, blend
/// fitting): the daemon's registry, in its order, so a blend (last) reaches
/// the scorers loaded before it, as in the daemon.
enum OfflineScorers {
    static let registry = BuiltInScorers.registry

    /// Loads `wanted` as `BuiltInScorers.loadAll` does, or says why it cannot.
    static func load(
        _ wanted: String, snapshot: Snapshot?, catalogue: TrackCatalogue, parts overrides: [String: SnapshotPart] = [:],
        settings: [String: [String: String]] = [:]
    ) throws(CLIError) -> any LoadedScorer {
        guard registry.scorer(named: wanted) != nil else {
            throw CLIError("--scorer: no scorer named \(wanted); known: \(registry.names.joined(separator: ", "))")
        }
        let (loaded, failures) = BuiltInScorers.loadAll(snapshot: snapshot, catalogue: catalogue, parts: overrides, settings: settings)
        guard let scorer = loaded[wanted] else { throw CLIError("scorer \(wanted): \(failures[wanted] ?? "not loaded")") }
        return scorer
    }
}
