import ArgumentParser
import EarshotCatalogue
import EarshotPlugins
import EarshotScoring
import Foundation

/// `earshot plugin bench`: what calling a scorer through the C ABI costs.
/// Runs the C example `affinity` and the same scan written in Swift and
/// called as the daemon calls a built-in scorer, interleaved in one run on
/// the same requests, and checks both return the same items.
struct PluginBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the affinity plugin (examples/scorer-c) against the same scan as a built-in Swift scorer.")

    @Argument(help: ArgumentHelp("libearshot-affinity.so built from examples/scorer-c.", valueName: "FILE"))
    var file: String

    @Option(help: ArgumentHelp("SQLite catalogue.", valueName: "DB"))
    var db: String

    @Option(help: "Requests per scorer.")
    var requests = 400

    @Option(help: "Results per request.")
    var k = 10

    func run() throws {
        let catalogue = try CatalogueStore.open(path: db, create: false).loadCatalogue()
        let library: PluginLibrary
        do {
            library = try PluginLibrary.open(file)
        } catch {
            throw CLIError(error.description)
        }
        guard library.name == "affinity" else { throw CLIError("\(file) is \(library.name), not the affinity example") }
        let context = ScorerLoadContext(catalogue: catalogue, part: nil)
        let plugin: any LoadedScorer
        do {
            plugin = try PluginScorer.load(library, context: context)
        } catch {
            throw CLIError("affinity: \(error.description)")
        }
        let builtIn: any LoadedScorer = AffinityScan(catalogue: catalogue)
        // Listeners of 1–20 tracks spread over the catalogue, the same for both.
        var generator = SystemRandomNumberGenerator()
        let listeners = (0..<64).map { _ in
            Listener(
                user: nil,
                history: (0..<Int.random(in: 1...20, using: &generator)).map { _ in
                    WeightedItem(item: Int32.random(in: 0..<Int32(catalogue.count), using: &generator), weight: 1)
                })
        }
        let exclusions = listeners.map { listener in
            var exclusion = ItemExclusion(count: catalogue.count)
            for entry in listener.history { exclusion.exclude(entry.item) }
            return exclusion
        }
        var pluginTime = Duration.zero
        var builtInTime = Duration.zero
        let clock = ContinuousClock()
        var mismatches = 0
        for round in 0..<requests {
            let index = round % listeners.count
            var fromPlugin: [ScoredItem] = []
            var fromBuiltIn: [ScoredItem] = []
            // Alternate which goes first, so neither always finds the caches warm.
            let order = round % 2 == 0 ? [true, false] : [false, true]
            for usePlugin in order {
                let start = clock.now
                let items = try (usePlugin ? plugin : builtIn).recommend(
                    for: listeners[index], k: k, excluding: exclusions[index])
                let elapsed = clock.now - start
                if usePlugin {
                    pluginTime += elapsed
                    fromPlugin = items
                } else {
                    builtInTime += elapsed
                    fromBuiltIn = items
                }
            }
            if fromPlugin.map(\.item) != fromBuiltIn.map(\.item) { mismatches += 1 }
        }
        func milliseconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        }
        let pluginMean = milliseconds(pluginTime) / Double(requests)
        let builtInMean = milliseconds(builtInTime) / Double(requests)
        print(
            String(
                format: "affinity over %d tracks, %d requests each, k %d: plugin %.3f ms, built-in %.3f ms per request; plugin/built-in %.3f; %d answers differ",
                catalogue.count, requests, k, pluginMean, builtInMean, pluginMean / builtInMean, mismatches))
        if mismatches > 0 { throw ExitCode.failure }
    }
}

/// The affinity scan of examples/scorer-c/affinity.c as a built-in Swift
/// scorer: the reference the plugin's call overhead is measured against.
struct AffinityScan: LoadedScorer {
    let primaryArtist: [Int32]
    let genreOffsets: [Int32]
    let genres: [Int32]
    let popularity: [Float]
    let artistCount: Int
    let genreCount: Int
    let itemIDs: IDList

    init(catalogue: TrackCatalogue) {
        var artistIndex: [String: Int32] = [:]
        var genreIndex: [String: Int32] = [:]
        var primary: [Int32] = []
        var offsets: [Int32] = [0]
        var genres: [Int32] = []
        for track in catalogue.tracks {
            for (position, artist) in track.artists.enumerated() {
                let index = artistIndex[artist] ?? Int32(artistIndex.count)
                artistIndex[artist] = index
                if position == 0 { primary.append(index) }
            }
            if track.artists.isEmpty { primary.append(-1) }
            for genre in track.genres {
                let index = genreIndex[genre] ?? Int32(genreIndex.count)
                genreIndex[genre] = index
                genres.append(index)
            }
            offsets.append(Int32(genres.count))
        }
        primaryArtist = primary
        genreOffsets = offsets
        self.genres = genres
        popularity = catalogue.tracks.map { Float($0.popularity) }
        artistCount = artistIndex.count
        genreCount = genreIndex.count
        itemIDs = IDList(catalogue.tracks.map(\.id))
    }

    var facts: [String: Int] { ["items": itemIDs.count] }

    func item(of id: String) -> Int32? { nil }

    func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError)
        -> [ScoredItem]
    {
        var artists = [Float](repeating: 0, count: artistCount + 1)
        var genreWeights = [Float](repeating: 0, count: genreCount + 1)
        var total: Float = 0
        for entry in listener.history where entry.weight > 0 {
            let row = Int(entry.item)
            total += entry.weight
            if primaryArtist[row] >= 0 { artists[Int(primaryArtist[row])] += entry.weight }
            for g in Int(genreOffsets[row])..<Int(genreOffsets[row + 1]) { genreWeights[Int(genres[g])] += entry.weight }
        }
        guard total > 0 else { throw .unknownUser(listener.user ?? "") }
        var best = TopK(k: k)
        for row in 0..<itemIDs.count where !exclusion.contains(Int32(row)) {
            let artist = primaryArtist[row] >= 0 ? artists[Int(primaryArtist[row])] : 0
            var genre: Float = 0
            let first = Int(genreOffsets[row])
            let last = Int(genreOffsets[row + 1])
            for g in first..<last { genre += genreWeights[Int(genres[g])] }
            if last > first { genre /= Float(last - first) }
            let score = (artist + genre) / total + 0.00001 * popularity[row]
            if score > best.threshold { best.insert(item: Int32(row), score: score) }
        }
        return best.sorted()
    }

    func similar(
        to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion
    ) throws(ScoringError) -> [ScoredItem] {
        try recommend(for: Listener(user: nil, history: seeds.map { WeightedItem(item: $0, weight: 1) }), k: k, excluding: exclusion)
    }

    func score(_ items: [Int32], for listener: Listener) throws(ScoringError) -> [Float] {
        throw .scorerFailed("the benchmark reference scores no items")
    }
}
