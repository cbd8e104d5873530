import EarshotCatalogue
import EarshotScoring
import EarshotSnapshot
import EarshotTraining
import Foundation

/// What a retrain learns from, read once from the catalogue: every user's
/// plays per track (listens plus imported interactions), the hold-out of
/// each active listener's latest plays, and the catalogue's genres.
struct RetrainData {
    /// Everything: what the promoted model is refit on.
    let all: InteractionTable
    /// Everything but the held-out pairs: what candidates are trained on for the quality gate.
    let train: InteractionTable
    /// Each held-out user's latest distinct tracks.
    let heldOut: [String: Set<String>]
    /// Each held-out user's plays in `train` (track id, plays), in table
    /// order: the history the gate and a blend refit score them from.
    let heldOutHistories: [String: [(id: String, weight: Float)]]
    let catalogue: TrackCatalogue
    /// SHA-256 over the play counts and the catalogue fingerprint: equal digests, nothing new to learn.
    let digest: String

    /// Users with at least this many distinct listened tracks are held out from.
    static let minimumTracksForHoldout = 5
    /// The latest fifth of a held-out user's distinct tracks, 1 to 10 of them.
    static func holdoutCount(distinctTracks: Int) -> Int { max(1, min(10, distinctTracks / 5)) }

    static func load(catalogue path: String) throws(RetrainError) -> RetrainData {
        guard FileManager.default.fileExists(atPath: path) else {
            throw RetrainError("catalogue \(path) does not exist; import one with `earshot import catalogue` first")
        }
        let counts: [CatalogueStore.PlayCount]
        let latest: [CatalogueStore.LatestListen]
        let catalogue: TrackCatalogue
        do {
            let store = try CatalogueStore.open(path: path, create: false)
            counts = try store.playCounts()
            latest = try store.latestListens()
            catalogue = try store.loadCatalogue()
        } catch {
            throw RetrainError("catalogue \(path): \(error)")
        }
        guard !counts.isEmpty else {
            throw RetrainError("catalogue \(path) has no listens or interactions to train on")
        }
        var heldOut: [String: Set<String>] = [:]
        var start = 0
        while start < latest.count {
            var end = start
            while end < latest.count, latest[end].user == latest[start].user { end += 1 }
            let distinct = end - start
            if distinct >= minimumTracksForHoldout {
                // Rows are in order of latest play: the user's newest tracks are last.
                heldOut[latest[start].user] = Set(latest[(end - holdoutCount(distinctTracks: distinct))..<end].map(\.trackID))
            }
            start = end
        }
        var all = InteractionTable()
        var train = InteractionTable()
        var heldOutHistories: [String: [(id: String, weight: Float)]] = [:]
        var listing = catalogue.fingerprint + "\n"
        for count in counts {
            all.add(user: count.user, item: count.trackID, weight: Float(count.plays))
            let held = heldOut[count.user]
            if held?.contains(count.trackID) != true {
                train.add(user: count.user, item: count.trackID, weight: Float(count.plays))
                if held != nil { heldOutHistories[count.user, default: []].append((count.trackID, Float(count.plays))) }
            }
            listing += "\(count.user)\t\(count.trackID)\t\(count.plays)\n"
        }
        return RetrainData(
            all: all, train: train, heldOut: heldOut, heldOutHistories: heldOutHistories, catalogue: catalogue,
            digest: SnapshotReader.sha256Hex(Data(listing.utf8)))
    }

    /// Every track's genres as two-tower item tags (as `earshot train two-tower --db` uses them).
    var genreTags: TwoTowerItemTags {
        TwoTowerItemTags(assignments: catalogue.tracks.flatMap { track in
            track.genres.map { TwoTowerItemTags.Assignment(user: nil, item: track.id, tag: "genre:" + $0) }
        })
    }
}
