import EarshotScoring

/// Scorer "popular": the same ranking for everyone, most popular first — a
/// prior for `blend` and a fallback for a listener nobody knows.
///
/// With a `popular/` snapshot part (`items.txt`, `scores.npy`, written by
/// `earshot train blend` and `earshot train artists`) it serves those
/// scores; without one, the catalogue's own popularity (0–100) scaled to 0–1.
public enum PopularPlugin: ScorerPlugin {
    public static let name = "popular"
    public static let summary = "Popularity: play counts of the training data, or the catalogue's popularity"

    public static func load(_ context: ScorerLoadContext) throws(ScorerLoadError) -> any LoadedScorer {
        func fail(_ message: String) -> ScorerLoadError {
            ScorerLoadError("\(message); retrain with `earshot train blend` or `earshot train artists`")
        }
        if let part = context.part {
            guard let ids = part.idLists["items"] else { throw fail("popular/items.txt is missing") }
            guard let scores = part.matrices["scores"] else { throw fail("popular/scores.npy is missing") }
            guard scores.values.count == ids.count else {
                throw fail("popular/items.txt has \(ids.count) ids but popular/scores.npy has \(scores.values.count) values")
            }
            let rows = try SnapshotPart.rowIndex(ids, file: "popular/items.txt", fail: fail)
            return PopularScorer(itemIDs: ids, rowOfID: rows, scores: Array(scores.values))
        }
        guard context.catalogue.count > 0 else {
            throw ScorerLoadError("no popular part in the snapshot and no catalogue to take popularity from")
        }
        let tracks = context.catalogue.tracks
        let ids = IDList(tracks.map(\.id))
        let rows = try SnapshotPart.rowIndex(ids, file: "the catalogue", fail: { ScorerLoadError($0) })
        return PopularScorer(itemIDs: ids, rowOfID: rows, scores: tracks.map { Float($0.popularity) / 100 })
    }
}

/// Fixed scores per item; the ranking is sorted once at load.
struct PopularScorer: LoadedScorer {
    let itemIDs: IDList
    let rowOfID: IDRowIndex
    let scores: [Float]
    /// Items by descending score (ties: lower index first).
    let order: [Int32]

    init(itemIDs: IDList, rowOfID: IDRowIndex, scores: [Float]) {
        self.itemIDs = itemIDs
        self.rowOfID = rowOfID
        self.scores = scores
        order = (0..<Int32(scores.count)).sorted { scores[Int($0)] > scores[Int($1)] || (scores[Int($0)] == scores[Int($1)] && $0 < $1) }
    }

    var facts: [String: Int] { ["items": itemIDs.count] }

    func item(of id: String) -> Int32? { rowOfID.row(of: id) }

    func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError) -> [ScoredItem] {
        top(k: k, excluding: exclusion)
    }

    /// Popularity does not depend on the seeds: the most popular items not excluded.
    func similar(to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError)
        -> [ScoredItem]
    {
        guard !seeds.isEmpty else { throw .noKnownItems }
        return top(k: k, excluding: exclusion)
    }

    func score(_ items: [Int32], for listener: Listener) throws(ScoringError) -> [Float] {
        items.map { scores[Int($0)] }
    }

    private func top(k: Int, excluding exclusion: ItemExclusion) -> [ScoredItem] {
        var result: [ScoredItem] = []
        result.reserveCapacity(min(k, order.count))
        for item in order where !exclusion.contains(item) {
            result.append(ScoredItem(item: item, score: scores[Int(item)]))
            if result.count == k { break }
        }
        return result
    }
}
