import Blend
import EarshotCatalogue
import EarshotScoring
import EarshotSnapshot
import EarshotTraining
import Foundation

/// One user's distinct catalogue tracks played at least 30 s, in the order
/// of their first such play: the time-ordered protocol of `earshot eval
/// history` and of fitting a catalogue blend.
struct ListeningTimeline {
    static let minimumMs = 30_000

    /// Catalogue rows, first-played first.
    let rows: [Int32]
    /// When each row was first played for 30 s or more.
    let firstPlayed: [Date]

    /// `listens` are one user's, in time order.
    init<Listens: Sequence<StoredListen>>(_ listens: Listens, catalogue: TrackCatalogue) {
        var seen = Set<Int32>()
        var rows: [Int32] = []
        var firstPlayed: [Date] = []
        for listen in listens where (listen.msPlayed ?? Self.minimumMs) >= Self.minimumMs {
            guard let row = catalogue.row(of: listen.trackID), seen.insert(row).inserted else { continue }
            rows.append(row)
            firstPlayed.append(listen.timestamp)
        }
        self.rows = rows
        self.firstPlayed = firstPlayed
    }

    /// The first `fraction` of the tracks as history, the rest as test.
    func split(_ fraction: Double) -> (history: ArraySlice<Int32>, test: ArraySlice<Int32>) {
        let cut = Int(Double(rows.count) * fraction)
        return (rows[..<cut], rows[cut...])
    }

    /// Every user's listens, grouped (the store returns them ordered by user, then time).
    static func byUser(_ listens: [StoredListen]) -> [(user: String, listens: ArraySlice<StoredListen>)] {
        var groups: [(user: String, listens: ArraySlice<StoredListen>)] = []
        var start = 0
        while start < listens.count {
            var end = start
            while end < listens.count, listens[end].user == listens[start].user { end += 1 }
            groups.append((listens[start].user, listens[start..<end]))
            start = end
        }
        return groups
    }
}

/// Catalogue rows grouped by song: excluding a heard track excludes its
/// other versions too, as the daemon does.
struct SongVersions {
    private let rowsOfSong: [Int32: [Int32]]
    let catalogue: TrackCatalogue

    init(_ catalogue: TrackCatalogue) {
        var rowsOfSong: [Int32: [Int32]] = [:]
        for (row, song) in catalogue.songOfRow.enumerated() { rowsOfSong[song, default: []].append(Int32(row)) }
        self.rowsOfSong = rowsOfSong
        self.catalogue = catalogue
    }

    /// `rows` and every other version of their songs.
    func versions<Rows: Sequence<Int32>>(of rows: Rows) -> [Int32] {
        var songs = Set<Int32>()
        var result: [Int32] = []
        for row in rows where songs.insert(catalogue.songOfRow[Int(row)]).inserted {
            result += rowsOfSong[catalogue.songOfRow[Int(row)]] ?? [row]
        }
        return result
    }
}

/// Popularity over the catalogue's tracks: the catalogue's popularity
/// (0–100, scaled to 0–1) plus ln(1 + distinct listeners) from stored listens.
enum CataloguePopularity {
    static func part(catalogue: TrackCatalogue, listens: [StoredListen]) -> PopularityPart {
        var listeners = [Set<String>](repeating: [], count: catalogue.count)
        for listen in listens {
            if let row = catalogue.row(of: listen.trackID) { listeners[Int(row)].insert(listen.user) }
        }
        return PopularityPart(catalogue: catalogue, listeners: listeners.map(\.count))
    }
}

/// Fits a catalogue blend's weights on stored listens: for every user with at
/// least 10 timeline tracks, the first 80% are the history and the later
/// 20% the held-out hits.
enum CatalogueBlendFit {
    static let minimumTracks = 10
    static let fraction = 0.8

    static func examples(pool: BlendPool, listens: [StoredListen], versions: SongVersions) -> [BlendFit.Example] {
        let catalogue = versions.catalogue
        var examples: [BlendFit.Example] = []
        for (_, plays) in ListeningTimeline.byUser(listens) {
            let timeline = ListeningTimeline(plays, catalogue: catalogue)
            guard timeline.rows.count >= minimumTracks else { continue }
            let (history, test) = timeline.split(fraction)
            examples.append(
                example(itemOf: pool.item(of:), itemCount: pool.itemIDs.count, history: history, test: test, versions: versions))
        }
        return examples
    }

    /// A listener known only by `history` (weight 1 each), its tracks and
    /// their versions excluded, in the item space of a scorer (`itemOf`, `itemCount`).
    static func example<H: Collection<Int32>, T: Sequence<Int32>>(
        itemOf: (String) -> Int32?, itemCount: Int, history: H, test: T, versions: SongVersions
    ) -> BlendFit.Example {
        let catalogue = versions.catalogue
        let items = history.compactMap { itemOf(catalogue.tracks[Int($0)].id) }
        var exclusion = ItemExclusion(count: itemCount)
        for row in versions.versions(of: history) {
            if let item = itemOf(catalogue.tracks[Int(row)].id) { exclusion.exclude(item) }
        }
        return BlendFit.Example(
            listener: Listener(user: nil, history: items.map { WeightedItem(item: $0, weight: 1) }), exclusion: exclusion,
            relevant: Set(test.compactMap { itemOf(catalogue.tracks[Int($0)].id) }))
    }
}

extension CatalogueBlendFit {
    /// A `blend/` part over `sources` (loaded from `parts`, `base`'s other
    /// parts and the catalogue) with weights fitted on `listens`; the default
    /// weights when too few users have enough tracks (`BlendFit.minimumExamples`).
    static func part(
        sources: [String], parts: [SnapshotPartContents], basedOn base: String? = nil, catalogue: TrackCatalogue,
        listens: [StoredListen], candidates: Int, fitK: Int
    ) throws -> (part: BlendPart, fit: BlendFit.Result) {
        let pool = try BlendSourceTraining.pool(sources, parts: parts, catalogue: catalogue, basedOn: base)
        let examples = examples(pool: pool, listens: listens, versions: SongVersions(catalogue))
        let progress = TerminalProgress(label: "blend")
        let fitted = BlendFit(k: fitK, candidates: candidates).fit(pool: pool, examples: examples) {
            progress.update($0, of: $1, note: $2)
        }
        progress.finish()
        var part = BlendPart(
            sources: sources, weights: fitted.weights,
            hyperparameters: [BlendPlugin.candidatesKey: Double(candidates), BlendPlugin.fitKKey: Double(fitK), "fitted_on_listens": 1],
            training: [:])
        part.recordFit(fittedNDCG: fitted.fittedNDCG, defaultNDCG: fitted.defaultNDCG, users: fitted.examples)
        return (part, fitted)
    }
}
