import EarshotScoring

/// Offline evaluation of a loaded scorer, through the same plugin API the
/// daemon serves with (README, "Training and evaluation"): for every user with
/// test items, the scorer ranks all its items for `Listener(user:history:)`
/// with the user's training items (and weights) as history, training items
/// excluded; the top K is compared with the test items.
public struct OfflineEvaluation: Sendable {
    /// Averages over the users with test items.
    public struct Result: Sendable, Equatable {
        public var users: Int
        public var k: Int
        public var metrics: RankingMetrics
        /// Users the scorer could not rank for (unknown to it and no known
        /// training item); they count with zero metrics.
        public var unscoredUsers: Int
    }

    public let k: Int
    public let workers: Int

    public init(k: Int = 10, workers: Int = 1) {
        self.k = k
        self.workers = workers
    }

    /// Evaluates `scorer`; `progress(done, total)` is called between batches of users.
    public func run(
        scorer: any LoadedScorer, train: InteractionTable, test: InteractionTable,
        progress: (Int, Int) -> Void = { _, _ in }
    ) -> Result {
        let trainRows = SparseRows(
            rows: train.users, columns: train.items, values: train.weights, rowCount: train.userIDs.count,
            columnCount: train.itemIDs.count)
        let scorerItemOfTrainItem = train.itemIDs.map { scorer.item(of: $0) }
        let testRows = SparseRows(
            rows: test.users, columns: test.items, values: test.weights, rowCount: test.userIDs.count,
            columnCount: test.itemIDs.count)
        let itemCount = scorer.itemIDs.count
        let users = Array(0..<test.userIDs.count)
        var perUser = [RankingMetrics?](repeating: nil, count: users.count)
        var unscored = [Bool](repeating: false, count: users.count)
        let batch = 128
        for start in stride(from: 0, to: users.count, by: batch) {
            let end = min(users.count, start + batch)
            perUser.withUnsafeMutableBufferPointer { results in
                unscored.withUnsafeMutableBufferPointer { failures in
                    WorkSharing.run(pieces: end - start, workers: workers, makeScratch: {}) { piece, _ in
                        let testUser = start + piece
                        let id = test.userIDs[testUser]
                        var history: [WeightedItem] = []
                        var exclusion = ItemExclusion(count: itemCount)
                        var trainedIDs = Set<String>()
                        if let trainUser = train.user(of: id).map(Int.init) {
                            for position in trainRows.offsets[trainUser]..<trainRows.offsets[trainUser + 1] {
                                let trainItem = Int(trainRows.columns[position])
                                trainedIDs.insert(train.itemIDs[trainItem])
                                guard let item = scorerItemOfTrainItem[trainItem] else { continue }
                                history.append(WeightedItem(item: item, weight: trainRows.values[position]))
                                exclusion.exclude(item)
                            }
                        }
                        for item in scorer.trainingItems(of: id) { exclusion.exclude(item) }
                        let relevant = Set(
                            (testRows.offsets[testUser]..<testRows.offsets[testUser + 1])
                                .map { test.itemIDs[Int(testRows.columns[$0])] }
                        ).subtracting(trainedIDs)
                        guard !relevant.isEmpty else { return }
                        let ranked: [ScoredItem]
                        do {
                            ranked = try scorer.recommend(for: Listener(user: id, history: history), k: k, excluding: exclusion)
                        } catch {
                            failures[testUser] = true
                            results[testUser] = RankingMetrics(recall: 0, ndcg: 0, hit: 0)
                            return
                        }
                        let relevance = ranked.map { relevant.contains(scorer.itemIDs[Int($0.item)]) }
                        results[testUser] = RankingMetrics.of(relevance: relevance, relevantCount: relevant.count, k: k)
                    }
                }
            }
            progress(end, users.count)
        }
        let evaluated = perUser.compactMap { $0 }
        return Result(
            users: evaluated.count, k: k, metrics: RankingMetrics.mean(evaluated),
            unscoredUsers: unscored.filter { $0 }.count)
    }
}
