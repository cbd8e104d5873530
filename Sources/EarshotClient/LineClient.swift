import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking client for the daemon's socket: write lines, read lines.
///
/// For the command line and tests; the daemon itself never uses it.
public final class LineClient {
    public let fd: Int32
    private var pending: [UInt8] = []

    /// Connects to the Unix socket at `path`.
    public init(path: String) throws(ClientError) {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            close(fd)
            throw .badPath(path)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw .cannotConnect(path, code)
        }
    }

    deinit { close(fd) }

    /// Sets a receive timeout so a test cannot hang forever.
    public func setReadTimeout(seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .system("send", errno)
            }
            offset += written
        }
    }

    public func write(_ text: String) throws(ClientError) {
        try write(Array(text.utf8))
    }

    /// Reads one line (without `\n`); `nil` when the daemon closed the connection.
    public func readLine() throws(ClientError) -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw .timedOut }
                if errno == ECONNRESET { return nil }
                throw .system("recv", errno)
            }
            if count == 0 {
                guard !pending.isEmpty else { return nil }
                let line = String(decoding: pending, as: UTF8.self)
                pending.removeAll()
                return line
            }
            pending.append(contentsOf: chunk[..<count])
        }
    }

    /// Sends one request line and reads its response line.
    public func request(_ json: String) throws(ClientError) -> String {
        try write(json + "\n")
        guard let line = try readLine() else { throw .closed }
        return line
    }
}

public enum ClientError: Error, CustomStringConvertible, Equatable {
    case badPath(String)
    case cannotConnect(String, Int32)
    case system(String, Int32)
    case timedOut
    case closed

    public var description: String {
        switch self {
        case .badPath(let path): "socket path too long: \(path)"
        case .cannotConnect(let path, let code):
            "cannot connect to \(path): \(String(cString: strerror(code))) (is earshotd running? see --socket)"
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        case .timedOut: "timed out waiting for the daemon"
        case .closed: "the daemon closed the connection"
        }
    }
}
