import NIOConcurrencyHelpers

/// Tracks users listened to since the serving state was built, so that a
/// stored `listen` counts as heard in the very next request without
/// waiting for a reload.
final class ListenLedger: Sendable {
    private let heard = NIOLockedValueBox<[String: Set<String>]>([:])

    func record(user: String, track: String) {
        heard.withLockedValue { _ = $0[user, default: []].insert(track) }
    }

    func tracks(of user: String) -> Set<String> {
        heard.withLockedValue { $0[user] ?? [] }
    }
}
