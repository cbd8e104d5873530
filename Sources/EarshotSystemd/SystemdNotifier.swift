import CSystemd

#if canImport(Glibc)
    import Glibc
#endif

/// Talks to the service manager through `sd_notify` (a no-op when the
/// process was not started by systemd, i.e. `NOTIFY_SOCKET` is unset).
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Whether a service manager is listening for notifications.
    public var isEnabled: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// Startup or a reload has finished.
    public func ready(status: String) {
        send("READY=1\nSTATUS=\(Self.oneLine(status))")
    }

    /// A reload begins. systemd 252 has no `Type=notify-reload`, so the
    /// monotonic timestamp is sent by hand, as sd_notify(3) describes.
    public func reloading(status: String) {
        send("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())\nSTATUS=\(Self.oneLine(status))")
    }

    /// Shutdown has begun.
    public func stopping(status: String) {
        send("STOPPING=1\nSTATUS=\(Self.oneLine(status))")
    }

    public func status(_ status: String) {
        send("STATUS=\(Self.oneLine(status))")
    }

    /// Tells the watchdog the service is alive.
    public func watchdog() {
        send("WATCHDOG=1")
    }

    private func send(_ state: String) {
        _ = sd_notify(0, state)
    }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 }.prefix(400))
    }

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }

    /// The watchdog interval systemd expects pings within (`WatchdogSec=`),
    /// or `nil` when the watchdog is off for this process.
    public static func watchdogInterval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }
}
