/// Several requests over one dense item matrix in one pass: each block of
/// rows is scored against every request's query vectors with one blocked
/// kernel call (`BatchKernels.dotBlock`), so the matrix streams from memory
/// once per batch instead of once per request, and each request keeps its
/// own exclusions, rules and top-k.
///
/// Scores equal `DenseItems.top`'s for the same query (the kernel's rounding
/// matches `VectorKernels.dot4`), so batched and unbatched results agree.
final class DenseBatchPass: ScoringPass, @unchecked Sendable {
    // @unchecked Sendable: everything but `partial` and `scratch` is immutable.
    // Worker `w` only touches partial[w * requests.count + j] and scratch[w],
    // and the scheduler never runs two slices on one worker at once; `results()`
    // reads after every slice has run.
    let items: DenseItems
    let requests: [ScoringRequest]
    let workers: Int
    /// Query vectors of all requests, row-major; request `j` owns vectors `vectorStart[j]..<vectorStart[j + 1]`.
    let vectors: [Float]
    let vectorStart: [Int]
    /// Cosine requests (`similar`): scores are scaled by the row's inverse norm.
    let scaled: [Bool]
    let failures: [ScoringError?]
    let rowsPerSlice: Int
    let sliceCount: Int
    /// Rows scored per kernel call: the scores of a block stay in cache.
    let blockRows: Int
    private let partial: UnsafeMutableBufferPointer<CandidateSelection>
    private let scratch: [UnsafeMutableBufferPointer<Float>]

    /// Multiply-adds a slice is sized to (about a millisecond).
    static let sliceWork = 1 << 24

