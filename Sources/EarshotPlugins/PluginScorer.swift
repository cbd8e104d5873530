import CEarshotScorer
import EarshotScoring

#if canImport(Glibc)
    import Glibc
#endif

/// A model built by a plugin file, served as any other `LoadedScorer`: the
/// daemon's exclusions and filters (heard, versions, `max_per_artist`)
/// apply to it unchanged.
// @unchecked Sendable: the model is immutable once `load` returned and its
// callbacks may be called from any thread (scorer.h, "THREADING"); the
// Swift properties are `let`s.
public final class PluginScorer: LoadedScorer, @unchecked Sendable {
    public let library: PluginLibrary
    private let model: UnsafeMutableRawPointer?
    private let context: PluginLoadContext
    public let itemIDs: IDList
    public let facts: [String: Int]
    /// Each id's item, when the plugin named its own items; nil when they are catalogue rows.
    private let itemOfID: [String: Int32]?
    /// Song and primary artist of each item (-1 where the catalogue lacks it), for in-scan limits.
    private let songOfItem: [Int32]
    private let artistOfItem: [Int32]
    private var songCount: Int { Int(context.catalogue.pointer.pointee.song_count) }

    /// Calls the plugin's `load`; throws its reason when it cannot serve.
    public static func load(_ library: PluginLibrary, context: ScorerLoadContext) throws(ScorerLoadError) -> PluginScorer {
        let folder = context.part == nil ? nil : context.partFolder
        let load = PluginLoadContext(context, partFolder: folder)
        var model: UnsafeMutableRawPointer?
        var info = earshot_model_info()
        info.struct_size = UInt32(MemoryLayout<earshot_model_info>.size)
        var error = earshot_error()
        let status = library.descriptor.load!(library.host.handle, load.handle, &model, &info, &error)
        guard status == earshot_status(EARSHOT_OK) else {
            throw ScorerLoadError(error.message(or: "load failed with status \(status)"))
        }
        let catalogue = load.catalogue.pointer.pointee
        let count = Int(info.item_count)
        guard count >= 0, info.item_ids != nil || count <= Int(catalogue.track_count) else {
            library.descriptor.free_model!(model)
            throw ScorerLoadError("load reported \(count) catalogue items; the catalogue has \(catalogue.track_count)")
        }
        let ids: [String] =
            if let itemIDs = info.item_ids {
                (0..<count).map { String(cString: itemIDs[$0]!) }
            } else {
                (0..<count).map { String(cString: catalogue.track_ids[$0]!) }
            }
        var facts: [String: Int] = ["items": count]
        withUnsafeBytes(of: info.fact_names) { names in
            withUnsafeBytes(of: info.fact_values) { values in
                let namePointers = names.bindMemory(to: UnsafePointer<CChar>?.self)
                let valueNumbers = values.bindMemory(to: Int64.self)
                for index in 0..<min(Int(info.fact_count), namePointers.count) {
                    if let name = namePointers[index] { facts[String(cString: name)] = Int(valueNumbers[index]) }
                }
            }
        }
        return PluginScorer(
            library: library, model: model, context: load, itemIDs: ids, catalogueRows: info.item_ids == nil, facts: facts)
    }

    private init(
        library: PluginLibrary, model: UnsafeMutableRawPointer?, context: PluginLoadContext, itemIDs: [String],
        catalogueRows sameAsCatalogue: Bool, facts: [String: Int]
    ) {
        self.library = library
        self.model = model
        self.context = context
        self.itemIDs = IDList(itemIDs)
        self.facts = facts
        let catalogue = context.catalogue.catalogue
        if sameAsCatalogue {
            // Items are the first catalogue rows: the catalogue's own index finds them.
            itemOfID = nil
        } else {
            var index = [String: Int32](minimumCapacity: itemIDs.count)
            for (item, id) in itemIDs.enumerated() where index[id] == nil { index[id] = Int32(item) }
            itemOfID = index
        }
        let view = context.catalogue.pointer.pointee
        var songs = [Int32](repeating: -1, count: itemIDs.count)
        var artists = [Int32](repeating: -1, count: itemIDs.count)
        for (item, id) in itemIDs.enumerated() {
            guard let row = sameAsCatalogue ? Int32(item) : catalogue.row(of: id) else { continue }
            songs[item] = catalogue.songOfRow[Int(row)]
            let first = view.artist_offsets[Int(row)]
            if first < view.artist_offsets[Int(row) + 1] { artists[item] = view.track_artists[Int(first)] }
        }
        songOfItem = songs
        artistOfItem = artists
    }

    deinit {
        // Every request holding this model has returned: the state that
        // served them released it (scorer.h, "THREADING").
        library.descriptor.free_model!(model)
    }

    public func item(of id: String) -> Int32? {
        guard let itemOfID else { return context.catalogue.catalogue.row(of: id).flatMap { Int($0) < itemIDs.count ? $0 : nil } }
        return itemOfID[id]
    }

