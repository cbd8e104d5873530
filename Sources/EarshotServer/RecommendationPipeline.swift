import EarshotProtocol
import EarshotScoring
import EarshotTime

/// `recommend`, `similar` and `score` for every scorer: resolves ids,
/// builds the listener, the exclusions and the catalogue rules (one version
/// per song, artists), and has the scoring pool run it: one pass, the rules
/// applied inside it.
struct RecommendationPipeline: Sendable {
    let state: ServingState
    let ledger: ListenLedger
    let scoring: ScoringPool

    func recommend(_ request: RecommendRequest) async throws(ProtocolError) -> JSONValue {
        let (name, model) = try resolve(request.scorer)
        let catalogue = state.catalogue
        let (heardRows, storedHistory) = storedListens(of: request.user, model: model)
        var history = storedHistory
        var exclusion = ItemExclusion(count: model.scorer.itemIDs.count)
        var excludedSongs = Set<Int32>()
        for entry in request.history {
            guard let item = model.scorer.item(of: entry.track) else { continue }
            history.append(WeightedItem(item: item, weight: Float(entry.weight)))
            if request.excludeHeard { exclusion.exclude(item) }
            let row = model.rowOfItem[Int(item)]
            if request.excludeHeard, row >= 0 { excludedSongs.insert(catalogue.songOfRow[Int(row)]) }
        }
        if request.excludeHeard {
            for row in heardRows {
                excludedSongs.insert(catalogue.songOfRow[Int(row)])
                let item = model.itemOfRow[Int(row)]
                if item >= 0 { exclusion.exclude(item) }
            }
            if let user = modelUser(request.user) {
                for item in model.scorer.trainingItems(of: user) { exclusion.exclude(item) }
            }
        }
        for id in request.exclude {
            if let item = model.scorer.item(of: id) { exclusion.exclude(item) }
        }
        applyFilter(request.filter, model: model, to: &exclusion)
        let listener = Listener(user: modelUser(request.user), history: history)
        let items = try await select(
            .listener(listener), k: request.k, exclusion: exclusion, model: model, excludedSongs: excludedSongs,
            maxPerArtist: request.maxPerArtist, search: SearchOptions(ef: request.ef, exact: request.exact))
        var answer = response(scorer: name, items: items, model: model)
        if let source = UserVectorSource(listener: listener, scorer: model.scorer), case .object(var object) = answer {
            object["user_vector"] = .string(source.rawValue)
            answer = .object(object)
        }
        return answer
    }

    func similar(_ request: SimilarRequest) async throws(ProtocolError) -> JSONValue {
        let (name, model) = try resolve(request.scorer ?? DaemonConfiguration.similarScorer)
        let catalogue = state.catalogue
        var seeds: [Int32] = []
        var exclusion = ItemExclusion(count: model.scorer.itemIDs.count)
        var excludedSongs = Set<Int32>()
        for id in request.tracks {
            let item = model.scorer.item(of: id)
            let row = catalogue.row(of: id)
            guard item != nil || row != nil else {
                throw ProtocolError(.unknownTrack, "track \(id) is not in the catalogue or the \(name) model")
            }
            if let row { excludedSongs.insert(catalogue.songOfRow[Int(row)]) }
            if let item {
                seeds.append(item)
                exclusion.exclude(item)
            }
        }
        guard !seeds.isEmpty else {
            throw ProtocolError(.unknownTrack, "the \(name) scorer has none of the seed tracks (no audio features or not trained on them)")
        }
        for id in request.exclude {
            if let item = model.scorer.item(of: id) { exclusion.exclude(item) }
        }
        let strategy = SeedStrategy(rawValue: request.strategy.rawValue) ?? .average
        let items = try await select(
            .seeds(seeds, strategy), k: request.k, exclusion: exclusion, model: model, excludedSongs: excludedSongs,
            maxPerArtist: nil)
        return response(scorer: name, items: items, model: model)
    }

    func score(_ request: ScoreRequest) throws(ProtocolError) -> JSONValue {
        let (name, model) = try resolve(request.scorer)
        var history = storedListens(of: request.user, model: model).history
        for entry in request.history {
            if let item = model.scorer.item(of: entry.track) {
                history.append(WeightedItem(item: item, weight: Float(entry.weight)))
            }
        }
        let known = request.tracks.map { model.scorer.item(of: $0) }
        let scores: [Float]
        do {
            scores = try model.scorer.score(
                known.compactMap { $0 }, for: Listener(user: modelUser(request.user), history: history))
        } catch {
            throw Self.protocolError(error)
        }
        var next = scores.makeIterator()
        let entries: [JSONValue] = zip(request.tracks, known).map { id, item in
            let score = item == nil ? nil : next.next()
            return .object(["track": .string(id), "score": score.map { .double(Double($0)) } ?? .null])
        }
        return .object(["scorer": .string(name), "snapshot": snapshotID, "scores": .array(entries)])
    }

