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
        }
    }
}

/// How `stats` answers: the JSON object, or Prometheus text exposition.
public enum StatsFormat: String, Sendable, Equatable, CaseIterable {
    case json, prometheus
}

/// The operations of the protocol.
public enum Op: String, Sendable, CaseIterable, Codable {
    case ping, info, stats, scorers, reload, search, recommend, similar, score, listen
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

public struct ListenRequest: Sendable, Equatable {
    public var user: String
    public var track: String
    public var msPlayed: Int?
    /// When the play happened; the daemon uses the time of receipt when absent.
    public var timestamp: Date?
    public var skipped: Bool?

    public init(user: String, track: String) {
        self.user = user
        self.track = track
    }
}

public struct SearchRequest: Sendable, Equatable {
    public var query: String
    public var k: Int = 10

    public init(query: String) {
        self.query = query
    }
}
