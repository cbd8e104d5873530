import EarshotScoring
import EarshotSnapshot
import Foundation

/// Last.fm artists (the ALS model's items) mapped onto catalogue tracks by
/// normalized artist name (`TextNormalization.name`): a track gets every
/// credited artist that matches. When several Last.fm artists share a
/// normalized name, the one with the most listeners wins.
///
/// Every catalogue track is kept, in catalogue order (the other catalogue
/// scorers' items, so a blend passes exclusions through as they are), with
/// its credits by normalized name: the listener's own artists count at
/// request time even when no public listener knows them.
public struct ArtistMapping: Sendable {
    /// The snapshot part name and scorer kind.
    public static let partName = "artists"

    /// CSR over catalogue rows: each track's matched artists (model item indices), often none.
    public let offsets: [Int]
    public let artists: [Int32]
    /// CSR over catalogue rows: each track's credited artists, numbered by normalized name.
    public let creditOffsets: [Int]
    public let credits: [Int32]
    /// Rows with at least one credited artist.
    public let creditedTracks: Int
    /// Rows with at least one matched artist.
    public let matchedTracks: Int
    public let catalogue: TrackCatalogue
    /// Model artists matched to at least one catalogue artist.
    public let matchedArtists: Int
    public let modelArtists: Int
    /// Listening pairs (rows of `user_artists.dat`) whose artist matched.
    public let matchedPairs: Int
    public let pairs: Int
    /// Catalogue rows as the CSV counts them (a track once per genre) with a match.
    public let matchedCatalogueRows: Int
    public let catalogueRows: Int

    public init(model: ALSModel, names: [String: String], catalogue: TrackCatalogue, table: InteractionTable) {
        var listeners = [Int](repeating: 0, count: model.itemIDs.count)
        for item in table.items { listeners[Int(item)] += 1 }
        var artistOfName: [String: Int32] = [:]
        for (index, id) in model.itemIDs.enumerated() {
            guard let name = names[id] else { continue }
            let key = TextNormalization.name(name)
            guard !key.isEmpty else { continue }
            if let other = artistOfName[key], listeners[Int(other)] >= listeners[index] { continue }
            artistOfName[key] = Int32(index)
        }
        var offsets = [0]
        var artists: [Int32] = []
        var creditOffsets = [0]
        var credits: [Int32] = []
        var creditOfKey: [String: Int32] = [:]
        var matched = Set<Int32>()
        var matchedTracks = 0
        var creditedTracks = 0
        var matchedRows = 0
        var allRows = 0
        // Each credited name once: its normalized key's credit number and Last.fm artist.
        var cache: [String: (credit: Int32, artist: Int32?)?] = [:]
        for track in catalogue.tracks {
            allRows += max(1, track.genres.count)
            var found: [Int32] = []
            var credited: [Int32] = []
            for name in track.artists {
                let entry: (credit: Int32, artist: Int32?)?
                if let known = cache[name] {
                    entry = known
                } else {
                    let key = TextNormalization.name(name)
                    if key.isEmpty {
                        entry = nil
                    } else {
                        let credit = creditOfKey[key] ?? Int32(creditOfKey.count)
                        creditOfKey[key] = credit
                        entry = (credit, artistOfName[key])
                    }
                    cache[name] = entry
                }
                guard let entry else { continue }
                if !credited.contains(entry.credit) { credited.append(entry.credit) }
                if let artist = entry.artist, !found.contains(artist) { found.append(artist) }
            }
            if !credited.isEmpty { creditedTracks += 1 }
            artists += found
            offsets.append(artists.count)
            credits += credited
            creditOffsets.append(credits.count)
            guard !found.isEmpty else { continue }
            matched.formUnion(found)
            matchedTracks += 1
            matchedRows += max(1, track.genres.count)
        }
        self.creditedTracks = creditedTracks
        self.offsets = offsets
        self.artists = artists
        self.creditOffsets = creditOffsets
        self.credits = credits
        self.matchedTracks = matchedTracks
        self.catalogue = catalogue
        matchedArtists = matched.count
        modelArtists = model.itemIDs.count
        matchedPairs = table.items.lazy.filter { matched.contains($0) }.count
        pairs = table.count
        matchedCatalogueRows = matchedRows
        catalogueRows = allRows
    }

