import EarshotScoring

/// The content scorer's work for one request, cut into item slices that the
/// daemon's workers share with other requests, with the catalogue rules
/// applied in the scan.
///
/// An item's score is its best over the request's queries (one for a
/// listener or a combined seed set, one per seed for `max`). `max` with many
/// seeds is one matrix product instead of a scan per seed: the audio-feature
/// part of every seed–item cosine comes from a blocked kernel
/// (`BatchKernels.maxDot16`), and the genre part, which is non-zero only
/// when the two share a genre, is added for exactly those pairs. The genre
/// part is never negative, so the best of the feature parts cannot exceed
/// the true best, and the scores equal the per-seed scan's bit for bit.
final class ContentPass: ScoringPass, @unchecked Sendable {
    // @unchecked Sendable: everything but `partial` and `scratch` is immutable
    // after init; worker `w` only touches partial[w] and scratch[w], never two
    // slices at once on one worker, and `results()` reads after all slices ran.
    let model: ContentModel
    let request: ScoringRequest
    let queries: [ContentQuery]
    let failure: ScoringError?
    /// For `max` with many seeds: the seeds' feature parts (16 floats each)
    /// and, per genre, the seeds that have it.
    let seedFeatures: [Float]
    let seedsOfGenre: [[Int32]]
    let product: Bool
    let sliceItems: Int
    let sliceCount: Int
    private let partial: UnsafeMutableBufferPointer<CandidateSelection>
    private let scratch: [UnsafeMutableBufferPointer<Float>]

    /// From this many queries on, the feature part is one kernel product.
    static let productFrom = 16
    /// Item–query pairs per slice (about a millisecond of work).
    static let sliceWork = 1 << 21

    init(model: ContentModel, request: ScoringRequest, workers: Int) {
        self.model = model
        self.request = request
        var failure: ScoringError?
        var queries: [ContentQuery] = []
        switch request.query {
        case .listener(let listener):
            if listener.history.isEmpty {
                failure = .unknownUser(listener.user ?? "")
            } else {
                queries = [ContentQuery(model: model, items: listener.history)]
            }
        case .seeds(let seeds, let strategy):
            if seeds.isEmpty { failure = .noKnownItems }
            switch strategy {
            case .average:
                queries = seeds.isEmpty ? [] : [ContentQuery(model: model, items: seeds.map { WeightedItem(item: $0, weight: 1) })]
            case .weighted:
                // Later seeds (the most recent plays) count more: weights 1, 2, …, n.
                let items = seeds.enumerated().map { WeightedItem(item: $1, weight: Float($0 + 1)) }
                queries = seeds.isEmpty ? [] : [ContentQuery(model: model, items: items)]
            case .max:
                queries = seeds.map { ContentQuery(model: model, items: [WeightedItem(item: $0, weight: 1)]) }
            }
        }
        self.failure = failure
        self.queries = queries
        product = queries.count >= Self.productFrom
        if product {
            var features = [Float](repeating: 0, count: queries.count * 16)
            var byGenre = [[Int32]](repeating: [], count: model.genreCount)
            guard case .seeds(let seeds, _) = request.query else { preconditionFailure("products are for seeds") }
            for (index, query) in queries.enumerated() {
                for lane in 0..<16 { features[index * 16 + lane] = query.features[lane] }
                let seed = Int(seeds[index])
                for position in Int(model.genreStart[seed])..<Int(model.genreStart[seed + 1]) {
                    byGenre[Int(model.genreIndex[position])].append(Int32(index))
                }
            }
            seedFeatures = features
            seedsOfGenre = byGenre
        } else {
            seedFeatures = []
            seedsOfGenre = []
        }
        let items = model.itemIDs.count
        // A light request still gets a few slices, so every core helps with it.
        sliceItems = max(64, min(items, Self.sliceWork / max(1, queries.count), max(5_000, (items + 3) / 4)))
        sliceCount = failure == nil ? max(1, (items + sliceItems - 1) / sliceItems) : 0
        let workers = max(1, workers)
        partial = .allocate(capacity: workers)
        partial.initialize(repeating: CandidateSelection(k: max(1, request.k), rules: request.rules))
        let scratchSize = product ? sliceItems : 0
        scratch = (0..<workers).map { _ in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: scratchSize)
            buffer.initialize(repeating: 0)
            return buffer
        }
    }

    deinit {
        _ = partial.deinitialize()
        partial.deallocate()
        for buffer in scratch { buffer.deallocate() }
    }

    func run(slice: Int, worker: Int) {
        let first = slice * sliceItems
        let end = min(model.itemIDs.count, first + sliceItems)
        guard first < end else { return }
        let exclusion = request.exclusion
        let selection = partial.baseAddress! + worker
        guard product else {
            for item in first..<end where !exclusion.contains(Int32(item)) {
                var score = -Float.infinity
                for query in queries { score = max(score, query.score(item, in: model)) }
                if score >= selection.pointee.threshold { selection.pointee.offer(item: Int32(item), score: score) }
            }
            return
        }
        let best = scratch[worker].baseAddress!
        seedFeatures.withUnsafeBufferPointer { seeds in
            model.features.withUnsafeBufferPointer { features in
                (features.baseAddress! + first).withMemoryRebound(to: Float.self, capacity: (end - first) * 16) { rows in
                    BatchKernels.maxDot16(
                        seeds: seeds.baseAddress!, count: queries.count, rows: rows, rowCount: end - first,
                        lanes: ContentModel.featureNames.count, into: best)
                }
            }
        }
        for item in first..<end where !exclusion.contains(Int32(item)) {
            var score = best[item - first]
            for position in Int(model.genreStart[item])..<Int(model.genreStart[item + 1]) {
                for seed in seedsOfGenre[Int(model.genreIndex[position])] {
                    score = max(score, queries[Int(seed)].score(item, in: model))
                }
            }
            if score >= selection.pointee.threshold { selection.pointee.offer(item: Int32(item), score: score) }
        }
    }

    func results() -> [Result<[ScoredItem], ScoringError>] {
        if let failure { return [.failure(failure)] }
        var merged = partial[0]
        for worker in 1..<partial.count { merged.merge(partial[worker]) }
        return [.success(merged.sorted())]
    }
}

extension ContentSimilarityScorer {
    func pass(for requests: [ScoringRequest], workers: Int) -> any ScoringPass {
        precondition(requests.count == 1, "the content scorer runs one request per pass")
        return ContentPass(model: model, request: requests[0], workers: workers)
    }
}
