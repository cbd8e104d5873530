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

    /// The part's files (the `artists` plugin reads them by these names).
    enum File {
        static let items = "items.txt"
        static let ids = "artists.txt"
        static let names = "artist_names.txt"
        static let listeners = "artist_listeners.npy"
        static let factors = "artist_factors.npy"
        static let trackArtistsIndptr = "track_artists_indptr.npy"
        static let trackArtistsIndices = "track_artists_indices.npy"
        static let trackCreditsIndptr = "track_credits_indptr.npy"
        static let trackCreditsIndices = "track_credits_indices.npy"
        static let trackPrior = "track_prior.npy"
    }

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

    /// The public artists the tracks were mapped to.
    public let publicArtists: PublicArtists

    public init(artists publicArtists: PublicArtists, catalogue: TrackCatalogue) {
        let listeners = publicArtists.listeners
        var artistOfName: [String: Int32] = [:]
        for (index, name) in publicArtists.names.enumerated() {
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
        self.publicArtists = publicArtists
        matchedArtists = matched.count
        modelArtists = publicArtists.ids.count
        // A listening pair is one row of user_artists.dat: an artist's listeners count its pairs.
        matchedPairs = matched.reduce(0) { $0 + listeners[Int($1)] }
        pairs = listeners.reduce(0, +)
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

    /// The `artists/` part: `items.txt` (catalogue ids), the public artists
    /// (`PublicArtists`: `artists.txt`, `artist_names.txt`,
    /// `artist_listeners.npy`, `artist_factors.npy`), the tracks' Last.fm
    /// artists as CSR (`track_artists_indptr.npy`,
    /// `track_artists_indices.npy`), their credited artists as CSR
    /// (`track_credits_indptr.npy`, `track_credits_indices.npy`) and
    /// `track_prior.npy` (catalogue popularity, 0–1); fold-in settings,
    /// `prior_weight` and `own_weight` in the manifest.
    public func snapshotPart(priorWeight: Double, ownWeight: Double) -> SnapshotPartContents {
        func list(_ ids: [String]) -> Data { Data((ids.joined(separator: "\n") + (ids.isEmpty ? "" : "\n")).utf8) }
        let prior = catalogue.tracks.map { Float($0.popularity) / 100 }
        let model = publicArtists
        var hyperparameters = model.hyperparameters
        hyperparameters["prior_weight"] = priorWeight
        hyperparameters["own_weight"] = ownWeight
        return SnapshotPartContents(
            name: Self.partName,
            part: Manifest.Part(
                kind: Self.partName, hyperparameters: hyperparameters,
                training: [
                    "listeners": model.users, "artists": modelArtists, "matched_artists": matchedArtists,
                    "matched_pairs": matchedPairs, "matched_tracks": matchedTracks, "tracks": catalogue.count,
                ]),
            files: [
                File.items: list(catalogue.tracks.map(\.id)),
                File.ids: list(model.ids),
                File.names: list(model.names),
                File.listeners: NPY.write(.int64(shape: [model.listeners.count], values: model.listeners.map(Int64.init))),
                File.factors: NPY.write(.float32(shape: [model.ids.count, model.dimension], values: model.factors)),
                File.trackArtistsIndptr: NPY.write(.int64(shape: [offsets.count], values: offsets.map(Int64.init))),
                File.trackArtistsIndices: NPY.write(.int64(shape: [artists.count], values: artists.map(Int64.init))),
                File.trackCreditsIndptr: NPY.write(.int64(shape: [creditOffsets.count], values: creditOffsets.map(Int64.init))),
                File.trackCreditsIndices: NPY.write(.int64(shape: [credits.count], values: credits.map(Int64.init))),
                File.trackPrior: NPY.write(.float32(shape: [prior.count], values: prior)),
            ])
    }
}
