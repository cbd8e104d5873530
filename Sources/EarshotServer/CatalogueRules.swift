import EarshotScoring

extension CandidateRules {
    /// Songs and primary artists of a scorer's items, from the catalogue:
    /// songs as the catalogue groups versions, artists by normalized name;
    /// nil when the catalogue has none of the items.
    static func catalogue(_ catalogue: TrackCatalogue, rowOfItem: [Int32]) -> CandidateRules? {
        guard rowOfItem.contains(where: { $0 >= 0 }) else { return nil }
        let artists = rowOfItem.map { $0 >= 0 ? catalogue.artistOfRow[Int($0)] : -1 }
        let songs = rowOfItem.map { $0 >= 0 ? catalogue.songOfRow[Int($0)] : -1 }
        return CandidateRules(songOfItem: songs, artistOfItem: artists)
    }
}

/// Identity of one loaded model, for gathering requests into shared passes.
final class BatchKey: Sendable {}
