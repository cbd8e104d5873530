import EarshotSystemd
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The `SO_PEERCRED` result (`struct ucred`), declared here because Glibc's
/// definition is behind `_GNU_SOURCE`. Three plain integers.
struct UCred: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// Creates the listening socket: the one systemd passed, or a new one at the configured path.
enum ListeningSocket {
    /// Binds (or adopts) the listening socket and returns it with whether the
    /// daemon created the socket file (and must remove it at exit).
    static func bind(
        configuration: DaemonConfiguration, group: any EventLoopGroup, passedSockets: [Int32]
    ) async throws -> (NIOAsyncChannel<ClientConnection, Never>, createdPath: String?) {
        let maxLine = configuration.limits.maxLineBytes
        let idleTimeout = configuration.idleTimeoutSeconds
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            // `echo … | socat` closes its side after the last request: answer it anyway.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // A client that does not read its responses holds at most this much of them.
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 64 << 10, high: 256 << 10))
        let initializer: @Sendable (any Channel) -> EventLoopFuture<ClientConnection> = { channel in
            peerCredentials(of: channel).flatMapThrowing { peer in
                let pipeline = channel.pipeline.syncOperations
                if idleTimeout > 0 {
                    try pipeline.addHandler(IdleStateHandler(allTimeout: .milliseconds(Int64(idleTimeout * 1000))))
                    try pipeline.addHandler(IdleConnectionCloser())
                }
                try pipeline.addHandler(LineBatchDecoder(maxLineBytes: maxLine))
                let asyncChannel = try NIOAsyncChannel<LineBatch, ByteBuffer>(
                    wrappingChannelSynchronously: channel)
                return ClientConnection(channel: asyncChannel, peer: peer)
            }
        }
        if let fd = passedSockets.first {
            let channel = try await bootstrap.bind(fd, childChannelInitializer: initializer)
            return (channel, nil)
        }
        let path = configuration.socketPath
        try prepareDirectory(for: path)
        try refuseIfServing(path)
        let channel = try await bootstrap.bind(
            unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
        guard chmod(path, mode_t(configuration.socketMode)) == 0 else {
            throw SocketSetupError("cannot set mode \(String(configuration.socketMode, radix: 8)) on \(path): \(String(cString: strerror(errno)))")
        }
        if let groupName = configuration.socketGroup {
            guard let entry = getgrnam(groupName) else { throw SocketSetupError("socket_group \(groupName) does not exist") }
            guard chown(path, uid_t.max, entry.pointee.gr_gid) == 0 else {
                throw SocketSetupError("cannot give \(path) to group \(groupName): \(String(cString: strerror(errno)))")
            }
        }
        return (channel, path)
    }

    private static func peerCredentials(of channel: any Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        let future: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
            .recover { _ in nil }
    }

    private static func prepareDirectory(for path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SocketSetupError("cannot create the socket directory \(directory): \(error.localizedDescription)")
        }
    }

    /// A socket file someone still accepts on belongs to a running daemon: never unlink it.
    private static func refuseIfServing(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw SocketSetupError("socket path \(path) is longer than \(capacity - 1) bytes") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if connected == 0 {
            throw SocketSetupError("another daemon is already listening on \(path); stop it or choose another --socket")
        }
    }
}

public struct SocketSetupError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
