import EarshotClient
import Foundation

/// The daemon as the snapshot lifecycle sees it: which snapshot it serves,
/// and asking it to reload after `current` moved.
struct DaemonLink {
    let socketPath: String

    /// The outcome of asking for a reload.
    enum Reload: Equatable {
        /// It now serves this snapshot id.
        case reloaded(id: String?)
        /// Nothing listens on the socket: the daemon loads `current` when it starts.
        case notRunning(String)
        /// It answered with an error and keeps its old state.
        case refused(String)
    }

    func reload() -> Reload {
        let client: LineClient
        do {
            client = try LineClient(path: socketPath)
        } catch {
            return .notRunning(error.description)
        }
        // A reload builds the whole state: loading a large snapshot takes a while.
        client.setReadTimeout(seconds: 300)
        let line: String
        do {
            line = try client.request(#"{"op":"reload"}"#)
        } catch {
            return .refused(error.description)
        }
        guard let object = Self.object(line) else { return .refused("unreadable answer: \(line)") }
        guard object["ok"] as? Bool == true else {
            let error = object["error"] as? [String: Any]
            return .refused((error?["message"] as? String) ?? line)
        }
        let snapshot = (object["result"] as? [String: Any])?["snapshot"] as? [String: Any]
        return .reloaded(id: snapshot?["id"] as? String)
    }

    /// The directory name of the snapshot the daemon serves, `nil` when it
    /// serves none or does not answer.
    func servedSnapshotName() -> String? {
        guard let client = try? LineClient(path: socketPath) else { return nil }
        client.setReadTimeout(seconds: 10)
        guard let line = try? client.request(#"{"op":"info"}"#), let object = Self.object(line),
            let snapshot = (object["result"] as? [String: Any])?["snapshot"] as? [String: Any],
            let resolved = snapshot["resolved_path"] as? String
        else { return nil }
        return URL(fileURLWithPath: resolved).lastPathComponent
    }

    private static func object(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
}
