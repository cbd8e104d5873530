import NIOConcurrencyHelpers
import NIOCore

/// Knows every open connection and whether it is answering a request, so a
/// graceful shutdown can close idle connections at once and let busy ones
/// finish the request they are on.
final class ConnectionTracker: Sendable {
    private struct State {
        var next = 0
        var connections: [Int: (channel: any Channel, busy: Bool)] = [:]
        var draining = false
    }

    private let state = NIOLockedValueBox(State())

    /// Registers a connection; returns nil when the daemon is draining.
    func register(_ channel: any Channel) -> Int? {
        state.withLockedValue { state in
            guard !state.draining else { return nil }
            state.next += 1
            state.connections[state.next] = (channel, false)
            return state.next
        }
    }

    func remove(_ id: Int) {
        state.withLockedValue { _ = $0.connections.removeValue(forKey: id) }
    }

    /// Marks a connection busy; returns false when draining (the line is not started).
    func begin(_ id: Int) -> Bool {
        state.withLockedValue { state in
            guard !state.draining else { return false }
            state.connections[id]?.busy = true
            return true
        }
    }

    /// Marks a connection idle; returns false when draining (the connection should close).
    func end(_ id: Int) -> Bool {
        state.withLockedValue { state in
            state.connections[id]?.busy = false
            return !state.draining
        }
    }

    /// Starts draining: closes idle connections now; busy ones close after their request.
    func drain() {
        let idle = state.withLockedValue { state -> [any Channel] in
            state.draining = true
            return state.connections.values.filter { !$0.busy }.map(\.channel)
        }
        for channel in idle { channel.close(promise: nil) }
    }

    /// Closes everything still open (the grace period is over).
    func closeAll() {
        let all = state.withLockedValue { $0.connections.values.map(\.channel) }
        for channel in all { channel.close(promise: nil) }
    }
}
