import Foundation
import Logging
import Testing

@testable import EarshotSystemd

#if canImport(Glibc)
    import Glibc
#endif

@Suite("systemd integration", .serialized)
struct SystemdNotifierTests {
    /// A datagram socket standing in for the service manager's notify socket.
    final class NotifySocket {
        let fd: Int32
        let path: String

        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString).sock").path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: path.utf8)
                raw[path.utf8.count] = 0
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            try #require(bound == 0)
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
        }

        deinit {
            close(fd)
            unlink(path)
        }
    }

    @Test("READY, RELOADING with MONOTONIC_USEC, STOPPING and WATCHDOG reach the notify socket")
    func notifications() throws {
        let manager = try NotifySocket()
        setenv("NOTIFY_SOCKET", manager.path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        let notifier = SystemdNotifier()
        #expect(notifier.isEnabled)
        notifier.ready(status: "serving\n3 tracks")
        #expect(manager.receive() == "READY=1\nSTATUS=serving 3 tracks")
        notifier.reloading(status: "reloading")
        let reloading = try #require(manager.receive())
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        let usec = UInt64(reloading.split(separator: "\n")[1].dropFirst("MONOTONIC_USEC=".count)) ?? 0
        #expect(usec > 0)
        notifier.stopping(status: "bye")
        #expect(manager.receive() == "STOPPING=1\nSTATUS=bye")
        notifier.watchdog()
        #expect(manager.receive() == "WATCHDOG=1")
    }

    @Test("the watchdog interval comes from WATCHDOG_USEC for this process only")
    func watchdogInterval() {
        setenv("WATCHDOG_USEC", "4000000", 1)
        setenv("WATCHDOG_PID", String(getpid()), 1)
        #expect(SystemdNotifier.watchdogInterval() == .seconds(4))
        setenv("WATCHDOG_PID", "1", 1)
        #expect(SystemdNotifier.watchdogInterval() == nil)
        unsetenv("WATCHDOG_USEC")
        unsetenv("WATCHDOG_PID")
        #expect(SystemdNotifier.watchdogInterval() == nil)
    }

    @Test("no sockets are passed without LISTEN_FDS")
    func noActivation() throws {
        unsetenv("LISTEN_FDS")
        #expect(try SocketActivation.takeListeningSockets().isEmpty)
    }

    @Test("journald priorities follow syslog levels")
    func priorities() {
        #expect(JournalLogHandler.syslogPriority(.error) == 3)
        #expect(JournalLogHandler.syslogPriority(.warning) == 4)
        #expect(JournalLogHandler.syslogPriority(.info) == 6)
        #expect(JournalLogHandler.syslogPriority(.debug) == 7)
    }
}
