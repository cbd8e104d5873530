import EarshotProtocol
import Histogram
import NIOConcurrencyHelpers

/// Counters and latency percentiles for `stats`, shared by all connections.
final class ServerStats: Sendable {
    private struct Counters {
        var requests: [Op: UInt64] = [:]
        var errors: [ErrorCode: UInt64] = [:]
        /// Round trips in microseconds, from line received to response written.
        var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        var connectionsOpen = 0
        var connectionsTotal: UInt64 = 0
        var connectionsRefused: UInt64 = 0
        /// Fixed-bucket latency histograms by op and scorer, for Prometheus.
        var durations: [RequestSeries: LatencyBuckets] = [:]
        var listensStored: UInt64 = 0
        var listensDuplicate: UInt64 = 0
    }

    private let counters = NIOLockedValueBox(Counters())

    func record(op: Op?, scorer: String? = nil, error: ErrorCode?, microseconds: UInt64) {
        counters.withLockedValue { counters in
            if let op {
                counters.requests[op, default: 0] += 1
                counters.durations[RequestSeries(op: op, scorer: scorer ?? ""), default: LatencyBuckets()].record(microseconds: microseconds)
            }
            if let error { counters.errors[error, default: 0] += 1 }
            _ = counters.latency.record(min(microseconds, 60_000_000))
        }
    }

    /// Counts a new connection unless `limit` are open; returns whether it was admitted.
    func admitConnection(limit: Int) -> Bool {
        counters.withLockedValue { counters in
            guard counters.connectionsOpen < limit else {
                counters.connectionsRefused += 1
                return false
            }
            counters.connectionsOpen += 1
            counters.connectionsTotal += 1
            return true
        }
    }

    func connectionClosed() {
        counters.withLockedValue { $0.connectionsOpen -= 1 }
    }

    /// Counts a `listen` answered `stored` (new or a duplicate).
    func listensRecorded(stored: Int, duplicates: Int) {
        counters.withLockedValue { counters in
            counters.listensStored += UInt64(stored)
            counters.listensDuplicate += UInt64(duplicates)
        }
    }

    /// Everything the Prometheus exposition shows, read under one lock.
    func metricValues() -> MetricValues {
        counters.withLockedValue { counters in
            MetricValues(
                requests: counters.requests, errors: counters.errors, durations: counters.durations,
                connectionsOpen: counters.connectionsOpen, connectionsTotal: counters.connectionsTotal,
                connectionsRefused: counters.connectionsRefused, listensStored: counters.listensStored,
                listensDuplicate: counters.listensDuplicate)
        }
    }

    /// The `stats` result.
    func snapshot() -> JSONValue {
        counters.withLockedValue { counters in
            var requests = JSONObject()
            for op in Op.allCases { requests[op.rawValue] = .int(Int(counters.requests[op] ?? 0)) }
            var errors = JSONObject()
            for code in ErrorCode.allCases { errors[code.rawValue] = .int(Int(counters.errors[code] ?? 0)) }
            let latency = counters.latency
            let empty = latency.totalCount == 0
            func ms(_ microseconds: UInt64) -> JSONValue { .double(empty ? 0 : Double(microseconds) / 1000) }
            return .object([
                "requests": .object(requests),
                "requests_total": .int(Int(latency.totalCount)),
                "errors": .object(errors),
                "latency_ms": .object([
                    "p50": ms(latency.valueAtPercentile(50)),
                    "p90": ms(latency.valueAtPercentile(90)),
                    "p99": ms(latency.valueAtPercentile(99)),
                    "max": ms(latency.max),
                ]),
                "connections": .object([
                    "open": .int(counters.connectionsOpen),
                    "total": .int(Int(counters.connectionsTotal)),
                    "refused": .int(Int(counters.connectionsRefused)),
                ]),
            ])
        }
    }
}