    // MARK: - Shared steps

    /// What the store knows of `user`: rows heard (stored listens plus those
    /// recorded since the state was built) and the weighted profile in the
    /// scorer's item space.
    private func storedListens(of user: String?, model: ReadyScorer) -> (heard: Set<Int32>, history: [WeightedItem]) {
        guard let user else { return ([], []) }
        let catalogue = state.catalogue
        // A user forgotten since the state was built has no stored profile any more.
        let profile = ledger.forgottenAt(user) == nil ? state.listeners[user] : nil
        var heard = profile?.heardRows ?? []
        var history: [WeightedItem] = []
        for (row, weight) in profile?.weightedRows ?? [] {
            let item = model.itemOfRow[Int(row)]
            if item >= 0 { history.append(WeightedItem(item: item, weight: weight)) }
        }
        for id in ledger.tracks(of: user).sorted() {
            guard let row = catalogue.row(of: id), heard.insert(row).inserted else { continue }
            let item = model.itemOfRow[Int(row)]
            if item >= 0 { history.append(WeightedItem(item: item, weight: 1)) }
        }
        return (heard, history)
    }

    /// `user` when the models may use what they learnt of it; `nil` for a user
    /// forgotten after the snapshot was trained, whose trained vector and
    /// training items must no longer count.
    private func modelUser(_ user: String?) -> String? {
        guard let user, let forgotten = ledger.forgottenAt(user) ?? state.forgotten[user] else { return user }
        guard let created = state.snapshotStatus.flatMap({ ISO8601Timestamp.parse($0.createdAt) }) else { return user }
        return created > forgotten ? user : nil
    }

    private var snapshotID: JSONValue { state.snapshotStatus.map { .string($0.id) } ?? .null }

    private func resolve(_ requested: String?) throws(ProtocolError) -> (String, ReadyScorer) {
        let name = requested ?? state.configuration.defaultScorer
        guard let slot = state.scorer(named: name) else {
            let known = state.scorers.map(\.name).joined(separator: ", ")
            throw ProtocolError(.unknownScorer, "no scorer named \(name); this daemon has: \(known.isEmpty ? "none" : known)")
        }
        guard let model = slot.model else {
            throw ProtocolError(.notReady, "scorer \(name) is not ready: \(slot.notReadyReason ?? "no model loaded")")
        }
        return (name, model)
    }

    private func applyFilter(_ filter: ResultFilter, model: ReadyScorer, to exclusion: inout ItemExclusion) {
        guard !filter.genres.isEmpty || filter.explicit != nil else { return }
        let catalogue = state.catalogue
        let inGenres = filter.genres.isEmpty ? nil : catalogue.rows(inAnyOf: filter.genres)
        for (item, row) in model.rowOfItem.enumerated() {
            guard row >= 0 else {
                exclusion.exclude(Int32(item))
                continue
            }
            let genreOK = inGenres?[Int(row)] ?? true
            let explicitOK = filter.explicit.map { $0 == catalogue.explicitOfRow[Int(row)] } ?? true
            if !(genreOK && explicitOK) { exclusion.exclude(Int32(item)) }
        }
    }

    /// One pass on the scoring pool, the catalogue rules applied in it.
    private func select(
        _ query: ScoringRequest.Query, k: Int, exclusion: ItemExclusion, model: ReadyScorer, excludedSongs: Set<Int32>,
        maxPerArtist: Int?, search: SearchOptions = SearchOptions()
    ) async throws(ProtocolError) -> [ScoredItem] {
        var rules = model.rules
        rules?.excludedSongs = excludedSongs
        rules?.maxPerArtist = maxPerArtist
        let request = ScoringRequest(query: query, k: k, exclusion: exclusion, rules: rules, search: search)
        switch await scoring.score(request, on: model) {
        case .success(let items): return items
        case .failure(let error): throw Self.protocolError(error)
        }
    }

    private func response(scorer: String, items: [ScoredItem], model: ReadyScorer) -> JSONValue {
        let entries = items.map { scored in
            ResultFormatting.item(
                id: model.scorer.itemIDs[Int(scored.item)], row: model.rowOfItem[Int(scored.item)],
                score: scored.score, catalogue: state.catalogue)
        }
        return .object(["scorer": .string(scorer), "snapshot": snapshotID, "items": .array(entries)])
    }

    static func protocolError(_ error: ScoringError) -> ProtocolError {
        switch error {
        case .unknownUser(let user):
            ProtocolError(.unknownUser, "user \(user) has no listens and is not in the model; send a history instead")
        case .noKnownItems:
            ProtocolError(.unknownTrack, "none of the given tracks is known to the scorer")
        case .scorerFailed(let why):
            ProtocolError(.internal, "the scorer failed: \(why)")
        }
    }
}
