import EarshotScoring
import EarshotTraining

/// The quality gate's measurement: ndcg@10 of a loaded scorer on the
/// held-out latest plays, old and new model asked the same question.
///
/// For each held-out user the history is their training-split plays (also
/// excluded from the ranking) and the relevant items are their held-out
/// tracks. A user vector is used only when the model never saw the user's
/// held-out tracks: the current model was trained before they were held
/// out, so for a user whose held-out tracks it trained on it folds in from
/// the same history as everyone else, instead of scoring with a vector
/// that has seen the answer.
struct HoldoutEvaluation {
    static let k = 10

    struct Result: Equatable {
        var users: Int
        var ndcg: Double
        var recall: Double
    }

    static func run(scorer: any LoadedScorer, data: RetrainData) -> Result {
        let train = data.train
        var historyOf: [String: [(String, Float)]] = [:]
        for entry in 0..<train.count {
            let user = train.userIDs[Int(train.users[entry])]
            guard data.heldOut[user] != nil else { continue }
            historyOf[user, default: []].append((train.itemIDs[Int(train.items[entry])], train.weights[entry]))
        }
        var metrics: [RankingMetrics] = []
        for (user, relevantIDs) in data.heldOut.sorted(by: { $0.key < $1.key }) {
            var exclusion = ItemExclusion(count: scorer.itemIDs.count)
            var history: [WeightedItem] = []
            for (id, weight) in historyOf[user] ?? [] {
                guard let item = scorer.item(of: id) else { continue }
                history.append(WeightedItem(item: item, weight: weight))
                exclusion.exclude(item)
            }
            let heldOutItems = Set(relevantIDs.compactMap { scorer.item(of: $0) })
            let sawAnswer = scorer.trainingItems(of: user).contains { heldOutItems.contains($0) }
            let listener = Listener(user: sawAnswer ? nil : user, history: history)
            let ranked = (try? scorer.recommend(for: listener, k: k, excluding: exclusion)) ?? []
            let relevance = ranked.map { relevantIDs.contains(scorer.itemIDs[Int($0.item)]) }
            metrics.append(RankingMetrics.of(relevance: relevance, relevantCount: relevantIDs.count, k: k))
        }
        let mean = RankingMetrics.mean(metrics)
        return Result(users: metrics.count, ndcg: mean.ndcg, recall: mean.recall)
    }
}
