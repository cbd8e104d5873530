import Blend
import EarshotScorers
import EarshotScoring
import EarshotSnapshot
import EarshotTraining

/// A retrain's new weights for a `blend` part, fitted the way `earshot
/// train blend` fits them: its sources as the candidate trained them (on
/// everything but the held-out plays), each held-out user's training plays
/// as history and their held-out tracks as the hits; the refit sources
/// then serve with these weights.
struct BlendRefit {
    let recorded: RecordedPart

    func part(candidate: Snapshot, data: RetrainData) throws(RetrainError) -> (SnapshotPartContents, BlendFit.Result) {
        guard let sources = candidate.parts[recorded.name]?.idLists["sources"].map({ Array($0) }), !sources.isEmpty else {
            throw RetrainError("part \(recorded.name) has no sources.txt; retrain it with `earshot train blend`")
        }
        let (loaded, failures) = BuiltInScorers.loadAll(snapshot: candidate, catalogue: data.catalogue)
        var pooled: [(name: String, scorer: any LoadedScorer)] = []
        for name in sources {
            guard let scorer = loaded[name] else {
                throw RetrainError("blend source \(name) of the candidate does not load: \(failures[name] ?? "not loaded")")
            }
            pooled.append((name, scorer))
        }
        let pool = BlendPool(sources: pooled)
        let hyperparameters = recorded.hyperparameters
        let candidates = Int(hyperparameters[BlendPlugin.candidatesKey] ?? Double(BlendPlugin.defaultCandidates))
        let fitK = Int(hyperparameters[BlendPlugin.fitKKey] ?? Double(BlendFit.defaultK))
        // The weights in use are judged beside the search's on the same held-out users, and stay unless beaten.
        let previous = candidate.parts[recorded.name]?.matrices["weights"].map { Array($0.values) }
        let result = BlendFit(k: max(1, fitK), candidates: max(1, candidates)).fit(
            pool: pool, examples: examples(pool: pool, data: data), previous: previous)
        var part = BlendPart(sources: sources, weights: result.weights, hyperparameters: hyperparameters, training: recorded.manifest.training)
        part.recordFit(fittedNDCG: result.weightsNDCG, defaultNDCG: result.defaultNDCG, users: result.examples)
        var contents = part.snapshotPart()
        contents.name = recorded.name
        return (contents, result)
    }

    /// One example per held-out user: their training plays, their held-out tracks.
    private func examples(pool: BlendPool, data: RetrainData) -> [BlendFit.Example] {
        let historyOf = data.heldOutHistories
        var examples: [BlendFit.Example] = []
        for user in data.heldOut.keys.sorted() {
            let relevant = Set(data.heldOut[user]!.compactMap { pool.item(of: $0) })
            guard !relevant.isEmpty else { continue }
            let history = (historyOf[user] ?? []).compactMap { entry in
                pool.item(of: entry.id).map { WeightedItem(item: $0, weight: entry.weight) }
            }
            var exclusion = ItemExclusion(count: pool.itemIDs.count)
            for entry in history { exclusion.exclude(entry.item) }
            examples.append(BlendFit.Example(listener: Listener(user: user, history: history), exclusion: exclusion, relevant: relevant))
        }
        return examples
    }
}
