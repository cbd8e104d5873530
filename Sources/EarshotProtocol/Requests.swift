import Foundation

/// One decoded, validated request.
public enum Request: Sendable, Equatable {
    case ping
    case info
    case stats(StatsFormat)
    case scorers
    case reload
    case search(SearchRequest)
    case recommend(RecommendRequest)
    case similar(SimilarRequest)
    case score(ScoreRequest)
    case listen(ListenRequest)
    case forget(ForgetRequest)

    /// The op name as on the wire.
    public var op: Op {
        switch self {
        case .ping: .ping
        case .info: .info
        case .stats: .stats
        case .scorers: .scorers
        case .reload: .reload
        case .search: .search
        case .recommend: .recommend
        case .similar: .similar
        case .score: .score
        case .listen: .listen
        case .forget: .forget
        }
    }
}

/// How `stats` answers: the JSON object, or Prometheus text exposition.
public enum StatsFormat: String, Sendable, Equatable, CaseIterable {
    case json, prometheus
}

/// The operations of the protocol.
public enum Op: String, Sendable, CaseIterable, Codable {
    case ping, info, stats, scorers, reload, search, recommend, similar, score, listen, forget
}

/// A track the listener played, with how much it should count.
public struct HistoryItem: Sendable, Equatable {
    public var track: String
    public var weight: Double

    public init(track: String, weight: Double = 1) {
        self.track = track
        self.weight = weight
    }
}

/// Optional restrictions on what may be recommended.
public struct ResultFilter: Sendable, Equatable {
    /// Keep only tracks with at least one of these genres (empty: no restriction).
    public var genres: [String] = []
    /// `false` keeps only non-explicit tracks; `true` only explicit ones.
    public var explicit: Bool?

    public init(genres: [String] = [], explicit: Bool? = nil) {
        self.genres = genres
        self.explicit = explicit
    }
}

public struct RecommendRequest: Sendable, Equatable {
    public var user: String?
    public var history: [HistoryItem] = []
    public var scorer: String?
    public var k: Int = 10
    public var excludeHeard: Bool = true
    public var exclude: [String] = []
    public var maxPerArtist: Int?
    public var filter = ResultFilter()
    /// The ANN index's candidate list for this request (nil: the scorer's `ef`).
    public var ef: Int?
    /// Scan every item even when the scorer has an ANN index.
    public var exact = false
    /// The largest `ef` a request may ask for.
    public static let maximumEF = 10_000

    public init() {}
}

/// How several seed tracks are combined in `similar`.
public enum SimilarityStrategy: String, Sendable, CaseIterable {
    /// Similarity to the mean of the seeds.
    case average
    /// Like `average`, with later seeds counting more.
    case weighted
    /// Best similarity to any one seed.
    case max
}

public struct SimilarRequest: Sendable, Equatable {
    public var tracks: [String] = []
    public var scorer: String?
    public var k: Int = 10
    public var strategy: SimilarityStrategy = .average
    public var exclude: [String] = []

    public init() {}
}

public struct ScoreRequest: Sendable, Equatable {
    public var user: String?
    public var history: [HistoryItem] = []
    public var tracks: [String] = []
    public var scorer: String?

    public init() {}
}

/// One play as a client sends it in `listen`.
public struct PlayEvent: Sendable, Equatable {
    public var track: String
    public var msPlayed: Int?
    /// When the play happened; the daemon stamps the time of receipt when absent.
    public var timestamp: Date?
    public var skipped: Bool?
    /// The client's id for the event: a repeat with the same id is a duplicate.
    public var eventID: String?

    public init(track: String) {
        self.track = track
    }
}

/// `listen`: one play, or several (`events`) stored together or not at all.
public struct ListenRequest: Sendable, Equatable {
    public var user: String
    public var events: [PlayEvent]
    /// Whether the request used `events` (it is answered with counts).
    public var isBatch: Bool

    public init(user: String, events: [PlayEvent], isBatch: Bool) {
        self.user = user
        self.events = events
        self.isBatch = isBatch
    }
}

/// `forget`: delete everything stored about a user.
public struct ForgetRequest: Sendable, Equatable {
    public var user: String

    public init(user: String) {
        self.user = user
    }
}

public struct SearchRequest: Sendable, Equatable {
    public var query: String
    public var k: Int = 10

    public init(query: String) {
        self.query = query
    }
}
