import EarshotCatalogue
import EarshotScoring
import Foundation
import Synchronization

/// The last catalogue a state was built from, reused by a reload while the
/// file is the same one (device and inode) at the same revision
/// (`CatalogueStore.catalogueRevision`): a reload that only swaps the
/// snapshot then reads no track again, and old and new states share one
/// catalogue in memory instead of holding two copies.
final class CatalogueCache: Sendable {
    private struct Entry {
        let path: String
        let file: FileIdentity
        let revision: Int64
        let catalogue: TrackCatalogue
        let loadedAt: Date
    }

    private let last = Mutex<Entry?>(nil)

    /// `store`'s catalogue (opened at `path`) and when its tracks were read:
    /// the cached one when unchanged, else loaded now and cached.
    func catalogue(at path: String, in store: CatalogueStore) throws -> (TrackCatalogue, loadedAt: Date) {
        // Read before loading: a write in between makes the cached revision older
        // than what was loaded, so the next reload loads again (never the reverse).
        let revision = try store.catalogueRevision()
        let file = FileIdentity(path: path)
        let cached = last.withLock { entry -> (TrackCatalogue, Date)? in
            guard let entry, entry.path == path, entry.revision == revision, let file, entry.file == file else { return nil }
            return (entry.catalogue, entry.loadedAt)
        }
        if let cached { return (cached.0, loadedAt: cached.1) }
        let now = Date()
        let catalogue = try store.loadCatalogue()
        last.withLock {
            $0 = file.map { Entry(path: path, file: $0, revision: revision, catalogue: catalogue, loadedAt: now) }
        }
        return (catalogue, now)
    }
}

/// Which file a path names: a catalogue replaced by another file (a restore,
/// a move) is a new catalogue even at an equal revision.
struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
