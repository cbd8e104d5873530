import EarshotCatalogue
import EarshotScoring
import EarshotTraining
import Foundation

/// Training data taken from a catalogue database: each user's play count
/// per track, and the catalogue itself (for its fingerprint and genres).
struct CatalogueTrainingData {
    let interactions: InteractionTable
    let catalogue: TrackCatalogue

    static func load(db: String) throws -> CatalogueTrainingData {
        guard FileManager.default.fileExists(atPath: db) else {
            throw CLIError("catalogue \(db) does not exist; import one with `earshot import ...` first")
        }
        do {
            let store = try CatalogueStore.open(path: db, create: false)
            var table = InteractionTable()
            for count in try store.playCounts() {
                table.add(user: count.user, item: count.trackID, weight: Float(count.plays))
            }
            guard table.count > 0 else {
                throw CLIError("catalogue \(db) has no listens to train on; import a listening history first")
            }
            return CatalogueTrainingData(interactions: table, catalogue: try store.loadCatalogue())
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("catalogue \(db): \(error)")
        }
    }

    /// Every track's genres as item tags, the catalogue's counterpart of Last.fm tags.
    var genreTags: [TwoTowerItemTags.Assignment] {
        catalogue.tracks.flatMap { track in
            track.genres.map { TwoTowerItemTags.Assignment(user: nil, item: track.id, tag: "genre:" + $0) }
        }
    }
}
