import EarshotSystemd
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Pings the systemd watchdog at half its interval, but only after an event
/// loop and the blocking pool have both answered: a wedged daemon stops
/// pinging and systemd restarts it.
struct WatchdogService: Service {
    let interval: Duration
    let eventLoop: any EventLoop
    let threadPool: NIOThreadPool
    let notifier: SystemdNotifier

    func run() async throws {
        for try await _ in AsyncTimerSequence(interval: interval / 2).cancelOnGracefulShutdown() {
            try await eventLoop.submit {}.get()
            try await threadPool.runIfActive {}
            notifier.watchdog()
        }
    }
}

/// A tick every `interval` until cancelled.
struct AsyncTimerSequence: AsyncSequence, Sendable {
    typealias Element = Void
    let interval: Duration

    struct AsyncIterator: AsyncIteratorProtocol {
        let interval: Duration

        mutating func next() async throws -> Void? {
            try await Task.sleep(for: interval)
            return ()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(interval: interval) }
}
