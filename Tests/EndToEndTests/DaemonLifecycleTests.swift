import EarshotClient
import EarshotProtocol
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Start without data, reload, access control and shutdown of the real earshotd.
@Suite("Daemon lifecycle", .serialized)
struct DaemonLifecycleTests {
    @Test("runs with no catalogue file and no snapshot: empty catalogue, scorers not ready")
    func noData() throws {
        let daemon = try DaemonProcess(catalogue: nil)
        let info = try daemon.request(#"{"op":"info"}"#)
        #expect(info.int("result.catalogue.tracks") == 0)
        #expect(info.value("result.catalogue.exists") == .bool(false))
        #expect(info.value("result.snapshot") == .null)
        let recommend = try daemon.request(#"{"op":"recommend","history":["x"]}"#)
        #expect(recommend.errorCode == "not_ready")
        #expect(try daemon.request(#"{"op":"search","q":"x"}"#).items().isEmpty)
    }

    @Test("a reload re-reads the config: a new request limit applies at once")
    func reloadAppliesConfig() throws {
        let daemon = try DaemonProcess(catalogue: nil, config: "[limits]\nmax_k = 5\n")
        let before = try daemon.request(#"{"op":"search","q":"x","k":20}"#)
        #expect(before.errorMessage?.hasPrefix("k: must be an integer from 1 to 5") == true, "\(before)")
        try "[limits]\nmax_k = 50\n".write(toFile: daemon.folder.path("earshot.toml"), atomically: true, encoding: .utf8)
        #expect(try daemon.request(#"{"op":"reload"}"#).ok)
        #expect(try daemon.request(#"{"op":"search","q":"x","k":20}"#).ok)
        try "[limits]\nmax_kk = 50\n".write(toFile: daemon.folder.path("earshot.toml"), atomically: true, encoding: .utf8)
        let bad = try daemon.request(#"{"op":"reload"}"#)
        #expect(bad.errorMessage?.contains("unknown setting limits.max_kk") == true, "\(bad)")
        #expect(try daemon.request(#"{"op":"search","q":"x","k":20}"#).ok, "a bad config keeps the old one")
    }

    @Test("earshot bench drives the daemon and reports throughput and percentiles as JSON")
    func bench() throws {
        let daemon = try DaemonProcess(catalogue: nil)
        let run = try runCLI(["bench", "--socket", daemon.socket, "--connections", "3", "--pipeline", "4", "--requests", "600"])
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try parseResponse(try #require(run.stdout.split(separator: "\n").last.map(String.init)))
        #expect(summary.int("requests") == 600)
        #expect(summary.int("failed") == 0)
        #expect(summary.value("p99_ms") != nil && summary.value("throughput_rps") != nil)
        let failing = try runCLI(["bench", "--socket", daemon.socket, "--requests", "10", "--op", #"{"op":"nope"}"#])
        #expect(failing.status != 0, "failed requests make the run fail")
    }

    @Test(
        "a reload of an unchanged catalogue keeps the tracks it read; one more imported track and SIGHUP: info reports 89,742; SIGTERM exits 0",
        .enabled(if: Paths.hasRealData, "needs ../shared/data/spotify-tracks/tracks.csv"))
    func reloadAfterImport() throws {
        let folder = try TemporaryFolder()
        let database = folder.path("catalogue.db")
        try SharedCatalogue.copy(to: database)
        let daemon = try DaemonProcess(catalogue: database)
        let first = try daemon.request(#"{"op":"info"}"#)
        #expect(first.int("result.catalogue.tracks") == 89_741)
        let firstRead = try #require(first.string("result.catalogue.loaded_at"))
        let unchanged = try daemon.request(#"{"op":"reload"}"#)
        #expect(unchanged.ok, "\(unchanged)")
        #expect(unchanged.string("result.catalogue.loaded_at") == firstRead, "no track changed: none is read again")

        let csv = folder.path("one.csv")
        try """
            track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre
            0EarshotTestTrack00001,Test Artist,Test Album,Brand New Song,10,200000,False,0.5,0.5,1,-7.0,1,0.05,0.3,0.0,0.1,0.5,120.0,4,pop

            """.write(toFile: csv, atomically: true, encoding: .utf8)
        let imported = try runCLI(["import", "catalogue", "--db", database, csv])
        #expect(imported.status == 0, "\(imported.stderr)")

        daemon.signal(SIGHUP)
        var tracks: Int?
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let info = try daemon.request(#"{"op":"info"}"#)
            tracks = info.int("result.catalogue.tracks")
            if tracks == 89_742 { break }
            usleep(100_000)
        }
        #expect(tracks == 89_742)
        let info = try daemon.request(#"{"op":"info"}"#)
        #expect(info.string("result.catalogue.loaded_at") != firstRead)
        #expect(info.int("result.reloads.ok") == 2)
        #expect(info.int("result.reloads.failed") == 0)

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        #expect(!FileManager.default.fileExists(atPath: daemon.socket), "the socket file is removed at exit")
    }

    @Test("after reloads to other snapshots no file of the first one stays mapped, nor of any replaced one")
    func replacedSnapshotsAreUnmapped() throws {
        let folder = try TemporaryFolder()
        for (name, seed) in [("a", "1"), ("b", "2")] {
            let synth = try runCLI([
                "snapshot", "synth", "--items", "2000", "--dims", "8", "--users", "10", "--seed", seed, "--out",
                folder.path(name),
            ])
            #expect(synth.status == 0, "\(synth.stderr)")
        }
        let current = folder.path("current")
        try FileManager.default.createSymbolicLink(atPath: current, withDestinationPath: "a")
        let daemon = try DaemonProcess(catalogue: nil, snapshot: current)
        func mapped() throws -> Set<String> {
            // Read to the end: /proc files report a size of 0, which String(contentsOfFile:) trusts.
            let file = try #require(FileHandle(forReadingAtPath: "/proc/\(daemon.process.processIdentifier)/maps"))
            defer { try? file.close() }
            let maps = String(decoding: try file.readToEnd() ?? Data(), as: UTF8.self)
            return Set(maps.split(separator: "\n").compactMap { line in
                line.split(separator: " ").last.map(String.init).flatMap { $0.hasSuffix(".npy") ? $0 : nil }
            })
        }
        let first = try mapped()
        #expect(first.contains { $0.hasPrefix(folder.path("a") + "/") }, "\(first.sorted())")
        for target in ["b", "a", "b"] {
            try FileManager.default.removeItem(atPath: current)
            try FileManager.default.createSymbolicLink(atPath: current, withDestinationPath: target)
            #expect(try daemon.request(#"{"op":"reload"}"#).ok)
            // The reload answers once the new state serves; the old one goes when its last request is done.
            _ = try daemon.request(#"{"op":"recommend","scorer":"mf","user":"1","k":3}"#)
            let other = folder.path(target == "a" ? "b" : "a") + "/"
            var files = try mapped()
            let deadline = Date().addingTimeInterval(10)
            while files.contains(where: { $0.hasPrefix(other) }), Date() < deadline {
                usleep(50_000)
                files = try mapped()
            }
            #expect(!files.contains { $0.hasPrefix(other) }, "still mapped after the reload to \(target): \(files.sorted())")
            #expect(files.contains { $0.hasPrefix(folder.path(target) + "/") }, "\(files.sorted())")
        }
    }

    @Test("a reload that fails keeps the old state and says why in info")
    func failedReload() throws {
        let daemon = try DaemonProcess(catalogue: nil)
        // A snapshot directory whose manifest is garbage.
        let snapshot = daemon.folder.path("no-snapshot")
        try FileManager.default.createDirectory(atPath: snapshot, withIntermediateDirectories: true)
        try "{".write(toFile: snapshot + "/manifest.json", atomically: true, encoding: .utf8)
        let reload = try daemon.request(#"{"op":"reload"}"#)
        #expect(reload.errorCode == "internal")
        #expect(reload.errorMessage?.contains("manifest") == true)
        let info = try daemon.request(#"{"op":"info"}"#)
        #expect(info.int("result.reloads.failed") == 1)
        #expect(info.string("result.reloads.last_error")?.contains("manifest") == true)
        #expect(try daemon.request(#"{"op":"ping"}"#).ok)
    }

    @Test("the reload op is refused to other users (uid 65534)", .enabled(if: getuid() == 0, "needs root to act as another user"))
    func reloadForbidden() throws {
        let daemon = try DaemonProcess(catalogue: nil, config: "[server]\nsocket_mode = \"0666\"\n")
        chmod(daemon.folder.url.path, 0o755)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = [
            "--reuid=65534", "--regid=65534", "--clear-groups", "socat", "-t", "5", "-", "UNIX-CONNECT:\(daemon.socket)",
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(#"{"op":"reload"}"#.utf8 + [0x0A]))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let response = try parseResponse(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(response.errorCode == "forbidden")
        // Root (the daemon's own user here) may reload.
        #expect(try daemon.request(#"{"op":"reload"}"#).ok)
    }

    @Test(
        "SIGTERM lets the request in flight finish, then closes and exits 0",
        .enabled(if: Paths.hasRealData, "needs ../shared/data/spotify-tracks/tracks.csv"))
    func drain() throws {
        let daemon = try DaemonProcess(catalogue: try SharedCatalogue.database.get())
        let client = try daemon.connect()
        // A reload of the real catalogue takes long enough to still be running at SIGTERM.
        try client.write(#"{"id":"slow","op":"reload"}"# + "\n")
        usleep(200_000)
        daemon.signal(SIGTERM)
        let response = try parseResponse(try #require(try client.readLine()))
        #expect(response["id"] == "slow")
        #expect(response.ok)
        #expect(try client.readLine() == nil)
        #expect(daemon.waitForExit() == 0)
    }
}
