import EarshotScoring

/// Finds catalogue tracks by artist name and song title, for histories that
/// name their tracks instead of giving ids (the account-data export).
///
/// Matching rules:
/// - Names compare after ``TextNormalization/name(_:)`` (case, accents,
///   punctuation, `&` = "and") and titles after
///   ``TextNormalization/songTitle(_:)``, which also drops version decorations:
///   "Yesterday - Remastered 2009" matches "Yesterday".
/// - The artist may be any credited artist of the track, not only the first:
///   exports name the artist Spotify displays, which for a collaboration is
///   not always the catalogue's first credit.
/// - Among several matching tracks the choice is deterministic: first a track
///   whose whole title (decorations included) equals the played one, then one
///   whose primary artist is the played one, then the most popular, then the
///   smallest id. So "Ghost - Acoustic" picks the acoustic version when the
///   catalogue has it, and a plain "Ghost" the most popular version.
final class CatalogueSongIndex {
    private struct Key: Hashable {
        let artist: String
        let title: String
    }

    private struct Candidate {
        let trackID: String
        /// `TextNormalization.name` of the whole title, decorations included.
        let fullTitle: String
        let isPrimaryArtist: Bool
        let popularity: Int
    }

    private var candidates: [Key: [Candidate]] = [:]

    /// Indexes every credited artist of every track in `database`.
    init(_ database: SQLiteDatabase) throws {
        let credits = try database.prepare(
            """
            SELECT t.id, t.name, t.popularity, ta.position, ta.artist_id, a.name
            FROM track_artists ta JOIN tracks t ON t.id = ta.track_id JOIN artists a ON a.id = ta.artist_id
            ORDER BY t.id, ta.position
            """)
        var artistNames: [Int: String] = [:]
        var currentTrack = ""
        var title = ""
        var fullTitle = ""
        while try credits.step() {
            let trackID = credits.string(at: 0)
            // Rows come grouped by track: normalize each title once.
            if trackID != currentTrack {
                currentTrack = trackID
                let name = credits.string(at: 1)
                title = TextNormalization.songTitle(name)
                fullTitle = TextNormalization.name(name)
            }
            let artistID = credits.int(at: 4)
            let artist: String
            if let known = artistNames[artistID] {
                artist = known
            } else {
                artist = TextNormalization.name(credits.string(at: 5))
                artistNames[artistID] = artist
            }
            guard !artist.isEmpty, !title.isEmpty else { continue }
            candidates[Key(artist: artist, title: title), default: []].append(
                Candidate(
                    trackID: trackID, fullTitle: fullTitle, isPrimaryArtist: credits.int(at: 3) == 0,
                    popularity: credits.int(at: 2)))
        }
    }

    /// The id of the catalogue track `artist` – `title` names, or `nil`.
    func trackID(artist: String, title: String) -> String? {
        let key = Key(artist: TextNormalization.name(artist), title: TextNormalization.songTitle(title))
        guard let matches = candidates[key] else { return nil }
        let played = TextNormalization.name(title)
        return matches.min { a, b in
            let aExact = a.fullTitle == played
            let bExact = b.fullTitle == played
            if aExact != bExact { return aExact }
            if a.isPrimaryArtist != b.isPrimaryArtist { return a.isPrimaryArtist }
            if a.popularity != b.popularity { return a.popularity > b.popularity }
            return a.trackID.utf8.lexicographicallyPrecedes(b.trackID.utf8)
        }?.trackID
    }
}
