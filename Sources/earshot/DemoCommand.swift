import ArgumentParser
import Blend
import EarshotCatalogue
import EarshotSnapshot
import EarshotTraining
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `earshot demo`: a generated catalogue in a state folder, then `earshotd`
/// in the foreground on a socket there (what `make demo` runs).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate a demo catalogue and run earshotd on it in the foreground.")

    @Option(help: "State folder for the demo (catalogue, socket).")
    var state = "demo-state"

    @Option(help: "Number of generated tracks.")
    var tracks = 5000

    @Flag(help: "Only prepare the state folder (catalogue, listens, models); do not start the daemon.")
    var prepareOnly = false

    @Flag(help: "Train only the mf model (faster), not two-tower.")
    var mfOnly = false

    func run() throws {
        let folder = URL(fileURLWithPath: state).standardizedFileURL
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let csv = folder.appendingPathComponent("generated-demo-tracks.csv")
        let database = folder.appendingPathComponent("catalogue.db").path
        let socket = folder.appendingPathComponent("earshot.sock").path

        try DemoCatalogue.csv(tracks: tracks).write(to: csv, atomically: true, encoding: .utf8)
        let store = try CatalogueStore.open(path: database, create: true)
        let summary = try SpotifyTracksCSVImporter(store: store).importFile(atPath: csv.path)
        try store.recordListens(DemoCatalogue.listens(tracks: tracks))
        let snapshots = folder.appendingPathComponent("snapshots")
        let snapshot = snapshots.appendingPathComponent("current").path
        if !FileManager.default.fileExists(atPath: snapshot) {
            try trainModels(database: database, in: snapshots)
        }
        if prepareOnly {
            print(#"{"catalogue":\#(jsonString(database)),"snapshot":\#(jsonString(snapshot)),"tracks":\#(summary.imported + summary.updated)}"#)
            return
        }
        let daemon = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("earshotd").path
        FileHandle.standardOutput.write(Data("""
            Earshot demo — the catalogue is GENERATED DATA (\(summary.imported + summary.updated) made-up tracks in \(csv.path)),
            not real music; import your own with `earshot import catalogue` (see README).
            Starting earshotd on \(socket). Try, in another terminal:

              echo '{"op":"info"}' | socat - UNIX-CONNECT:\(socket)
              echo '{"op":"recommend","user":"demo","k":5}' | socat - UNIX-CONNECT:\(socket)
              echo '{"op":"recommend","user":"demo","scorer":"mf","k":5}' | socat - UNIX-CONNECT:\(socket)
              echo '{"op":"recommend","user":"demo","scorer":"two-tower","k":5}' | socat - UNIX-CONNECT:\(socket)
              echo '{"op":"recommend","user":"demo","scorer":"blend","k":5,"max_per_artist":1}' | socat - UNIX-CONNECT:\(socket)
              echo '{"op":"recommend","history":["\(DemoCatalogue.trackID(8))"],"scorer":"two-tower","k":5}' | socat - UNIX-CONNECT:\(socket)
              echo '{"op":"similar","track":"\(DemoCatalogue.listenedTracks[0])","k":5}' | socat - UNIX-CONNECT:\(socket)
              echo '{"op":"search","q":"Generated Song 42","k":3}' | socat - UNIX-CONNECT:\(socket)
              echo '{"op":"listen","user":"demo","track":"\(DemoCatalogue.trackID(7))"}' | socat - UNIX-CONNECT:\(socket)
              kill -HUP $(pgrep -f 'earshotd --socket \(socket)')    # reload

            Ctrl-C stops the daemon.

            """.utf8))
        let arguments = [daemon, "--socket", socket, "--catalogue", database, "--snapshot", snapshot]
        let cArguments = arguments.map { strdup($0) } + [nil]
        execv(daemon, cArguments)
        throw CLIError("cannot start \(daemon): \(String(cString: strerror(errno)))")
    }
}

