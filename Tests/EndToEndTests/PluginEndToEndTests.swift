import EarshotCatalogueTypes
import EarshotClient
import EarshotProtocol
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Scorer plugins loaded by the real earshotd from `[scorers] plugins`,
/// built from examples/ with only a compiler and include/earshot/scorer.h.
@Suite(
    "Scorer plugins (real catalogue)", .serialized,
    .enabled(if: Paths.hasRealData, "needs ../shared/data/spotify-tracks/tracks.csv"))
struct PluginEndToEndTests {
    /// Two Beatles tracks: the affinity scorer ranks the Beatles' other
    /// tracks (and their remasters) first, so every filter has work to do.
    static let beatles = ["6dGnYIeXmHdcikdzNNDMm2", "3BQHpFgAp4l80e1XslIjNI"]

    @Test("the C example builds with make; scorers lists it ready; recommend and similar answer with heard, versions and max_per_artist applied")
    func cExample() throws {
        let folder = try TemporaryFolder()
        let library = try PluginBuilds.affinity(in: folder)
        let daemon = try DaemonProcess(catalogue: try SharedCatalogue.database.get(), config: pluginConfig([library]))
        try expectServes(daemon, scorer: "affinity", version: "1.0.0", path: library)
    }

    @Test("the Swift example (@_cdecl) builds with make and serves like the C one")
    func swiftExample() throws {
        let folder = try TemporaryFolder()
        let library = try PluginBuilds.genrePopularity(in: folder)
        let daemon = try DaemonProcess(catalogue: try SharedCatalogue.database.get(), config: pluginConfig([library]))
        try expectServes(daemon, scorer: "genre-popularity", version: "1.0.0", path: library)
    }

