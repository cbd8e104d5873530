import EarshotPlugins
import EarshotProtocol
import EarshotTime
import Foundation

/// The `info` and `scorers` results.
enum InfoReport {
    static func make(state: ServingState, history: ReloadHistory, uptime: TimeInterval, version: String) -> JSONValue {
        let catalogue = state.catalogueStatus
        var snapshot = JSONValue.null
        if let status = state.snapshotStatus {
            snapshot = .object([
                "id": .string(status.id),
                "created_at": .string(status.createdAt),
                "path": .string(status.path),
                "resolved_path": .string(status.resolvedPath),
                "loaded_at": .string(ISO8601Timestamp.format(status.loadedAt)),
                "unmatched_items": .int(status.unmatchedItems),
            ])
        }
        return .object([
            "version": .string(version),
            "uptime_s": .double((uptime * 10).rounded() / 10),
            "catalogue": .object([
                "tracks": .int(state.catalogue.count),
                "path": .string(catalogue.path),
                "exists": .bool(catalogue.exists),
                "fingerprint": .string(state.catalogue.fingerprint),
                "loaded_at": .string(ISO8601Timestamp.format(catalogue.loadedAt)),
            ]),
            "snapshot": snapshot,
            "scorers": .array(state.scorers.map { slot in
                var entry: JSONObject = ["name": .string(slot.name), "ready": .bool(slot.model != nil)]
                if let reason = slot.notReadyReason { entry["reason"] = .string(reason) }
                if let version = slot.version { entry["version"] = .string(version) }
                return .object(entry)
            }),
            "plugins": plugins(state),
            "default_scorer": .string(state.configuration.defaultScorer),
            "reloads": .object([
                "ok": .int(history.succeeded),
                "failed": .int(history.failed),
                "last_error": history.lastError.map(JSONValue.string) ?? .null,
                "last_error_at": history.lastErrorAt.map { .string(ISO8601Timestamp.format($0)) } ?? .null,
            ]),
        ])
    }

    static func scorers(_ state: ServingState) -> JSONValue {
        .object([
            "default": .string(state.configuration.defaultScorer),
            "scorers": .array(state.scorers.map { slot in
                var entry: JSONObject = [
                    "name": .string(slot.name), "description": .string(slot.summary),
                    "ready": .bool(slot.model != nil),
                ]
                if let model = slot.model {
                    var facts = JSONObject()
                    for (key, value) in model.scorer.facts.sorted(by: { $0.key < $1.key }) { facts[key] = .int(value) }
                    entry["model"] = .object(facts)
                } else if let reason = slot.notReadyReason {
                    entry["reason"] = .string(reason)
                }
                if let version = slot.version { entry["version"] = .string(version) }
                if let origin = slot.origin { entry["plugin"] = .string(origin) }
                return .object(entry)
            }),
            "plugins": plugins(state),
        ])
    }

    /// Every configured plugin file: its scorer, or why it is not serving.
    static func plugins(_ state: ServingState) -> JSONValue {
        .array(state.plugins.map { report in
            var entry: JSONObject = ["path": .string(report.path), "loaded": .bool(report.error == nil)]
            if let name = report.name { entry["name"] = .string(name) }
            if let version = report.version { entry["version"] = .string(version) }
            if let abi = report.abi { entry["abi"] = .string(abi) }
            if let error = report.error { entry["reason"] = .string(error) }
            return .object(entry)
        })
    }
}
