import EarshotProtocol
import EarshotSnapshot
import Foundation

/// `{"op":"stats","format":"prometheus"}`: the daemon's counters in the
/// Prometheus text exposition format (version 0.0.4), for a scrape through
/// `earshot metrics --textfile` and node_exporter's textfile collector.
/// Names start with `earshot_`, use base units (seconds, bytes) and
/// counters end in `_total`; the counters are the ones `stats` reports.
struct PrometheusExposition {
    let stats: MetricValues
    let state: ServingState
    let reloads: ReloadHistory
    var now = Date()

    var text: String {
        var out = Writer()
        out.family("earshot_requests_total", "counter", "Requests answered, by op (as stats.requests).")
        for op in Op.allCases { out.sample("earshot_requests_total", ["op": op.rawValue], stats.requests[op] ?? 0) }
        out.family("earshot_request_errors_total", "counter", "Error answers, by error code (as stats.errors).")
        for code in ErrorCode.allCases { out.sample("earshot_request_errors_total", ["code": code.rawValue], stats.errors[code] ?? 0) }
        out.family(
            "earshot_request_duration_seconds", "histogram",
            "Time from a request line received to its answer written, by op and scorer.")
        for (series, buckets) in stats.durations.sorted(by: { ($0.key.op.rawValue, $0.key.scorer) < ($1.key.op.rawValue, $1.key.scorer) }) {
            var labels = ["op": series.op.rawValue]
            if !series.scorer.isEmpty { labels["scorer"] = series.scorer }
            var cumulative: UInt64 = 0
            for (index, bound) in LatencyBuckets.boundsMicroseconds.enumerated() {
                cumulative += buckets.counts[index]
                out.sample("earshot_request_duration_seconds_bucket", labels.merging(["le": Self.seconds(bound)]) { $1 }, cumulative)
            }
            out.sample("earshot_request_duration_seconds_bucket", labels.merging(["le": "+Inf"]) { $1 }, buckets.count)
            out.sample("earshot_request_duration_seconds_sum", labels, Double(buckets.sumMicroseconds) / 1_000_000)
            out.sample("earshot_request_duration_seconds_count", labels, buckets.count)
        }
        out.gauge("earshot_connections_open", "Client connections open now.", Double(stats.connectionsOpen))
        out.counter("earshot_connections_total", "Client connections accepted.", stats.connectionsTotal)
        out.counter("earshot_connections_refused_total", "Connections refused at server.max_connections.", stats.connectionsRefused)
        out.counter("earshot_listens_stored_total", "listen requests stored as new plays.", stats.listensStored)
        out.counter("earshot_listens_duplicate_total", "listen requests that were already stored.", stats.listensDuplicate)
        out.counter("earshot_reloads_total", "Reloads that swapped in a new state (as info.reloads.ok).", UInt64(reloads.succeeded))
        out.counter(
            "earshot_reload_failures_total", "Reloads that failed and kept the old state (as info.reloads.failed).",
            UInt64(reloads.failed))
        out.gauge("earshot_catalogue_tracks", "Tracks in the served catalogue.", Double(state.catalogue.count))
        if let snapshot = state.snapshotStatus {
            if let created = Self.date(snapshot.createdAt) {
                out.gauge("earshot_snapshot_age_seconds", "Age of the served snapshot (since its created_at).", now.timeIntervalSince(created))
            }
            out.gauge(
                "earshot_snapshot_loaded_timestamp_seconds", "Unix time the served snapshot was loaded.",
                snapshot.loadedAt.timeIntervalSince1970)
        }
        out.family("earshot_scorer_ready", "gauge", "1 when the scorer has a model and serves, else 0.")
        for slot in state.scorers { out.sample("earshot_scorer_ready", ["scorer": slot.name], UInt64(slot.model == nil ? 0 : 1)) }
        let facts = state.scorers.compactMap { slot in slot.model.map { (slot.name, $0.scorer.facts) } }
        for (fact, metric, help) in [
            ("items", "earshot_model_items", "Items in the scorer's model."),
            ("users", "earshot_model_users", "Users the scorer's model was trained on."),
            ("dims", "earshot_model_dimensions", "Vector width of the scorer's model."),
        ] {
            let present = facts.filter { $0.1[fact] != nil }
            guard !present.isEmpty else { continue }
            out.family(metric, "gauge", help)
            for (name, values) in present { out.sample(metric, ["scorer": name], Double(values[fact] ?? 0)) }
        }
        let record = RetrainRecord.read(at: SnapshotFolder(snapshotPath: state.configuration.snapshotPath).retrainRecordPath)
        out.family("earshot_retrain_runs_total", "counter", "earshot retrain runs by outcome (promoted, kept, unchanged, failed).")
        for outcome in RetrainRecord.outcomes {
            out.sample("earshot_retrain_runs_total", ["outcome": outcome], UInt64(record.runs[outcome] ?? 0))
        }
        if let seconds = record.lastDurationSeconds {
            out.gauge("earshot_retrain_last_duration_seconds", "Duration of the last earshot retrain.", seconds)
        }
        if let finished = record.lastFinished {
            out.gauge("earshot_retrain_last_run_timestamp_seconds", "Unix time the last earshot retrain ended.", finished)
        }
        if let promoted = record.lastPromoted {
            out.gauge("earshot_retrain_last_promotion_timestamp_seconds", "Unix time a retrain last promoted a model.", promoted)
        }
        return out.text
    }

    private static func seconds(_ microseconds: UInt64) -> String {
        Writer.number(Double(microseconds) / 1_000_000)
    }

    private static func date(_ text: String) -> Date? {
        ISO8601DateFormatter().date(from: text)
    }

    /// Lines of the exposition: `# HELP`/`# TYPE` once per family, then samples.
    private struct Writer {
        var text = ""

        mutating func family(_ name: String, _ type: String, _ help: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }

        mutating func counter(_ name: String, _ help: String, _ value: UInt64) {
            family(name, "counter", help)
            sample(name, [:], value)
        }

        mutating func gauge(_ name: String, _ help: String, _ value: Double) {
            family(name, "gauge", help)
            sample(name, [:], value)
        }

        mutating func sample(_ name: String, _ labels: [String: String], _ value: UInt64) {
            line(name, labels, String(value))
        }

        mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
            line(name, labels, Self.number(value))
        }

        private mutating func line(_ name: String, _ labels: [String: String], _ value: String) {
            text += name
            if !labels.isEmpty {
                let pairs = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escaped($0.value))\"" }
                text += "{" + pairs.joined(separator: ",") + "}"
            }
            text += " " + value + "\n"
        }

        static func number(_ value: Double) -> String {
            if value.isNaN { return "NaN" }
            if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
            if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
            return String(value)
        }

        private static func escaped(_ value: String) -> String {
            value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
    }
}
