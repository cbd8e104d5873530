import CSystemd

/// Sockets passed by systemd socket activation (`LISTEN_FDS`).
public enum SocketActivation {
    /// The passed listening file descriptors (starting at `SD_LISTEN_FDS_START`, 3).
    ///
    /// Clears the `LISTEN_*` variables so child processes do not inherit them.
    public static func takeListeningSockets() throws(SocketActivationError) -> [Int32] {
        let count = sd_listen_fds(1)
        guard count >= 0 else { throw SocketActivationError(errno: -count) }
        return (0..<count).map { SD_LISTEN_FDS_START + $0 }
    }
}

public struct SocketActivationError: Error, CustomStringConvertible {
    public let errno: Int32
    public var description: String { "could not read the sockets passed by systemd (LISTEN_FDS): errno \(errno)" }
}
