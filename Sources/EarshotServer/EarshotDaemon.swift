import EarshotProtocol
import EarshotScoring
import EarshotSystemd
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the daemon: load, bind, tell systemd READY, serve until SIGTERM.
public enum EarshotDaemon {
    public static let version = "0.1.0"

    /// Runs until SIGTERM or SIGINT, then drains and returns.
    ///
    /// - Parameter configuration: reads the config file and applies the
    ///   flags; called at start and again on every reload.
    public static func run(
        configuration: @escaping @Sendable () throws(ConfigurationError) -> DaemonConfiguration,
        registry: ScorerRegistry,
        logger: Logger
    ) async throws {
        // Trap SIGHUP before anything can tell systemd we are ready: until a
        // handler exists, SIGHUP's default action ends the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let notifier = SystemdNotifier()
        let initial = try configuration()
        let openFiles = OpenFileLimit.raiseToHardLimit()
        if openFiles < UInt64(initial.maxConnections) + 64 {
            logger.warning(
                "the open-file limit is below max_connections; raise LimitNOFILE= or lower server.max_connections",
                metadata: ["limit": "\(openFiles)", "max_connections": "\(initial.maxConnections)"])
        }
        let threadPool = NIOThreadPool(numberOfThreads: initial.blockingThreads)
        threadPool.start()
        // Writes (each waiting for its fsync, or for another process's lock) get a
        // thread of their own, so they never take the threads reads need.
        let writeThread = NIOThreadPool(numberOfThreads: 1)
        writeThread.start()
        // Building a state (a second or more of blocking work every reload) gets
        // one too, so reloads never hold up `search` on the read threads.
        let reloadThread = NIOThreadPool(numberOfThreads: 1)
        reloadThread.start()
        let loader = StateLoader(registry: registry)
        // Only the store holds the first state: a local here would live as long as
        // the daemon and keep the first snapshot mapped after every reload.
        let states: StateStore
        do {
            states = StateStore(try await reloadThread.runIfActive { try loader.load(initial, logger: logger) })
        } catch {
            try? await threadPool.shutdownGracefully()
            try? await writeThread.shutdownGracefully()
            try? await reloadThread.shutdownGracefully()
            throw error
        }
        let passed = try SocketActivation.takeListeningSockets()
        let group = MultiThreadedEventLoopGroup.singleton
        let (listener, createdPath) = try await ListeningSocket.bind(
            configuration: initial, group: group, passedSockets: passed)
        defer {
            if let createdPath { unlink(createdPath) }
        }

        let stats = ServerStats()
        let reloads = ReloadQueue()
        let scoring = ScoringPool()
        defer { scoring.shutdown() }
        let handler = RequestHandler(
            states: states, stats: stats, ledger: ListenLedger(),
            catalogueAccess: CatalogueAccess(readThreads: threadPool, writeThread: writeThread),
            reloads: reloads, scoring: scoring, daemonUID: getuid(), startedAt: Date(), version: version, logger: logger)
        let server = SocketServer(
            listener: listener, handler: handler, maxLineBytes: initial.limits.maxLineBytes, stats: stats,
            tracker: ConnectionTracker(),
            requestTimeout: initial.requestTimeoutMilliseconds > 0 ? .milliseconds(initial.requestTimeoutMilliseconds) : nil,
            shutdownGrace: .milliseconds(Int64(initial.shutdownGraceSeconds * 1000)), notifier: notifier,
            logger: logger)
        let reloader = ReloadService(
            queue: reloads, hangups: hangups, states: states, loader: loader, configuration: configuration,
            threadPool: reloadThread, notifier: notifier, logger: logger)
        var services: [any Service] = [server, reloader]
        if let interval = SystemdNotifier.watchdogInterval() {
            services.append(
                WatchdogService(interval: interval, eventLoop: group.any(), threadPool: threadPool, notifier: notifier))
        }
        let serviceGroup = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))

        logger.info(
            "listening",
            metadata: [
                "socket": "\(passed.isEmpty ? initial.socketPath : "fd \(passed[0]) from systemd")",
                "status": "\(StatusLine.serving(states.current))",
            ])
        notifier.ready(status: StatusLine.serving(states.current))
        try await serviceGroup.run()
        try await writeThread.shutdownGracefully()
        try await reloadThread.shutdownGracefully()
        try await threadPool.shutdownGracefully()
        logger.info("stopped")
    }
}
