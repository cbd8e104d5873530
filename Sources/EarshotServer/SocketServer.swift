import EarshotProtocol
import EarshotSystemd
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// An accepted connection: its async channel and who is on the other end.
struct ClientConnection: Sendable {
    let channel: NIOAsyncChannel<LineBatch, ByteBuffer>
    let peer: PeerCredentials?
}

/// Accepts connections and serves newline-delimited JSON on each, one task
/// per connection, responses in request order.
struct SocketServer: Service {
    let listener: NIOAsyncChannel<ClientConnection, Never>
    let handler: RequestHandler
    /// The line limit the listening socket's framing was built with (fixed until restart).
    let maxLineBytes: Int
    let stats: ServerStats
    let tracker: ConnectionTracker
    /// How long a request may wait before its work starts; nil: no limit.
    let requestTimeout: Duration?
    let shutdownGrace: TimeAmount
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await listener.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            notifier.stopping(status: "stopping: finishing requests in flight")
            logger.info("shutting down: no new connections; finishing requests in flight")
            listener.channel.close(promise: nil)
            tracker.drain()
            listener.channel.eventLoop.scheduleTask(in: shutdownGrace) { [tracker] in tracker.closeAll() }
        }
    }

    private func serve(_ connection: ClientConnection) async {
        let channel = connection.channel
        // Limits a reload may change are read from the current state.
        let maxConnections = handler.states.current.configuration.maxConnections
        guard stats.admitConnection(limit: maxConnections) else {
            try? await channel.executeThenClose { _, outbound in
                var bytes: [UInt8] = []
                Response.failure(
                    id: .null, error: ProtocolError(.overloaded, "too many connections (\(maxConnections)); try again later"),
                    into: &bytes)
                try await outbound.write(ByteBuffer(bytes: bytes))
            }
            return
        }
        defer { stats.connectionClosed() }
        guard let id = tracker.register(channel.channel) else {
            try? await channel.channel.close()
            return
        }
        defer { tracker.remove(id) }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var output: [UInt8] = []
                /// Sends what has been answered so far, in one write.
                func flush() async throws {
                    guard !output.isEmpty else { return }
                    try await outbound.write(ByteBuffer(bytes: output))
                    output.removeAll(keepingCapacity: true)
                }
                for try await batch in inbound {
                    let arrived = ContinuousClock.now
                    let decoder = RequestDecoder(limits: handler.states.current.configuration.limits)
                    for line in batch.lines where !Self.isBlank(line) {
                        guard tracker.begin(id) else {
                            try await flush()
                            return
                        }
                        let started = ContinuousClock.now
                        let deadline = requestTimeout.map { arrived + $0 }
                        if let bare = line.withUnsafeReadableBytes({ BareRequest.match($0) }),
                            deadline.map({ ContinuousClock.now <= $0 }) ?? true
                        {
                            // `ping` and the like, answered without building a document.
                            Response.pong(idText: bare.idText, into: &output)
                            stats.record(op: bare.op, error: nil, microseconds: Self.microseconds(since: started))
                            guard tracker.end(id) else {
                                try await flush()
                                return
                            }
                            continue
                        }
                        let decoded = line.withUnsafeReadableBytes { decoder.decode(line: $0) }
                        // Answers of cheap ops wait to go out with the rest of the batch;
                        // before slow work (scoring, SQLite, reload) they are sent, so
                        // they are never held up by it.
                        if case .success(let request) = decoded.request, !request.op.isCheap { try await flush() }
                        let outcome: (op: Op?, error: ErrorCode?)
                        if let deadline, ContinuousClock.now > deadline, case .success(let request) = decoded.request {
                            // It waited too long behind earlier requests of this connection.
                            Response.failure(id: decoded.id, error: RequestHandler.timedOut, into: &output)
                            outcome = (request.op, .timeout)
                        } else {
                            outcome = await respond(to: decoded, peer: connection.peer, deadline: deadline, into: &output)
                        }
                        stats.record(
                            op: outcome.op, scorer: try? decoded.request.get().scorerLabel(default: handler.states.current),
                            error: outcome.error, microseconds: Self.microseconds(since: started))
                        // Bounded: a long pipelined batch is answered in pieces.
                        if output.count >= 64 << 10 { try await flush() }
                        guard tracker.end(id) else {
                            try await flush()
                            return
                        }
                    }
                    if batch.tooLong {
                        let error = ProtocolError(
                            .lineTooLong, "line longer than \(maxLineBytes) bytes; closing the connection")
                        Response.failure(id: .null, error: error, into: &output)
                        stats.record(op: nil, error: .lineTooLong, microseconds: 0)
                        try await flush()
                        return
                    }
                    try await flush()
                }
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    /// Appends the response to one decoded line to `bytes`.
    private func respond(
        to decoded: DecodedLine, peer: PeerCredentials?, deadline: ContinuousClock.Instant?, into bytes: inout [UInt8]
    ) async -> (op: Op?, error: ErrorCode?) {
        switch decoded.request {
        case .failure(let error):
            Response.failure(id: decoded.id, error: error, into: &bytes)
            return (nil, error.code)
        case .success(let request):
            do {
                let result = try await handler.handle(request, peer: peer, deadline: deadline)
                Response.success(id: decoded.id, result: result, into: &bytes)
                return (request.op, nil)
            } catch {
                Response.failure(id: decoded.id, error: error, into: &bytes)
                return (request.op, error.code)
            }
        }
    }

    static func isBlank(_ line: ByteBuffer) -> Bool {
        line.readableBytesView.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }

    static func microseconds(since start: ContinuousClock.Instant) -> UInt64 {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        return UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000_000)
    }
}

extension Op {
    /// Answered from memory in microseconds, without scoring or SQLite.
    var isCheap: Bool {
        switch self {
        case .ping, .info, .stats, .scorers: true
        case .reload, .search, .recommend, .similar, .score, .listen, .forget: false
        }
    }
}