    /// Human-readable lines for stderr.
    public var report: String {
        func percent(_ a: Int, _ b: Int) -> String { String(format: "%.1f%%", b == 0 ? 0 : 100 * Double(a) / Double(b)) }
        return """
            artists: \(matchedArtists) of \(modelArtists) Last.fm artists match a catalogue artist by normalized name
            artists: they cover \(matchedPairs) of \(pairs) listening pairs (\(percent(matchedPairs, pairs)))
            artists: \(matchedTracks) of \(catalogue.count) catalogue tracks (\(matchedCatalogueRows) of \(catalogueRows) rows counted once per genre, \(percent(matchedCatalogueRows, catalogueRows))) have a matched artist

            """
    }

    /// The counts as JSON members (no braces).
    public var summaryJSON: String {
        #""matched_artists":\#(matchedArtists),"lastfm_artists":\#(modelArtists),"matched_pairs":\#(matchedPairs),"#
            + #""pairs":\#(pairs),"matched_tracks":\#(matchedTracks),"credited_tracks":\#(creditedTracks),"tracks":\#(catalogue.count),"#
            + #""matched_catalogue_rows":\#(matchedCatalogueRows),"catalogue_rows":\#(catalogueRows)"#
    }

    /// The `artists/` part: `items.txt` (catalogue ids), `artists.txt` (Last.fm
    /// ids), `artist_factors.npy`, the tracks' Last.fm artists as CSR
    /// (`track_artists_indptr.npy`, `track_artists_indices.npy`), their
    /// credited artists as CSR (`track_credits_indptr.npy`,
    /// `track_credits_indices.npy`) and `track_prior.npy` (catalogue
    /// popularity, 0–1); fold-in settings, `prior_weight` and `own_weight` in
    /// the manifest.
    public func snapshotPart(model: ALSModel, priorWeight: Double, ownWeight: Double) -> SnapshotPartContents {
        func list(_ ids: [String]) -> Data { Data((ids.joined(separator: "\n") + (ids.isEmpty ? "" : "\n")).utf8) }
        let prior = catalogue.tracks.map { Float($0.popularity) / 100 }
        var hyperparameters = model.configuration.hyperparameters
        hyperparameters["prior_weight"] = priorWeight
        hyperparameters["own_weight"] = ownWeight
        return SnapshotPartContents(
            name: Self.partName,
            part: Manifest.Part(
                kind: Self.partName, hyperparameters: hyperparameters,
                training: [
                    "listeners": model.userIDs.count, "artists": modelArtists, "matched_artists": matchedArtists,
                    "matched_pairs": matchedPairs, "matched_tracks": matchedTracks, "tracks": catalogue.count,
                ]),
            files: [
                "items.txt": list(catalogue.tracks.map(\.id)),
                "artists.txt": list(model.itemIDs),
                "artist_factors.npy": NPY.write(.float32(shape: [model.itemIDs.count, model.factors], values: model.itemFactors)),
                "track_artists_indptr.npy": NPY.write(.int64(shape: [offsets.count], values: offsets.map(Int64.init))),
                "track_artists_indices.npy": NPY.write(.int64(shape: [artists.count], values: artists.map(Int64.init))),
                "track_credits_indptr.npy": NPY.write(.int64(shape: [creditOffsets.count], values: creditOffsets.map(Int64.init))),
                "track_credits_indices.npy": NPY.write(.int64(shape: [credits.count], values: credits.map(Int64.init))),
                "track_prior.npy": NPY.write(.float32(shape: [prior.count], values: prior)),
            ])
    }
}