extension DemoCommand {
    /// Trains `mf` and `two-tower` (genres as tags) on the catalogue's
    /// listens, then `popular` and a `blend` of content, mf, two-tower and
    /// popular fitted on the same listens, into one snapshot, and points
    /// `current` at it.
    func trainModels(database: String, in snapshots: URL) throws {
        FileHandle.standardOutput.write(Data("Training the mf, two-tower and blend models on the generated listens…\n".utf8))
        let mfPath = snapshots.appendingPathComponent("demo-mf").path
        let both = snapshots.appendingPathComponent("demo-mf-two-tower").path
        let all = snapshots.appendingPathComponent("demo").path
        for leftover in [mfPath, both, all] { try? FileManager.default.removeItem(atPath: leftover) }
        let mf = try TrainMFCommand.parse(["--db", database, "--out", mfPath])
        try mf.run()
        if mfOnly {
            try FileManager.default.createSymbolicLink(
                atPath: snapshots.appendingPathComponent("current").path, withDestinationPath: "demo-mf")
            return
        }
        let twoTower = try TrainTwoTowerCommand.parse(["--db", database, "--into", mfPath, "--out", both])
        try twoTower.run()
        let (catalogue, listens) = try TrainArtistsCommand.readCatalogue(database)
        let popular = CataloguePopularity.part(catalogue: catalogue, listens: listens).snapshotPart()
        let (blend, _) = try CatalogueBlendFit.part(
            sources: ["content", "mf", "two-tower", "popular"], parts: [popular], basedOn: both, catalogue: catalogue,
            listens: listens, candidates: BlendPlugin.defaultCandidates, fitK: BlendFit.defaultK)
        try SnapshotWriter.write([popular, blend.snapshotPart()], to: all, catalogueFingerprint: catalogue.fingerprint, basedOn: both)
        try FileManager.default.createSymbolicLink(
            atPath: snapshots.appendingPathComponent("current").path, withDestinationPath: "demo")
    }
}

/// A made-up catalogue in the Spotify tracks CSV format: genres with their
/// own typical sound, so recommendations visibly follow taste.
enum DemoCatalogue {
    static let genres = ["acoustic", "ambient", "blues", "country", "dance", "folk", "hip-hop", "jazz", "metal", "pop", "punk", "soul"]

    /// The demo user's history: the first ten folk and acoustic tracks.
    static let listenedTracks = (0..<10).map { trackID($0 * genres.count + ($0 % 2 == 0 ? 0 : 5)) }

    /// Listens of "demo" and of 300 generated listeners who each favour two
    /// genres, so the models have tastes to learn.
    static func listens(tracks: Int) -> [ListenEvent] {
        var random = SeededGenerator(seed: 7)
        let start = 1_700_000_000.0
        var events = listenedTracks.enumerated().map { offset, id in
            ListenEvent(user: "demo", trackID: id, timestamp: Date(timeIntervalSince1970: start + Double(offset) * 240),
                msPlayed: 180_000, skipped: false, source: "demo")
        }
        let perGenre = tracks / genres.count
        guard perGenre > 0 else { return events }
        for listener in 0..<300 {
            let favourites = [Int(random.next() % UInt64(genres.count)), Int(random.next() % UInt64(genres.count))]
            for play in 0..<40 {
                // Mostly the favourite genres, sometimes anything.
                let genre = random.nextUnitDouble() < 0.85 ? favourites[play % 2] : Int(random.next() % UInt64(genres.count))
                // Within a genre, a few tracks are hits.
                let rank = Int(Double(perGenre) * pow(random.nextUnitDouble(), 3))
                events.append(ListenEvent(
                    user: "listener\(listener)", trackID: trackID(rank * genres.count + genre),
                    timestamp: Date(timeIntervalSince1970: start + Double(play) * 200), msPlayed: 150_000, skipped: false,
                    source: "demo"))
            }
        }
        return events
    }

    static func trackID(_ index: Int) -> String {
        "demo" + String(repeating: "0", count: max(0, 18 - String(index).count)) + String(index)
    }

    static func csv(tracks: Int) -> String {
        var random = SeededGenerator(seed: 42)
        var lines = [SpotifyTracksCSVImporter.columns.joined(separator: ",")]
        for index in 0..<tracks {
            let genre = index % genres.count
            func around(_ centre: Double, _ spread: Double) -> Double {
                min(1, max(0, centre + (random.nextUnitDouble() - 0.5) * spread))
            }
            let energy = around(Double(genre) / Double(genres.count - 1), 0.3)
            let acoustic = around(1 - energy, 0.3)
            let fields: [String] = [
                trackID(index), "Demo Artist \(index % 400)", "Generated Album \(index % 900)", "Generated Song \(index)",
                String(Int(random.nextUnitDouble() * 100)), String(150_000 + Int(random.nextUnitDouble() * 120_000)),
                random.nextUnitDouble() < 0.1 ? "True" : "False",
                String(around(0.3 + Double(genre % 4) * 0.15, 0.3)), String(energy), String(Int(random.nextUnitDouble() * 12)),
                String(-20 + energy * 16), String(Int(random.nextUnitDouble() * 2)), String(around(0.05, 0.1)), String(acoustic),
                String(around(genre == 1 ? 0.8 : 0.05, 0.2)), String(around(0.15, 0.2)), String(around(0.5, 0.8)),
                String(70 + energy * 100), "4", genres[genre],
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
