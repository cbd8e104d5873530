import EarshotProtocol

/// The labels of one request latency series: `op` and the scorer that
/// answered (empty for ops that use none).
struct RequestSeries: Hashable, Sendable {
    var op: Op
    var scorer: String
}

/// A cumulative-bucket latency histogram in the Prometheus style: fixed
/// upper bounds in seconds, a count and a sum.
struct LatencyBuckets: Sendable {
    /// Upper bounds in microseconds: 100 µs to 10 s.
    static let boundsMicroseconds: [UInt64] = [
        100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000,
        5_000_000, 10_000_000,
    ]

    /// Observations per bound (not cumulative); the last slot is above every bound.
    private(set) var counts = [UInt64](repeating: 0, count: boundsMicroseconds.count + 1)
    private(set) var count: UInt64 = 0
    private(set) var sumMicroseconds: UInt64 = 0

    mutating func record(microseconds: UInt64) {
        let slot = Self.boundsMicroseconds.firstIndex { microseconds <= $0 } ?? Self.boundsMicroseconds.count
        counts[slot] += 1
        count += 1
        sumMicroseconds &+= microseconds
    }
}

extension Request {
    /// The scorer a scoring request is answered by (the default scorer when
    /// it names none), `nil` for the other ops.
    func scorerLabel(default state: ServingState) -> String? {
        switch self {
        case .recommend(let request): request.scorer ?? state.configuration.defaultScorer
        case .score(let request): request.scorer ?? state.configuration.defaultScorer
        case .similar(let request): request.scorer ?? DaemonConfiguration.similarScorer
        default: nil
        }
    }
}

/// The counters of `ServerStats`, copied out for one exposition.
struct MetricValues: Sendable {
    var requests: [Op: UInt64]
    var errors: [ErrorCode: UInt64]
    var durations: [RequestSeries: LatencyBuckets]
    var connectionsOpen: Int
    var connectionsTotal: UInt64
    var connectionsRefused: UInt64
    var listensStored: UInt64
    var listensDuplicate: UInt64
}
