import Foundation

/// Imports Spotify listening-history exports into a catalogue's listens.
///
/// The format is recognised from the plays' keys, not the file name (see
/// ``StreamingHistoryFormat``):
/// - **Extended** history: a play whose `spotify_track_uri` names a catalogue
///   track becomes a listen with its `ts`, `ms_played` and a skip flag,
///   source `spotify-extended`. Skipped is true when Spotify's `skipped` is
///   true or `reason_end` is `fwdbtn`, `backbtn` or `endplay` (the user moved
///   on: older exports often have a null `skipped`), false when `skipped` is
///   false or `reason_end` is `trackdone`, else unknown. The user is
///   the one given or else each play's `username` (older exports only).
///   Podcast episodes and audiobooks are skipped; plays of other tracks
///   (local files included) are unmatched.
/// - **Account-data** history: no ids; each play is matched to the catalogue
///   by artist and title, compared after `TextNormalization` (case, accents,
///   punctuation; titles without version decorations such as
///   "- Remastered 2009"). The artist may be any credited artist of the
///   track. Among several matches the choice is the track whose whole title
///   equals the played one, then one whose first artist is the played one,
///   then the most popular, then the smallest id. A match is stored with its
///   `msPlayed`, no skip flag, source `spotify-account`. `endTime` has no
///   zone: it is read as UTC. The export does not name its user, so one must
///   be given.
///
/// In both formats the time stored is when the play ended, as exported.
/// Plays of one track by one user that end at the same exported time (the
/// same second; for account data, which has minutes only, the same minute)
/// are one listen: such repeats are mostly zero- or few-second replays, and
/// a listen is unique by user, track, time and source. Their play times are
/// added up, and the listen counts as skipped only when all of them were.
/// Plays of tracks the catalogue lacks are counted and listed, not stored.
/// Each file is one transaction: a failure leaves the listens as they were.
/// Importing a file again stores nothing new.
///
/// Like the store, an importer is used from one thread at a time.
public final class StreamingHistoryImporter {
    private let store: CatalogueStore
    /// Built on the first account-data file, then reused for the next ones.
    private var songIndex: CatalogueSongIndex?

    /// An importer writing into `store`.
    public init(store: CatalogueStore) {
        self.store = store
    }

    /// Imports the export at `path`.
    ///
    /// - Parameter user: whose plays these are; overrides the file's own
    ///   `username`. Required for account data and for Extended files without
    ///   `username` fields.
    /// - Throws: ``CatalogueError/unreadableFile(path:reason:)``,
    ///   ``StreamingHistoryError`` for a file that is not a history or has no
    ///   user, SQLite errors.
    public func importFile(atPath path: String, user: String?) throws -> HistoryImportSummary {
        let plays = try Self.readPlays(atPath: path)
        var summary = HistoryImportSummary()
        summary.rows = plays.count
        guard let format = try Self.format(of: plays, path: path) else { return summary }
        summary.format = format
        if format == .accountData, user == nil { throw StreamingHistoryError.missingUser(path: path, format: format) }

        return try store.database.transaction {
            let writer = try ListenWriter(store.database, clock: store.clock)
            let findTrack = try trackFinder(for: format)
            var unmatched: [UnmatchedTrack.Name: Int] = [:]
            var listens = MergedListens()
            for (index, element) in plays.enumerated() {
                let play: StreamingHistoryPlay
                do throws(RowRejection) {
                    guard let music = try StreamingHistoryPlay.read(element, format: format) else {
                        summary.nonMusic += 1
                        summary.skipped += 1
                        continue
                    }
                    play = music
                } catch {
                    summary.problems.append(HistoryImportProblem(play: index + 1, reason: error.reason))
                    summary.skipped += 1
                    continue
                }
                guard let listener = user ?? play.username else {
                    throw StreamingHistoryError.missingUser(path: path, format: format)
                }
                guard let trackID = try findTrack(play) else {
                    summary.unmatched += 1
                    unmatched[UnmatchedTrack.Name(artist: play.artist, title: play.title), default: 0] += 1
                    continue
                }
                summary.matched += 1
                listens.add(
                    ListenEvent(
                        user: listener, trackID: trackID, timestamp: play.timestamp, msPlayed: play.msPlayed,
                        skipped: play.skipped, source: format.source))
            }
            for listen in listens.events where try writer.insert(listen) {
                summary.imported += 1
            }
            summary.duplicates = summary.matched - summary.imported
            summary.unmatchedTracks = UnmatchedTrack.sorted(unmatched)
            return summary
        }
    }

