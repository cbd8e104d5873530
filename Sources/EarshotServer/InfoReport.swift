import EarshotProtocol
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
                return .object(entry)
            }),
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
                return .object(entry)
            }),
        ])
    }
}
