import EarshotCatalogue
import EarshotScoring
import Foundation

/// What the daemon knows of one user from the stored listens: every track
/// heard, and how much each counts in the user's taste.
public struct ListenerProfile: Sendable {
    /// Catalogue rows the user ever played, skipped or not.
    public let heardRows: Set<Int32>
    /// Catalogue rows with their weight in the profile, oldest first play first.
    public let weightedRows: [(row: Int32, weight: Float)]

    /// Half-life of a play's weight, counted back from the user's latest play.
    static let halfLifeDays: Double = 180
    /// What a skipped play counts against a full one.
    static let skipWeight: Float = 0.25

    /// Builds every user's profile from the listens (ordered by user, then time).
    ///
    /// A play counts by how much of the track was heard (at least 10%), a
    /// skip a quarter of that, and older plays less: their weight halves
    /// every 180 days before the user's latest play. A track's weight is the
    /// sum over its plays, so repeated plays count more.
    static func build(from listens: [StoredListen], catalogue: TrackCatalogue) -> [String: ListenerProfile] {
        var profiles: [String: ListenerProfile] = [:]
        var start = 0
        while start < listens.count {
            var end = start
            while end < listens.count, listens[end].user == listens[start].user { end += 1 }
            profiles[listens[start].user] = ListenerProfile(plays: listens[start..<end], catalogue: catalogue)
            start = end
        }
        return profiles
    }

    init(plays: ArraySlice<StoredListen>, catalogue: TrackCatalogue) {
        let latest = plays.map(\.timestamp).max() ?? Date()
        var heard = Set<Int32>()
        var order: [Int32] = []
        var weights: [Int32: Float] = [:]
        for play in plays {
            guard let row = catalogue.row(of: play.trackID) else { continue }
            heard.insert(row)
            let duration = catalogue.tracks[Int(row)].durationMs
            var weight: Float = 1
            if let ms = play.msPlayed, duration > 0 {
                weight = min(1, max(0.1, Float(ms) / Float(duration)))
            }
            if play.skipped == true { weight *= Self.skipWeight }
            let ageDays = latest.timeIntervalSince(play.timestamp) / 86_400
            weight *= Float(pow(0.5, ageDays / Self.halfLifeDays))
            if weights[row] == nil { order.append(row) }
            weights[row, default: 0] += weight
        }
        heardRows = heard
        weightedRows = order.map { ($0, weights[$0]!) }
    }
}
