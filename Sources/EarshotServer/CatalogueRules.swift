import EarshotScoring

extension CandidateRules {
    /// Songs and primary artists of a scorer's items, from the catalogue:
    /// songs as the catalogue groups versions, artists by normalized name;
    /// nil when the catalogue has none of the items.
    static func catalogue(_ catalogue: TrackCatalogue, rowOfItem: [Int32]) -> CandidateRules? {
        guard rowOfItem.contains(where: { $0 >= 0 }) else { return nil }
        var artistIDs: [String: Int32] = [:]
        var artistOfRow: [Int32: Int32] = [:]
        let artists = rowOfItem.map { row -> Int32 in
            guard row >= 0 else { return -1 }
            if let known = artistOfRow[row] { return known }
            let name = TextNormalization.name(catalogue.tracks[Int(row)].artists.first ?? "")
            let id = artistIDs[name] ?? Int32(artistIDs.count)
            artistIDs[name] = id
            artistOfRow[row] = id
            return id
        }
        let songs = rowOfItem.map { $0 >= 0 ? catalogue.songOfRow[Int($0)] : -1 }
        return CandidateRules(songOfItem: songs, artistOfItem: artists)
    }
}

/// Identity of one loaded model, for gathering requests into shared passes.
final class BatchKey: Sendable {}
