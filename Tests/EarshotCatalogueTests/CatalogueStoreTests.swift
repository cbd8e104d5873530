import Foundation
import Testing

@testable import EarshotCatalogue

@Suite("Catalogue store")
struct CatalogueStoreTests {
    @Test func createsTheSchemaOnceInWALMode() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("catalogue.db").path
            let store = try CatalogueStore.open(path: path, create: true)
            let mode = try store.database.prepare("PRAGMA journal_mode")
            try mode.step()
            #expect(mode.string(at: 0) == "wal")
            let version = try store.database.prepare("PRAGMA user_version")
            try version.step()
            #expect(version.int(at: 0) == CatalogueSchema.version)
            // Opening again (as the daemon does) finds the schema current.
            #expect(try CatalogueStore.open(path: path, create: false).trackCount() == 0)
        }
    }

    @Test func refusesANewerSchema() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("catalogue.db").path
            try SQLiteDatabase.open(path: path, mode: .create).execute("PRAGMA user_version = 99")
            let error = try #require(throws: CatalogueError.self) { try CatalogueStore.open(path: path, create: false) }
            #expect(error == .newerSchema(found: 99, supported: CatalogueSchema.version))
        }
    }

    @Test func emptyCatalogue() throws {
        try withTemporaryStore { store, _ in
            let catalogue = try store.loadCatalogue()
            #expect(catalogue.count == 0)
            #expect(catalogue.fingerprint == "0-cbf29ce484222325")
        }
    }

    @Test func fingerprintFollowsIdsAndNames() throws {
        try withTemporaryStore { store, directory in
            let path = try writeCSV([tracksHeader, plainRow(id: "b", name: "Two"), plainRow(id: "a", name: "One")], in: directory)
            _ = try importCSV(path, into: store)
            let first = try store.loadCatalogue()
            #expect(first.tracks.map(\.id) == ["a", "b"])
            #expect(first.fingerprint == "2-\(fnv1a(["a", "One", "b", "Two"]))")

            // Popularity is not part of it; a name is.
            let popularity = try writeCSV([tracksHeader, plainRow(id: "a", name: "One", popularity: 99)], in: directory)
            _ = try importCSV(popularity, into: store)
            #expect(try store.loadCatalogue().fingerprint == first.fingerprint)
            let renamed = try writeCSV([tracksHeader, plainRow(id: "a", name: "Uno")], in: directory)
            _ = try importCSV(renamed, into: store)
            #expect(try store.loadCatalogue().fingerprint != first.fingerprint)
        }
    }

    @Test("the catalogue revision changes with the track tables, whoever writes them, and not with listens")
    func revisionFollowsTrackData() throws {
        try withTemporaryStore { store, directory in
            let empty = try store.catalogueRevision()
            let path = try writeCSV([tracksHeader, plainRow(id: "a", name: "One")], in: directory)
            _ = try importCSV(path, into: store)
            let imported = try store.catalogueRevision()
            #expect(imported > empty)

            let play = ListenEvent(
                user: "ana", trackID: "a", timestamp: Date(timeIntervalSince1970: 1_714_564_800), msPlayed: 1, skipped: false,
                source: "daemon")
            #expect(try store.recordListen(play))
            #expect(try store.catalogueRevision() == imported, "a listen leaves the tracks as they were")

            // Another program's write, straight to a table the catalogue is built from.
            try store.database.execute("UPDATE genres SET name = 'rock'")
            let renamed = try store.catalogueRevision()
            #expect(renamed > imported)
            try store.database.execute("DELETE FROM track_artists")
            #expect(try store.catalogueRevision() > renamed)
        }
    }

    /// FNV-1a 64 over each string followed by a NUL byte, as 16 hex digits.
    func fnv1a(_ strings: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for string in strings {
            for byte in Array(string.utf8) + [0] {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
