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

    /// The held-out tracks `scorer` was not trained on, by user (users with none left out).
    static func unseen(by scorer: any LoadedScorer, in heldOut: [String: Set<String>]) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for (user, tracks) in heldOut {
            let trained = Set(scorer.trainingItems(of: user).map { scorer.itemIDs[Int($0)] })
            let left = tracks.subtracting(trained)
            if !left.isEmpty { result[user] = left }
        }
        return result
    }

    /// ndcg@10 of every user of `heldOut` (relevant: their held-out tracks).
    static func perUser(scorer: any LoadedScorer, data: RetrainData, heldOut: [String: Set<String>]) -> [String: Double] {
        let historyOf = data.heldOutHistories
        var scores: [String: Double] = [:]
        for (user, relevantIDs) in heldOut {
            var exclusion = ItemExclusion(count: scorer.itemIDs.count)
            var history: [WeightedItem] = []
            for (id, weight) in historyOf[user] ?? [] {
                guard let item = scorer.item(of: id) else { continue }
                history.append(WeightedItem(item: item, weight: weight))
                exclusion.exclude(item)
            }
            let allHeldOut = Set((data.heldOut[user] ?? relevantIDs).compactMap { scorer.item(of: $0) })
            let sawAnswer = scorer.trainingItems(of: user).contains { allHeldOut.contains($0) }
            let listener = Listener(user: sawAnswer ? nil : user, history: history)
            let ranked = (try? scorer.recommend(for: listener, k: k, excluding: exclusion)) ?? []
            let relevance = ranked.map { relevantIDs.contains(scorer.itemIDs[Int($0.item)]) }
            scores[user] = RankingMetrics.of(relevance: relevance, relevantCount: relevantIDs.count, k: k).ndcg
        }
        return scores
    }
}

/// The promotion rule: the mean per-user ndcg@10 difference (new − current)
/// must not fall below −margin by more than two standard errors of that
/// mean, so a handful of held-out users cannot block a model by chance
/// while a model that is worse for most users is stopped.
struct QualityGate: Equatable {
    var users: Int
    var currentNDCG: Double
    var newNDCG: Double
    /// Two standard errors of the mean difference (0 for fewer than 2 users).
    var slack: Double
    var passed: Bool

    init(current: [String: Double], new: [String: Double], margin: Double) {
        let differences = current.keys.map { (new[$0] ?? 0) - (current[$0] ?? 0) }
        users = differences.count
        let n = Double(max(users, 1))
        currentNDCG = current.values.reduce(0, +) / n
        newNDCG = current.keys.map { new[$0] ?? 0 }.reduce(0, +) / n
        let mean = differences.reduce(0, +) / n
        if users >= 2 {
            let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(users - 1)
            slack = 2 * (variance / Double(users)).squareRoot()
        } else {
            slack = 0
        }
        passed = mean >= -margin - slack
    }
}