    public func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError)
        -> [ScoredItem]
    {
        try recommend([PluginRequest(listener: listener, k: k, exclusion: exclusion)])[0].get()
    }

    public func similar(
        to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion
    ) throws(ScoringError) -> [ScoredItem] {
        try similar(to: seeds, strategy: strategy, k: k, excluding: exclusion, limits: nil)
    }

    /// `similar` with song and artist limits applied inside the plugin's scan.
    public func similar(
        to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion, limits: PluginLimits?
    ) throws(ScoringError) -> [ScoredItem] {
        guard let similar = library.descriptor.similar else {
            throw .scorerFailed("scorer \(library.name) has no similar; use it with recommend")
        }
        let code: Int32 =
            switch strategy {
            case .average: Int32(EARSHOT_SEEDS_AVERAGE)
            case .weighted: Int32(EARSHOT_SEEDS_WEIGHTED)
            case .max: Int32(EARSHOT_SEEDS_MAX)
            }
        let request = PluginRequest(listener: Listener(user: nil, history: []), k: k, exclusion: exclusion, limits: limits)
        let answers = answer([request]) { constraints, results in
            seeds.withUnsafeBufferPointer { seedBuffer in
                var query = earshot_similar_request(
                    seed_count: Int32(seeds.count), seeds: seedBuffer.baseAddress, strategy: code, k: Int32(k),
                    constraints: constraints[0])
                return similar(UnsafeRawPointer(model), &query, results, 1)
            }
        }
        return try answers[0].get()
    }

    public func score(_ items: [Int32], for listener: Listener) throws(ScoringError) -> [Float] {
        var scores = [Float](repeating: .nan, count: items.count)
        var error = earshot_error()
        let status = withListener(listener) { cListener in
            items.withUnsafeBufferPointer { itemBuffer in
                scores.withUnsafeMutableBufferPointer { out in
                    library.descriptor.score!(
                        UnsafeRawPointer(model), cListener, itemBuffer.baseAddress, Int32(items.count), out.baseAddress,
                        &error)
                }
            }
        }
        guard status == earshot_status(EARSHOT_OK) else { throw HostAPI.scoringError(status, error: error, user: listener.user) }
        return scores
    }

    /// Several listeners in one call of the plugin; each answer respects its
    /// request's exclusion and, when given, its song and artist limits.
    public func recommend(_ requests: [PluginRequest]) -> [Result<[ScoredItem], ScoringError>] {
        guard !requests.isEmpty else { return [] }
        // Host-owned copies of the histories, valid for the call.
        let total = requests.reduce(0) { $0 + $1.listener.history.count }
        let items = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, total))
        let weights = UnsafeMutablePointer<Float>.allocate(capacity: max(1, total))
        var users: [UnsafeMutablePointer<CChar>?] = []
        defer {
            items.deallocate()
            weights.deallocate()
            for user in users { free(user) }
        }
        var listeners: [earshot_listener] = []
        var offset = 0
        for request in requests {
            let history = request.listener.history
            for (index, entry) in history.enumerated() {
                items[offset + index] = entry.item
                weights[offset + index] = entry.weight
            }
            let user = request.listener.user.flatMap { strdup($0) }
            users.append(user)
            listeners.append(
                earshot_listener(
                    user: user.map { UnsafePointer($0) }, history_count: Int32(history.count),
                    history_items: items + offset, history_weights: weights + offset))
            offset += history.count
        }
        return answer(requests) { constraints, results in
            let batch = zip(zip(listeners, requests), constraints).map { pair, constraints in
                earshot_recommend_request(listener: pair.0, k: Int32(pair.1.k), constraints: constraints)
            }
            return batch.withUnsafeBufferPointer {
                library.descriptor.recommend!(UnsafeRawPointer(model), $0.baseAddress, results, Int32(requests.count))
            }
        }
    }

    /// Builds result buffers, collectors and constraints for `requests`,
    /// lets `call` run the plugin, and reads the answers back.
    private func answer(
        _ requests: [PluginRequest],
        call: ([earshot_constraints], UnsafeMutablePointer<earshot_result>) -> earshot_status
    ) -> [Result<[ScoredItem], ScoringError>] {
        let count = requests.count
        let results = UnsafeMutablePointer<earshot_result>.allocate(capacity: count)
        results.initialize(repeating: earshot_result(), count: count)
        let capacity = requests.reduce(0) { $0 + max(0, $1.k) }
        let items = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, capacity))
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: max(1, capacity))
        defer {
            results.deallocate()
            items.deallocate()
            scores.deallocate()
        }
        var offset = 0
        var collectors: [ResultCollector] = []
        var constraints: [earshot_constraints] = []
        var excludedSongs: [[UInt64]] = []
        for (index, request) in requests.enumerated() {
            results[index].capacity = Int32(max(0, request.k))
            results[index].items = items + offset
            results[index].scores = scores + offset
            offset += max(0, request.k)
            excludedSongs.append(request.limits?.excludedSongWords(songs: songCount) ?? [])
        }
        let status = songOfItem.withUnsafeBufferPointer { songs in
            artistOfItem.withUnsafeBufferPointer { artists in
                withExclusions(requests.map(\.exclusion)) { exclusionWords in
                    withWords(excludedSongs) { songWords in
                        for (index, request) in requests.enumerated() {
                            var constraint = earshot_constraints()
                            constraint.exclusion = exclusionWords[index]
                            if let limits = request.limits {
                                constraint.song_of_item = limits.oneVersionPerSong ? songs.baseAddress : nil
                                constraint.excluded_songs = limits.oneVersionPerSong ? songWords[index] : nil
                                constraint.artist_of_item = artists.baseAddress
                                constraint.max_per_artist = Int32(clamping: limits.maxPerArtist ?? 0)
                            }
                            let collector = ResultCollector(
                                k: max(0, request.k), constraints: constraint, result: results + index)
                            collectors.append(collector)
                            constraint.collector = collector.handle
                            constraints.append(constraint)
                        }
                        return withExtendedLifetime(collectors) { call(constraints, results) }
                    }
                }
            }
        }
        return (0..<count).map { index in
            let result = results[index]
            let ok = earshot_status(EARSHOT_OK)
            guard status == ok, result.status == ok else {
                let failed = status == ok ? result.status : status
                return .failure(HostAPI.scoringError(failed, error: result.error, user: requests[index].listener.user))
            }
            let n = Int(min(max(0, result.count), result.capacity))
            return .success((0..<n).map { ScoredItem(item: result.items[$0], score: result.scores[$0]) })
        }
    }

    private func withListener<R>(_ listener: Listener, _ body: (UnsafePointer<earshot_listener>) -> R) -> R {
        let items = listener.history.map(\.item)
        let weights = listener.history.map(\.weight)
        return items.withUnsafeBufferPointer { itemBuffer in
            weights.withUnsafeBufferPointer { weightBuffer in
                func run(_ user: UnsafePointer<CChar>?) -> R {
                    var cListener = earshot_listener(
                        user: user, history_count: Int32(items.count), history_items: itemBuffer.baseAddress,
                        history_weights: weightBuffer.baseAddress)
                    return body(&cListener)
                }
                if let user = listener.user { return user.withCString { run($0) } }
                return run(nil)
            }
        }
    }
}