    init(items: DenseItems, requests: [ScoringRequest], workers: Int, queryVector: (Listener) throws(ScoringError) -> [Float]) {
        self.items = items
        self.requests = requests
        self.workers = max(1, workers)
        let d = items.dimension
        var vectors: [Float] = []
        var starts = [0]
        var scaled: [Bool] = []
        var failures: [ScoringError?] = []
        for request in requests {
            var failure: ScoringError?
            switch request.query {
            case .listener(let listener):
                do throws(ScoringError) {
                    let query = try queryVector(listener)
                    precondition(query.count == d, "a query vector has the items' dimension")
                    vectors += query
                } catch {
                    failure = error
                }
                scaled.append(false)
            case .seeds(let seeds, let strategy):
                if seeds.isEmpty { failure = .noKnownItems }
                vectors += Self.cosineQueries(items: items, seeds: seeds, strategy: strategy)
                scaled.append(true)
            }
            failures.append(failure)
            starts.append(vectors.count / d)
        }
        self.vectors = vectors
        vectorStart = starts
        self.scaled = scaled
        self.failures = failures
        let total = max(1, starts.last!)
        let rows = items.ids.count
        blockRows = max(8, min(512, (1 << 16) / total))
        // A small batch still gets a few slices, so every core helps with it.
        let perSlice = max(blockRows, min(Self.sliceWork / max(1, total * d), max(8_192, (rows + 3) / 4)))
        rowsPerSlice = (perSlice + blockRows - 1) / blockRows * blockRows
        sliceCount = max(1, (rows + rowsPerSlice - 1) / rowsPerSlice)
        partial = .allocate(capacity: self.workers * requests.count)
        for worker in 0..<self.workers {
            for (j, request) in requests.enumerated() {
                (partial.baseAddress! + worker * requests.count + j).initialize(
                    to: CandidateSelection(k: max(1, request.k), rules: request.rules))
            }
        }
        let scratchSize = total * blockRows
        scratch = (0..<self.workers).map { _ in
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

    /// `similar`'s query vectors: the weighted mean of the unit seed vectors
    /// (average, weighted), or each unit seed vector (max).
    static func cosineQueries(items: DenseItems, seeds: [Int32], strategy: SeedStrategy) -> [Float] {
        let d = items.dimension
        return items.vectors.withUnsafeBufferPointer { matrix -> [Float] in
            let base = matrix.baseAddress!
            switch strategy {
            case .average, .weighted:
                var query = [Float](repeating: 0, count: d)
                let weights = seeds.indices.map { strategy == .average ? Float(1) : Float($0 + 1) }
                let total = weights.reduce(0, +)
                query.withUnsafeMutableBufferPointer { q in
                    for (seed, weight) in zip(seeds, weights) {
                        VectorKernels.axpy(
                            weight / total * items.inverseNorms[Int(seed)], base + Int(seed) * d, q.baseAddress!, count: d)
                    }
                }
                return query
            case .max:
                var queries = [Float](repeating: 0, count: seeds.count * d)
                for (index, seed) in seeds.enumerated() {
                    let scale = items.inverseNorms[Int(seed)]
                    for lane in 0..<d { queries[index * d + lane] = base[Int(seed) * d + lane] * scale }
                }
                return queries
            }
        }
    }

    func run(slice: Int, worker: Int) {
        let rows = items.ids.count
        let d = items.dimension
        let first = slice * rowsPerSlice
        let end = min(rows, first + rowsPerSlice)
        guard first < end else { return }
        let total = vectorStart.last!
        guard total > 0 else { return }
        let buffer = scratch[worker].baseAddress!
        let selections = partial.baseAddress! + worker * requests.count
        items.vectors.withUnsafeBufferPointer { matrix in
            items.inverseNorms.withUnsafeBufferPointer { inverse in
                vectors.withUnsafeBufferPointer { queries in
                    var start = first
                    while start < end {
                        let count = min(blockRows, end - start)
                        BatchKernels.dotBlock(
                            queries: queries.baseAddress!, count: total, rows: matrix.baseAddress! + start * d,
                            rowCount: count, dimension: d, into: buffer)
                        for j in requests.indices where failures[j] == nil {
                            collect(
                                request: j, block: buffer, start: start, count: count, inverse: inverse,
                                into: selections + j)
                        }
                        start += count
                    }
                }
            }
        }
        // A pass still running on a replaced model keeps none of it resident.
        items.vectors.releaseBehindScan(first * d..<end * d)
    }

    /// Offers request `j`'s scores of one block (the best over its vectors).
    @inline(__always)
    private func collect(
        request j: Int, block: UnsafeMutablePointer<Float>, start: Int, count: Int,
        inverse: UnsafeBufferPointer<Float>, into selection: UnsafeMutablePointer<CandidateSelection>
    ) {
        let exclusion = requests[j].exclusion
        let from = vectorStart[j]
        let to = vectorStart[j + 1]
        let scale = scaled[j]
        var threshold = selection.pointee.threshold
        for r in 0..<count {
            var score = block[from * count + r]
            var v = from + 1
            while v < to {
                score = max(score, block[v * count + r])
                v += 1
            }
            if scale { score *= inverse[start + r] }
            guard score >= threshold else { continue }
            let item = Int32(start + r)
            guard !exclusion.contains(item) else { continue }
            selection.pointee.offer(item: item, score: score)
            threshold = selection.pointee.threshold
        }
    }

    func results() -> [Result<[ScoredItem], ScoringError>] {
        requests.indices.map { j in
            if let failure = failures[j] { return .failure(failure) }
            var merged = partial[j]
            for worker in 1..<workers { merged.merge(partial[worker * requests.count + j]) }
            return .success(merged.sorted())
        }
    }
}

extension DenseItemScorer {
    /// Requests a pass shares: beyond this a block's scores leave the cache.
    public var batchLimit: Int { 64 }

    /// A `recommend` answered from the graph walks it alone; scans share.
    public func sharesPass(_ request: ScoringRequest) -> Bool {
        guard case .listener = request.query else { return true }
        return !items.searchesGraph(request.search)
    }

    /// Graph searches when every request is answered from the graph
    /// (`GraphSearchPass`); otherwise one pass over the item matrix for all
    /// `requests` (`DenseBatchPass`).
    public func pass(for requests: [ScoringRequest], workers: Int) -> any ScoringPass {
        let queryVector: @Sendable (Listener) throws(ScoringError) -> [Float] = { listener throws(ScoringError) in
            try self.queryVector(for: listener)
        }
        let graphOnly = requests.allSatisfy { request in
            guard case .listener = request.query else { return false }
            return items.searchesGraph(request.search)
        }
        if graphOnly, !requests.isEmpty {
            return GraphSearchPass(items: items, requests: requests, queryVector: queryVector)
        }
        return DenseBatchPass(items: items, requests: requests, workers: workers, queryVector: queryVector)
    }
}
