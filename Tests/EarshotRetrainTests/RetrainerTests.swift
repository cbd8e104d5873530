import EarshotCatalogue
import EarshotRetrain
import EarshotSnapshot
import EarshotTraining
import Foundation
import Testing

/// `Retrainer` on a real SQLite catalogue and real snapshot folder (no
/// daemon: the socket does not exist, so reloads report "not running").
@Suite("retrain with a quality gate")
struct RetrainerTests {
    /// Two taste groups over 80 tracks; every user plays 20 tracks of their group.
    static func listens(users: Range<Int>, day: Int) -> [ListenEvent] {
        var random = SeededGenerator(seed: UInt64(users.lowerBound + 1))
        var events: [ListenEvent] = []
        for user in users {
            let group = user % 2
            for play in 0..<20 {
                let track = group * 40 + Int(random.next() % 40)
                events.append(ListenEvent(
                    user: "user\(user)", trackID: "t\(track)",
                    timestamp: Date(timeIntervalSince1970: 1_700_000_000 + Double(day * 86_400 + play * 300)),
                    msPlayed: 200_000, skipped: false, source: "test"))
            }
        }
        return events
    }

    /// A catalogue with listens and a first mf snapshot linked as `current`.
    static func makeState() throws -> (root: URL, settings: Retrainer.Settings) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-retrain-\(UUID().uuidString)")
        let snapshots = root.appendingPathComponent("snapshots")
        try FileManager.default.createDirectory(at: snapshots, withIntermediateDirectories: true)
        let database = root.appendingPathComponent("catalogue.db").path
        let store = try CatalogueStore.open(path: database, create: true)
        try store.recordListens(listens(users: 0..<60, day: 0))
        var table = InteractionTable()
        for count in try store.playCounts() { table.add(user: count.user, item: count.trackID, weight: Float(count.plays)) }
        var configuration = ALSConfiguration()
        configuration.factors = 8
        configuration.iterations = 8
        let model = try ALSTrainer(interactions: table, configuration: configuration).train()
        try SnapshotWriter.write([model.snapshotPart()], to: snapshots.appendingPathComponent("first").path, catalogueFingerprint: nil)
        try FileManager.default.createSymbolicLink(atPath: snapshots.appendingPathComponent("current").path, withDestinationPath: "first")
        let settings = Retrainer.Settings(
            cataloguePath: database, snapshotPath: snapshots.appendingPathComponent("current").path,
            socketPath: root.appendingPathComponent("no-daemon.sock").path, margin: 0.01, minimumFreeBytes: 0)
        return (root, settings)
    }

    static func retrain(_ settings: Retrainer.Settings) throws -> Retrainer.Report {
        try Retrainer(settings: settings, log: { _ in }).run()
    }

    @Test("promotes a model of the same quality refit on everything, with the recorded hyperparameters")
    func promotes() throws {
        let (root, settings) = try Self.makeState()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = SnapshotFolder(snapshotPath: settings.snapshotPath)
        try CatalogueStore.open(path: settings.cataloguePath, create: false).recordListens(Self.listens(users: 60..<90, day: 1))
        let report = try Self.retrain(settings)
        #expect(report.outcome == "promoted", "\(report.reason)")
        #expect(report.previous == "first")
        #expect(folder.currentName() == report.snapshot)
        #expect(report.heldOutUsers == 90)
        let part = try #require(report.parts.first)
        #expect(part.name == "mf" && part.passed && part.users == 30)
        let snapshot = try SnapshotReader.read(at: settings.snapshotPath)
        let manifest = try #require(snapshot.manifest.scorers["mf"])
        // Refit on everything: the 30 new users are in it; factors and iterations as recorded.
        #expect(manifest.training["users"] == 90)
        #expect(manifest.hyperparameters["factors"] == 8 && manifest.hyperparameters["iterations"] == 8)
        #expect(report.daemon.hasPrefix("not running"))
        #expect(RetrainRecord.read(at: folder.retrainRecordPath).runs == ["promoted": 1])
        #expect(PromotionHistory(folder: folder).promotions().map(\.snapshot) == ["first", report.snapshot!])
        #expect(report.json.contains(#""outcome":"promoted""#))

        // Nothing new: no snapshot written.
        let again = try Self.retrain(settings)
        #expect(again.outcome == "unchanged" && again.snapshot == nil)
        #expect(folder.entries().count == 2)
    }

    @Test("a lone new listener's latest plays are what the gate judges, and the model that learns them is promoted")
    func loneListener() throws {
        let (root, settings) = try Self.makeState()
        defer { try? FileManager.default.removeItem(at: root) }
        try CatalogueStore.open(path: settings.cataloguePath, create: false).recordListens(Self.listens(users: 60..<61, day: 1))
        let report = try Self.retrain(settings)
        #expect(report.outcome == "promoted", "\(report.reason)")
        let part = try #require(report.parts.first)
        // Only user60's held-out plays are new to the current model: one user judged, not all sixty-one.
        #expect(part.users == 1)
        let manifest = try #require(try SnapshotReader.read(at: settings.snapshotPath).manifest.scorers["mf"])
        #expect(manifest.training["users"] == 61)
    }

    @Test("a snapshot with popular and blend parts retrains: mf judged and refit, popular recounted, blend weights refitted")
    func blendSnapshot() throws {
        let (root, settings) = try Self.makeState()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = SnapshotFolder(snapshotPath: settings.snapshotPath)
        // A second snapshot like `earshot train blend` writes: mf, popular and a blend of both.
        let first = try SnapshotReader.read(at: settings.snapshotPath)
        let store = try CatalogueStore.open(path: settings.cataloguePath, create: false)
        var table = InteractionTable()
        for count in try store.playCounts() { table.add(user: count.user, item: count.trackID, weight: Float(count.plays)) }
        let popular = PopularityPart(listenersIn: table).snapshotPart(training: ["interactions": table.count])
        let blend = BlendPart(sources: ["mf", "popular"], weights: [1, 2, 0, 0.5, 0, 0], hyperparameters: ["candidates": 50], training: [:])
        try SnapshotWriter.write(
            [popular, blend.snapshotPart()], to: folder.path + "/blended", catalogueFingerprint: nil, basedOn: first.resolvedPath)
        try folder.swapCurrent(to: "blended")

        try store.recordListens(Self.listens(users: 60..<90, day: 1))
        let report = try Self.retrain(settings)
        #expect(report.outcome == "promoted", "\(report.reason)")
        #expect(report.parts.map(\.name) == ["mf"])
        let retrained = try SnapshotReader.read(at: settings.snapshotPath)
        #expect(retrained.manifest.scorers["mf"]?.training["users"] == 90)
        // Recounted over every user's plays, the 30 new users' included.
        #expect(retrained.manifest.scorers["popular"]?.training["interactions"] == (try store.playCounts()).count)
        #expect((try store.playCounts()).count > table.count)
        // The blend keeps its sources and settings; its weights are fitted on the 90 users' held-out plays.
        let before = try SnapshotReader.read(at: folder.path + "/blended")
        #expect(retrained.manifest.files["blend/sources.txt"]?.sha256 == before.manifest.files["blend/sources.txt"]?.sha256)
        #expect(retrained.manifest.files["blend/weights.npy"]?.sha256 != before.manifest.files["blend/weights.npy"]?.sha256)
        let blendPart = try #require(retrained.manifest.scorers["blend"])
        #expect(blendPart.hyperparameters["candidates"] == 50 && blendPart.training["fit_users"] == 90)
        #expect(try #require(blendPart.hyperparameters["fit_ndcg"]) >= (blendPart.hyperparameters["default_ndcg"] ?? 1))
    }

    /// Writes `rows` (id, artist, popularity) as a tracks CSV and imports it into `store`.
    static func importTracks(_ rows: [(id: String, artist: String, popularity: Int)], into store: CatalogueStore, at root: URL) throws {
        let header = SpotifyTracksCSVImporter.columns.joined(separator: ",")
        let lines = rows.map { "\($0.id),\($0.artist),Album,Song \($0.id),\($0.popularity),210000,False,0.5,0.6,1,-5.25,1,0.05,0.1,0,0.2,0.4,120.5,4,pop" }
        let path = root.appendingPathComponent("tracks-\(UUID().uuidString).csv").path
        try Data(([header] + lines).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        _ = try SpotifyTracksCSVImporter(store: store).importFile(atPath: path)
    }

    @Test("a retrain maps the artists part again onto tracks the catalogue gained, with the same public artists")
    func artistsFollowTheCatalogue() throws {
        let (root, settings) = try Self.makeState()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = SnapshotFolder(snapshotPath: settings.snapshotPath)
        let store = try CatalogueStore.open(path: settings.cataloguePath, create: false)
        try Self.importTracks((0..<80).map { ("t\($0)", $0 % 2 == 0 ? "Alpha" : "Beta", 40) }, into: store, at: root)
        // Public listeners of three artists; only Alpha and Beta are in the catalogue yet.
        var lastFM = InteractionTable()
        for user in 0..<12 {
            for artist in ["a1", "a2", "a3"] where (user + artist.count) % 3 != 0 || artist == "a3" {
                lastFM.add(user: "p\(user)", item: artist, weight: Float(10 + user))
            }
        }
        var configuration = ALSConfiguration()
        configuration.factors = 4
        let model = try ALSTrainer(interactions: lastFM, configuration: configuration).train()
        let artists = PublicArtists(model: model, names: ["a1": "Alpha", "a2": "Beta", "a3": "Gamma"], table: lastFM)
        let mapped = ArtistMapping(artists: artists, catalogue: try store.loadCatalogue())
        #expect(mapped.matchedArtists == 2 && mapped.matchedTracks == 80)
        let first = try SnapshotReader.read(at: settings.snapshotPath)
        try SnapshotWriter.write(
            [mapped.snapshotPart(priorWeight: 0.5, ownWeight: 1)], to: folder.path + "/with-artists", catalogueFingerprint: nil,
            basedOn: first.resolvedPath)
        try folder.swapCurrent(to: "with-artists")

        try Self.importTracks((80..<90).map { ("t\($0)", "Gamma", 70) }, into: store, at: root)
        try store.recordListens(Self.listens(users: 60..<90, day: 1))
        let report = try Self.retrain(settings)
        #expect(report.outcome == "promoted", "\(report.reason)")
        let before = try SnapshotReader.read(at: folder.path + "/with-artists")
        let retrained = try SnapshotReader.read(at: settings.snapshotPath)
        let part = try #require(retrained.manifest.scorers["artists"])
        #expect(part.training["tracks"] == 90 && part.training["matched_tracks"] == 90 && part.training["matched_artists"] == 3)
        #expect(part.training["matched_pairs"] == lastFM.count)
        #expect(part.hyperparameters["prior_weight"] == 0.5 && part.hyperparameters["own_weight"] == 1)
        for file in ["artists/artist_factors.npy", "artists/artists.txt", "artists/artist_names.txt"] {
            #expect(retrained.manifest.files[file]?.sha256 == before.manifest.files[file]?.sha256, "\(file)")
        }
        #expect(retrained.manifest.files["artists/items.txt"]?.sha256 != before.manifest.files["artists/items.txt"]?.sha256)
    }

    @Test("a model forced worse is kept as a snapshot but not promoted; rollback and gc keep current and served")
    func gate() throws {
        let (root, baseSettings) = try Self.makeState()
        defer { try? FileManager.default.removeItem(at: root) }
        var settings = baseSettings
        let folder = SnapshotFolder(snapshotPath: settings.snapshotPath)
        try CatalogueStore.open(path: settings.cataloguePath, create: false).recordListens(Self.listens(users: 60..<90, day: 1))
        let promoted = try Self.retrain(settings)
        #expect(promoted.outcome == "promoted")
        settings.degradeForTesting = true
        let worse = try Self.retrain(settings)
        #expect(worse.outcome == "kept", "\(worse.reason)")
        #expect(worse.reason.contains("worse"))
        #expect(folder.currentName() == promoted.snapshot)
        let part = try #require(worse.parts.first)
        #expect(!part.passed && part.newNDCG < part.oldNDCG - 0.01 - part.slack)
        #expect(folder.entries().map(\.name).contains(worse.snapshot!))

        let lifecycle = SnapshotLifecycle(snapshotPath: settings.snapshotPath, socketPath: settings.socketPath)
        let rolledBack = try lifecycle.rollback()
        #expect(rolledBack.snapshot == "first" && folder.currentName() == "first")
        // Keep 1: the newest (the kept candidate) plus current ("first"); the promoted one goes.
        let gc = try lifecycle.collectGarbage(keep: 1)
        #expect(gc.deleted == [promoted.snapshot!])
        #expect(Set(folder.entries().map(\.name)) == ["first", worse.snapshot!])
        #expect(try SnapshotReader.read(at: settings.snapshotPath).manifest.scorers["mf"] != nil)
    }

    @Test("a retrain while another holds the lock fails with a clear message and changes nothing")
    func locked() throws {
        let (root, settings) = try Self.makeState()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = SnapshotFolder(snapshotPath: settings.snapshotPath)
        let held = try SnapshotFolderLock(folder: folder, purpose: "test holder")
        #expect {
            _ = try Self.retrain(settings)
        } throws: { error in
            "\(error)".contains("another retrain") && "\(error)".contains("test holder")
        }
        withExtendedLifetime(held) {}
        #expect(folder.currentName() == "first")
        #expect(folder.entries().count == 1)
    }

    @Test("a retrain that cannot have the disk space it needs fails before writing")
    func diskSpace() throws {
        let (root, baseSettings) = try Self.makeState()
        defer { try? FileManager.default.removeItem(at: root) }
        var settings = baseSettings
        settings.minimumFreeBytes = Int.max / 4
        let report = try Self.retrain(settings)
        #expect(report.outcome == "failed")
        #expect(report.reason.contains("free"))
        let folder = SnapshotFolder(snapshotPath: settings.snapshotPath)
        #expect(folder.entries().count == 1 && folder.currentName() == "first")
        #expect(RetrainRecord.read(at: folder.retrainRecordPath).runs == ["failed": 1])
    }
}
