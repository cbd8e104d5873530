import EarshotProtocol
import EarshotSystemd
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// An accepted connection: its async channel and who is on the other end.
struct ClientConnection: Sendable {
    let channel: NIOAsyncChannel<InboundFrame, ByteBuffer>
    let peer: PeerCredentials?
}

/// Accepts connections and serves newline-delimited JSON on each, one task
/// per connection, responses in request order.
struct SocketServer: Service {
    let listener: NIOAsyncChannel<ClientConnection, Never>
    let handler: RequestHandler
    let decoder: RequestDecoder
    let stats: ServerStats
    let tracker: ConnectionTracker
    let maxConnections: Int
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
                for try await frame in inbound {
                    guard tracker.begin(id) else { return }
                    let started = ContinuousClock.now
                    var bytes: [UInt8] = []
                    let outcome: (op: Op?, error: ErrorCode?)
                    switch frame {
                    case .tooLong:
                        let error = ProtocolError(
                            .lineTooLong, "line longer than \(decoder.limits.maxLineBytes) bytes; closing the connection")
                        Response.failure(id: .null, error: error, into: &bytes)
                        try await outbound.write(ByteBuffer(bytes: bytes))
                        stats.record(op: nil, error: .lineTooLong, microseconds: Self.microseconds(since: started))
                        return
                    case .line(let line):
                        if Self.isBlank(line) {
                            guard tracker.end(id) else { return }
                            continue
                        }
                        outcome = await respond(to: line, peer: connection.peer, into: &bytes)
                    }
                    try await outbound.write(ByteBuffer(bytes: bytes))
                    stats.record(op: outcome.op, error: outcome.error, microseconds: Self.microseconds(since: started))
                    guard tracker.end(id) else { return }
                }
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    private func respond(to line: ByteBuffer, peer: PeerCredentials?, into bytes: inout [UInt8]) async -> (
        op: Op?, error: ErrorCode?
    ) {
        let decoded = line.withUnsafeReadableBytes { decoder.decode(line: $0) }
        switch decoded.request {
        case .failure(let error):
            Response.failure(id: decoded.id, error: error, into: &bytes)
            return (nil, error.code)
        case .success(let request):
            do {
                let result = try await handler.handle(request, peer: peer)
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
