import EarshotPlugins
import EarshotScoring
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The C example loaded in-process through `PluginLibrary` and `PluginScorer`,
/// on a small catalogue built here: batches, in-scan song and artist limits,
/// settings and load errors.
@Suite("Plugin scorer (C example)", .serialized)
struct PluginScorerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The example built once per test process with the project's header.
    static let library: Result<PluginLibrary, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-plugin-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let output = folder.appendingPathComponent("libearshot-affinity.so").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/make")
        process.arguments = [
            "-s", "-C", root.appendingPathComponent("examples/scorer-c").path,
            "EARSHOT_INCLUDE=\(root.appendingPathComponent("include").path)", "OUT=\(output)",
        ]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw PluginTestError("make failed") }
        return try PluginLibrary.open(output)
    }

    /// 60 tracks: 6 artists × 5 songs × 2 versions ("Song n" and "Song n - Live"), genres by artist parity.
    static let catalogue: TrackCatalogue = {
        var tracks: [TrackRecord] = []
        for artist in 0..<6 {
            for song in 0..<5 {
                for version in ["", " - Live"] {
                    tracks.append(
                        TrackRecord(
                            id: "a\(artist)s\(song)\(version.isEmpty ? "" : "l")", name: "Song \(song)\(version)",
                            artists: ["Artist \(artist)"], album: "", genres: [artist % 2 == 0 ? "rock" : "jazz"],
                            popularity: (artist * 7 + song * 3 + version.count) % 100, durationMs: 1, explicit: false,
                            features: nil))
                }
            }
        }
        return TrackCatalogue(tracks: tracks, fingerprint: "plugin-tests")
    }()

    func scorer(settings: [String: String] = [:]) throws -> PluginScorer {
        try PluginScorer.load(
            try Self.library.get(), context: ScorerLoadContext(catalogue: Self.catalogue, part: nil, settings: settings))
    }

    @Test("the descriptor's name, version and ABI come through")
    func descriptor() throws {
        let library = try Self.library.get()
        #expect(library.name == "affinity")
        #expect(library.version == "1.0.0")
        #expect(library.abi == PluginLibrary.hostABI)
    }

    @Test("song and artist limits inside the plugin's scan equal filtering its full ranking afterwards")
    func limitsInScan() throws {
        let scorer = try scorer()
        let listener = Listener(user: nil, history: [WeightedItem(item: 0, weight: 3), WeightedItem(item: 22, weight: 1)])
        var exclusion = ItemExclusion(count: Self.catalogue.count)
        exclusion.exclude(0)
        exclusion.exclude(22)
        let heardSongs: Set<Int32> = [Self.catalogue.songOfRow[0], Self.catalogue.songOfRow[22]]
        for maxPerArtist in [1, 2, 3] {
            for k in [1, 4, 10] {
                let limits = PluginLimits(oneVersionPerSong: true, excludedSongs: heardSongs, maxPerArtist: maxPerArtist)
                let inScan = try scorer.recommend([PluginRequest(listener: listener, k: k, exclusion: exclusion, limits: limits)])[0].get()
                let full = try scorer.recommend(for: listener, k: Self.catalogue.count, excluding: exclusion)
                var songs = heardSongs
                var perArtist: [String: Int] = [:]
                var expected: [ScoredItem] = []
                for item in full where expected.count < k {
                    let track = Self.catalogue.tracks[Int(item.item)]
                    guard songs.insert(Self.catalogue.songOfRow[Int(item.item)]).inserted else { continue }
                    guard perArtist[track.artists[0], default: 0] < maxPerArtist else { continue }
                    perArtist[track.artists[0], default: 0] += 1
                    expected.append(item)
                }
                #expect(inScan == expected, "k \(k), max_per_artist \(maxPerArtist)")
            }
        }
    }

    @Test("without limits the plugin returns the exact top k by score, best first, never an excluded item")
    func plainTopK() throws {
        let scorer = try scorer()
        let listener = Listener(user: "u", history: [WeightedItem(item: 13, weight: 1)])
        var exclusion = ItemExclusion(count: Self.catalogue.count)
        for item in stride(from: Int32(0), to: 60, by: 3) { exclusion.exclude(item) }
        let top = try scorer.recommend(for: listener, k: 7, excluding: exclusion)
        let all = (0..<Int32(60)).filter { !exclusion.contains($0) }
        let scores = try scorer.score(all, for: listener)
        let expected = zip(all, scores).sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(7)
        #expect(top.map(\.item) == expected.map(\.0))
        #expect(top.allSatisfy { !exclusion.contains($0.item) })
    }

    @Test("a batch of listeners in one call answers each as a single call would, with its own error")
    func batch() throws {
        let scorer = try scorer()
        let exclusion = ItemExclusion(count: Self.catalogue.count)
        let listeners = [
            Listener(user: nil, history: [WeightedItem(item: 1, weight: 1)]),
            Listener(user: "nobody", history: []),
            Listener(user: nil, history: [WeightedItem(item: 40, weight: 2), WeightedItem(item: 59, weight: 1)]),
        ]
        let answers = scorer.recommend(listeners.map { PluginRequest(listener: $0, k: 5, exclusion: exclusion) })
        #expect(answers.count == 3)
        #expect(try answers[0].get() == scorer.recommend(for: listeners[0], k: 5, excluding: exclusion))
        #expect(throws: ScoringError.unknownUser("nobody")) { try answers[1].get() }
        #expect(try answers[2].get() == scorer.recommend(for: listeners[2], k: 5, excluding: exclusion))
    }

    @Test("a bad [scorer.affinity] setting fails the load with the plugin's own words")
    func badSetting() throws {
        let error = #expect(throws: ScorerLoadError.self) { try scorer(settings: ["artist_weight": "loud"]) }
        #expect(error?.description.contains("scorer.affinity.artist_weight must be a number") == true, "\(String(describing: error))")
        let weighted = try scorer(settings: ["artist_weight": "0", "genre_weight": "1"])
        #expect(weighted.facts["artists"] == 6)
    }
}

struct PluginTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