/// One recommend request of a batch sent to a plugin.
public struct PluginRequest: Sendable {
    public var listener: Listener
    public var k: Int
    public var exclusion: ItemExclusion
    /// Song and artist limits applied inside the plugin's scan; `nil`: none.
    public var limits: PluginLimits?

    public init(listener: Listener, k: Int, exclusion: ItemExclusion, limits: PluginLimits? = nil) {
        self.listener = listener
        self.k = k
        self.exclusion = exclusion
        self.limits = limits
    }
}

/// "One version per song" and `max_per_artist`, checked inside the scan.
public struct PluginLimits: Sendable {
    public var oneVersionPerSong: Bool
    /// Songs (catalogue song indices) none of whose versions may be returned.
    public var excludedSongs: Set<Int32>
    public var maxPerArtist: Int?

    public init(oneVersionPerSong: Bool = true, excludedSongs: Set<Int32> = [], maxPerArtist: Int? = nil) {
        self.oneVersionPerSong = oneVersionPerSong
        self.excludedSongs = excludedSongs
        self.maxPerArtist = maxPerArtist
    }

    /// A bitset over all `songs` of the catalogue, as `earshot_constraints` wants it.
    func excludedSongWords(songs: Int) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: (songs + 63) / 64)
        for song in excludedSongs where song >= 0 && Int(song) < songs { words[Int(song) >> 6] |= 1 << UInt64(song & 63) }
        return words
    }
}

/// Runs `body` with the word pointers of each exclusion, in order.
private func withExclusions<R>(_ exclusions: [ItemExclusion], _ body: ([UnsafePointer<UInt64>?]) -> R) -> R {
    func nest(_ index: Int, _ pointers: [UnsafePointer<UInt64>?]) -> R {
        guard index < exclusions.count else { return body(pointers) }
        return exclusions[index].withUnsafeWords { nest(index + 1, pointers + [$0.baseAddress]) }
    }
    return nest(0, [])
}

private func withWords<R>(_ arrays: [[UInt64]], _ body: ([UnsafePointer<UInt64>?]) -> R) -> R {
    func nest(_ index: Int, _ pointers: [UnsafePointer<UInt64>?]) -> R {
        guard index < arrays.count else { return body(pointers) }
        return arrays[index].withUnsafeBufferPointer { nest(index + 1, pointers + [$0.isEmpty ? nil : $0.baseAddress]) }
    }
    return nest(0, [])
}
