/// What a listening-history import did, for the JSON summary line and the report.
///
/// `rows == matched + unmatched + skipped` and `matched == imported + duplicates`.
/// Encodes as `{"duplicates":…,"imported":…,"matched":…,"rows":…,"skipped":…,"unmatched":…}`;
/// the details (problems, unmatched tracks) are reported separately.
public struct HistoryImportSummary: Encodable, Sendable, Hashable {
    /// The file's format; `nil` for a file with no plays.
    public var format: StreamingHistoryFormat?
    /// Plays read (array elements).
    public var rows = 0
    /// Matched plays newly stored as listens.
    public var imported = 0
    /// Plays of a catalogue track: stored now or before.
    public var matched = 0
    /// Music plays of tracks the catalogue does not have; not stored.
    public var unmatched = 0
    /// Plays not imported: podcast episodes and audiobooks (`nonMusic`) and
    /// unreadable plays (`problems`).
    public var skipped = 0
    /// Matched plays that added no listen: already stored by an earlier
    /// import, or merged into a play of the same track ending at the same
    /// exported time earlier in the file.
    public var duplicates = 0
    /// Podcast-episode and audiobook plays, counted in `skipped`.
    public var nonMusic = 0
    /// Every unreadable play, in file order; counted in `skipped`.
    public var problems: [HistoryImportProblem] = []
    /// The unmatched tracks, most played first (then by artist and title).
    public var unmatchedTracks: [UnmatchedTrack] = []

    /// An empty summary.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case rows, imported, matched, unmatched, skipped, duplicates
    }

    /// Adds `other`'s counts and unmatched tracks to these, for a total over
    /// several files; `format` and `problems` are left as they are (they
    /// belong to one file).
    public mutating func add(_ other: HistoryImportSummary) {
        rows += other.rows
        imported += other.imported
        matched += other.matched
        unmatched += other.unmatched
        skipped += other.skipped
        duplicates += other.duplicates
        nonMusic += other.nonMusic
        var plays: [UnmatchedTrack.Name: Int] = [:]
        for track in unmatchedTracks + other.unmatchedTracks {
            plays[track.name, default: 0] += track.plays
        }
        unmatchedTracks = UnmatchedTrack.sorted(plays)
    }
}

/// A play that could not be imported.
public struct HistoryImportProblem: Sendable, Hashable {
    /// The play's 1-based position in the file's array.
    public var play: Int
    /// Why it was skipped, e.g. `ts: not an ISO 8601 time: "yesterday"`.
    public var reason: String

    /// A problem with play number `play` (1-based).
    public init(play: Int, reason: String) {
        self.play = play
        self.reason = reason
    }
}

/// A track the history played that the catalogue lacks, with its play count.
public struct UnmatchedTrack: Sendable, Hashable {
    /// The artist and title as the export wrote them.
    public struct Name: Sendable, Hashable {
        /// The artist (empty when the export has none).
        public var artist: String
        /// The title (empty when the export has none).
        public var title: String

        public init(artist: String, title: String) {
            self.artist = artist
            self.title = title
        }
    }

    /// Its artist and title.
    public var name: Name
    /// How many plays of it were unmatched.
    public var plays: Int

    public init(name: Name, plays: Int) {
        self.name = name
        self.plays = plays
    }

    /// `plays` as a list, most played first, then by artist and title.
    static func sorted(_ plays: [Name: Int]) -> [UnmatchedTrack] {
        plays.map { UnmatchedTrack(name: $0.key, plays: $0.value) }.sorted { a, b in
            if a.plays != b.plays { return a.plays > b.plays }
            if a.name.artist != b.name.artist { return a.name.artist < b.name.artist }
            return a.name.title < b.name.title
        }
    }
}
