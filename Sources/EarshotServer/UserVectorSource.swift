import EarshotScoring

/// `recommend`'s `user_vector` for a named user: `trained` when the model
/// was trained on the user and the request adds nothing beyond their
/// training items (the `mf` scorer then uses the trained vector as is),
/// `folded_in` when it is built at request time from the history.
enum UserVectorSource: String {
    case trained
    case foldedIn = "folded_in"

    /// `nil` without a user name or for a scorer without per-user training data.
    init?(listener: Listener, scorer: any LoadedScorer) {
        guard let user = listener.user, scorer is any DenseItemScorer else { return nil }
        let training = Set(scorer.trainingItems(of: user))
        self = !training.isEmpty && listener.history.allSatisfy { training.contains($0.item) } ? .trained : .foldedIn
    }
}