    /// How plays of `format` find their catalogue track: by id for Extended
    /// history, by artist and title for account data. Answers are cached per
    /// id or name, since plays repeat.
    private func trackFinder(for format: StreamingHistoryFormat) throws -> (StreamingHistoryPlay) throws -> String? {
        switch format {
        case .extended:
            let lookup = try store.database.prepare("SELECT 1 FROM tracks WHERE id = ?1")
            var known: [String: Bool] = [:]
            return { play in
                guard let id = play.trackID else { return nil }
                if let found = known[id] { return found ? id : nil }
                defer { lookup.reset() }
                try lookup.bind(id, at: 1)
                let found = try lookup.step()
                known[id] = found
                return found ? id : nil
            }
        case .accountData:
            let index = try songIndex ?? CatalogueSongIndex(store.database)
            songIndex = index
            var matches: [UnmatchedTrack.Name: String?] = [:]
            return { play in
                let name = UnmatchedTrack.Name(artist: play.artist, title: play.title)
                if let match = matches[name] { return match }
                let match = index.trackID(artist: play.artist, title: play.title)
                matches[name] = match
                return match
            }
        }
    }

    /// The file's top-level array.
    private static func readPlays(atPath path: String) throws -> [Any] {
        let bytes = try CatalogueFileReader.contents(ofFileAt: path)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw StreamingHistoryError.notJSON(path: path, reason: reason)
        }
        guard let plays = json as? [Any] else {
            throw StreamingHistoryError.notStreamingHistory(path: path, found: json is [String: Any] ? "a JSON object" : "a single JSON value")
        }
        return plays
    }

    /// The format of the first play object, or `nil` for an empty array.
    private static func format(of plays: [Any], path: String) throws -> StreamingHistoryFormat? {
        guard !plays.isEmpty else { return nil }
        guard let first = plays.lazy.compactMap({ $0 as? [String: Any] }).first else {
            throw StreamingHistoryError.notStreamingHistory(path: path, found: "an array without objects")
        }
        guard let format = StreamingHistoryFormat.detect(keys: first.keys) else {
            let keys = first.keys.sorted()
            let shown = keys.prefix(8).joined(separator: ", ") + (keys.count > 8 ? ", …" : "")
            throw StreamingHistoryError.notStreamingHistory(path: path, found: "objects with the keys \(shown)")
        }
        return format
    }
}

/// The matched plays of one file as listens, in file order, with plays of the
/// same user, track and time merged into one listen.
private struct MergedListens {
    private struct Key: Hashable {
        let user: String
        let trackID: String
        let timestamp: Date?
    }

    private(set) var events: [ListenEvent] = []
    private var indices: [Key: Int] = [:]

    mutating func add(_ listen: ListenEvent) {
        let key = Key(user: listen.user, trackID: listen.trackID, timestamp: listen.timestamp)
        guard let index = indices[key] else {
            indices[key] = events.count
            events.append(listen)
            return
        }
        var merged = events[index]
        if let more = listen.msPlayed { merged.msPlayed = (merged.msPlayed ?? 0) + more }
        // Skipped only if every play was; unknown plays do not decide.
        switch (merged.skipped, listen.skipped) {
        case (nil, let other): merged.skipped = other
        case (true, false): merged.skipped = false
        default: break
        }
        events[index] = merged
    }
}
