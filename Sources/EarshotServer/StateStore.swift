import Foundation
import NIOConcurrencyHelpers

/// The one reference to the current `ServingState`, swapped whole by reloads,
/// and the record of past reloads for `info`.
final class StateStore: Sendable {
    private let state: NIOLockedValueBox<ServingState>
    private let record = NIOLockedValueBox(ReloadHistory())

    init(_ initial: ServingState) {
        state = NIOLockedValueBox(initial)
    }

    var current: ServingState { state.withLockedValue { $0 } }
    var history: ReloadHistory { record.withLockedValue { $0 } }

    func install(_ newState: ServingState) {
        let old = state.withLockedValue { state in
            defer { state = newState }
            return state
        }
        if old !== newState { old.retire() }
        record.withLockedValue { $0.succeeded += 1 }
    }

    func recordFailure(_ error: ReloadError) {
        record.withLockedValue {
            $0.failed += 1
            $0.lastError = error.description
            $0.lastErrorAt = Date()
        }
    }
}

struct ReloadHistory: Sendable {
    var succeeded = 0
    var failed = 0
    var lastError: String?
    var lastErrorAt: Date?
}
