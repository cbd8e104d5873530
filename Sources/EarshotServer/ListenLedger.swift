import Foundation
import Synchronization

/// What changed for users since the serving state was built: tracks heard
/// (so a stored `listen` counts as heard in the very next request without
/// waiting for a reload) and users forgotten (so their data stops being
/// used at once).
final class ListenLedger: Sendable {
    private struct Entries {
        var heard: [String: Set<String>] = [:]
        var forgotten: [String: Date] = [:]
    }

    private let entries = Mutex(Entries())

    func record(user: String, tracks: some Sequence<String>) {
        entries.withLock { entries in
            for track in tracks { entries.heard[user, default: []].insert(track) }
        }
    }

    func tracks(of user: String) -> Set<String> {
        entries.withLock { $0.heard[user] ?? [] }
    }

    /// Drops what was heard of `user` and remembers when the user was forgotten.
    func forget(user: String, at time: Date) {
        entries.withLock {
            $0.heard[user] = nil
            $0.forgotten[user] = time
        }
    }

    /// When `user` was forgotten since the state was built, if it was.
    func forgottenAt(_ user: String) -> Date? {
        entries.withLock { $0.forgotten[user] }
    }
}