    @Test("not a plugin, another ABI major, a writable file and a plugin listed twice: the rest serves, start and reload; each reason by name; plugin check exits 1")
    func badPlugins() throws {
        let folder = try TemporaryFolder()
        let good = try PluginBuilds.affinity(in: folder)
        let text = folder.path("libnotes.so")
        try "not a shared library\n".write(toFile: text, atomically: true, encoding: .utf8)
        let noSymbols = try PluginBuilds.compile("int unrelated(void) { return 1; }\n", named: "libplain", in: folder)
        let otherMajor = try PluginBuilds.compile(
            """
            #include <stdint.h>
            __attribute__((visibility("default"))) uint32_t earshot_scorer_abi(void) { return (2u << 16) | 0u; }
            """, named: "libfuture", in: folder)
        let writable = folder.path("libwritable.so")
        try FileManager.default.copyItem(atPath: good, toPath: writable)
        chmod(writable, 0o666)
        let files = [good, text, noSymbols, otherMajor, writable, good]
        let daemon = try DaemonProcess(catalogue: try SharedCatalogue.database.get(), config: pluginConfig(files))

        func check(_ label: String) throws {
            let scorers = try daemon.request(#"{"op":"scorers"}"#)
            #expect(scorers.ok)
            let ready = Set(scorers.items("result.scorers").filter { $0["ready"] == .bool(true) }.compactMap { $0.string("name") })
            #expect(ready.isSuperset(of: ["content", "affinity"]), "\(label): \(ready)")
            for source in [scorers, try daemon.request(#"{"op":"info"}"#)] {
                let plugins = source.items("result.plugins")
                #expect(plugins.count == files.count, "\(label)")
                func reason(_ index: Int) -> String { plugins.count > index ? plugins[index].string("reason") ?? "" : "" }
                #expect(plugins.first?["loaded"] == .bool(true))
                #expect(reason(1).contains("libnotes.so") && reason(1).contains("not an earshot scorer plugin"), "\(reason(1))")
                #expect(reason(2).contains("libplain.so") && reason(2).contains("earshot_scorer_abi"), "\(reason(2))")
                #expect(reason(3).contains("libfuture.so") && reason(3).contains("ABI 2.0"), "\(reason(3))")
                #expect(reason(4).contains("libwritable.so") && reason(4).contains("writable"), "\(reason(4))")
                #expect(reason(5).contains("affinity") && reason(5).contains("already loaded"), "\(reason(5))")
            }
            let answer = try daemon.request(#"{"op":"recommend","scorer":"affinity","history":["\#(Self.beatles[0])"],"k":5}"#)
            #expect(answer.items().count == 5, "\(label): \(answer)")
        }
        try check("start")
        let reload = try daemon.request(#"{"op":"reload"}"#)
        #expect(reload.ok, "\(reload)")
        try check("reload")
        #expect(daemon.log().contains("libfuture.so"), "the log names each refused file")

        for file in [text, noSymbols, otherMajor, writable] {
            let result = try runCLI(["plugin", "check", file])
            #expect(result.status != 0, "\(file)")
            #expect(result.stdout.contains("cannot load") && result.stdout.contains(file), "\(result.stdout)")
        }
        let ok = try runCLI(["plugin", "check", good])
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(ok.stdout.contains("name: affinity") && ok.stdout.contains("version: 1.0.0") && ok.stdout.contains("abi: 1.0"))
    }

    @Test("8 clients on the plugin's scorer while the config points at a rebuilt copy and 20 SIGHUPs arrive 1 s apart: no request fails, no reload fails; scorers shows the new version")
    func reloadToRebuiltCopy() throws {
        let folder = try TemporaryFolder()
        let first = try PluginBuilds.affinity(in: folder, version: "1.0.0", name: "libearshot-affinity-1.so")
        let second = try PluginBuilds.affinity(in: folder, version: "2.0.0", name: "libearshot-affinity-2.so")
        let daemon = try DaemonProcess(catalogue: try SharedCatalogue.database.get(), config: pluginConfig([first]))
        let socket = daemon.socket
        let stop = LockedFlag()
        let counts = LockedCounter()
        let failures = LockedCounter()
        let group = DispatchGroup()
        for worker in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let client = try? LineClient(path: socket) else { failures.increment(); return }
                client.setReadTimeout(seconds: 30)
                var round = 0
                while !stop.isSet {
                    let seed = Self.beatles[(worker + round) % 2]
                    let request = #"{"id":\#(round),"op":"recommend","scorer":"affinity","history":["\#(seed)"],"k":10,"max_per_artist":2}"#
                    round += 1
                    guard let line = try? client.request(request), let response = try? parseResponse(line),
                        response.ok, response.items().count == 10
                    else {
                        failures.increment()
                        return
                    }
                    counts.increment()
                }
            }.start()
        }
        try pluginConfig([second]).write(toFile: daemon.folder.path("earshot.toml"), atomically: true, encoding: .utf8)
        let before = try daemon.request(#"{"op":"info"}"#).int("result.reloads.ok") ?? 0
        for _ in 0..<20 {
            daemon.signal(SIGHUP)
            usleep(1_000_000)
        }
        stop.set()
        group.wait()
        #expect(failures.value == 0)
        #expect(counts.value > 0)
        // Reloads that queued up behind a slow one (a loaded machine, a debug build) finish first.
        var affinity: JSONObject?
        let deadline = Date().addingTimeInterval(180)
        repeat {
            affinity = try daemon.request(#"{"op":"scorers"}"#).items("result.scorers").first { $0.string("name") == "affinity" }
            if affinity?.string("version") == "2.0.0" { break }
            usleep(500_000)
        } while Date() < deadline
        let info = try daemon.request(#"{"op":"info"}"#)
        let reloads = (info.int("result.reloads.ok") ?? 0) - before
        #expect(reloads >= 1)
        #expect(info.int("result.reloads.failed") == 0)
        #expect(affinity?.string("version") == "2.0.0")
        #expect(affinity?.string("plugin") == second)
        print("plugin reload under load: \(counts.value) requests, \(failures.value) failed, \(reloads) reloads ok for 20 SIGHUPs")
    }

    /// `scorers` lists the plugin ready; its answers respect every filter.
    private func expectServes(_ daemon: DaemonProcess, scorer: String, version: String, path: String) throws {
        let scorers = try daemon.request(#"{"op":"scorers"}"#)
        let entry = scorers.items("result.scorers").first { $0.string("name") == scorer }
        #expect(entry?["ready"] == .bool(true), "\(scorers)")
        #expect(entry?.string("version") == version)
        #expect(entry?.string("plugin") == path)
        #expect((entry?.int("model.items") ?? 0) == 89_741)

        let history = Self.beatles.map { "\"\($0)\"" }.joined(separator: ",")
        let open = try daemon.request(#"{"op":"recommend","scorer":"\#(scorer)","history":[\#(history)],"k":10}"#)
        let limited = try daemon.request(
            #"{"op":"recommend","scorer":"\#(scorer)","history":[\#(history)],"k":10,"max_per_artist":2}"#)
        for response in [open, limited] {
            #expect(response.ok, "\(response)")
            let items = response.items()
            #expect(items.count == 10)
            let ids = items.compactMap { $0.string("track") }
            #expect(Set(ids).isDisjoint(with: Self.beatles), "heard tracks are not recommended again")
            let songs = items.map(Self.song)
            #expect(Set(songs).count == songs.count, "one version per song: \(songs)")
            #expect(!songs.contains(SongKey(title: "Here Comes The Sun", primaryArtist: "The Beatles")))
            #expect(!songs.contains(SongKey(title: "Yesterday", primaryArtist: "The Beatles")))
        }
        let perArtist = Dictionary(grouping: limited.items(), by: { Self.song($0).artist }).mapValues(\.count)
        #expect(perArtist.values.allSatisfy { $0 <= 2 }, "max_per_artist 2: \(perArtist)")
        if scorer == "affinity" {
            // Without the limit, artist affinity fills the list with the Beatles.
            let beatles = open.items().filter { Self.song($0).artist == "the beatles" }.count
            #expect(beatles > 2, "the limit has something to cut: \(beatles)")
        }

        let similar = try daemon.request(#"{"op":"similar","scorer":"\#(scorer)","track":"\#(Self.beatles[0])","k":10}"#)
        #expect(similar.ok, "\(similar)")
        let similarSongs = similar.items().map(Self.song)
        #expect(similarSongs.count == 10)
        #expect(Set(similarSongs).count == similarSongs.count)
        #expect(!similarSongs.contains(SongKey(title: "Here Comes The Sun", primaryArtist: "The Beatles")))

        let score = try daemon.request(
            #"{"op":"score","scorer":"\#(scorer)","history":[\#(history)],"tracks":["\#(Self.beatles[0])","no-such-track"]}"#)
        #expect(score.ok, "\(score)")
    }

    static func song(_ item: JSONObject) -> SongKey {
        var artist = ""
        if case .array(let artists)? = item["artists"], case .string(let first)? = artists.first { artist = first }
        return SongKey(title: item.string("name") ?? "", primaryArtist: artist)
    }
}
