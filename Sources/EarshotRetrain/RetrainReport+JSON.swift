import Foundation

extension Retrainer.Report {
    /// The one-line JSON summary `earshot retrain` prints last, keys sorted.
    public var json: String {
        var object: [String: Any] = [
            "outcome": outcome, "reason": reason, "seconds": seconds, "users": users, "interactions": interactions,
            "held_out_users": heldOutUsers, "daemon": daemon, "leftovers_removed": leftoversRemoved,
            "parts": parts.map { part -> [String: Any] in
                [
                    "name": part.name, "kind": part.kind, "passed": part.passed, "users": part.users,
                    "noise": (part.slack * 10_000).rounded() / 10_000,
                    "current_ndcg@10": (part.oldNDCG * 10_000).rounded() / 10_000,
                    "new_ndcg@10": (part.newNDCG * 10_000).rounded() / 10_000,
                ]
            },
        ]
        object["previous"] = previous ?? NSNull()
        object["current"] = current ?? NSNull()
        object["snapshot"] = snapshot ?? NSNull()
        object["id"] = snapshotID ?? NSNull()
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
