import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The shipped systemd/earshot.service and earshot.socket under a real systemd
/// manager: runs `../shared/tools/with-systemd scripts/systemd-e2e.sh BIN_DIR`
/// (socket activation, READY/STATUS, reload, watchdog, clean stop; see the
/// script's header). BIN_DIR is $EARSHOT_BIN_DIR or <package>/.build/debug.
@Suite("systemd units")
struct SystemdUnitTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // EndToEndTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
    static let withSystemd = packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/tools/with-systemd").path
    static let script = packageRoot.appendingPathComponent("scripts/systemd-e2e.sh").path
    static let binDir =
        ProcessInfo.processInfo.environment["EARSHOT_BIN_DIR"]
        ?? packageRoot.appendingPathComponent(".build/debug").path
    /// A passing run takes about 10 s, a failing one up to about 2 minutes.
    static let limitSeconds = 300

    static var hasSystemctl: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin"])
            .contains { FileManager.default.isExecutableFile(atPath: $0 + "/systemctl") }
    }
    static var canRun: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: withSystemd) && hasSystemctl
    }

    @Test(
        "socket activation, reload, watchdog and stop under a real systemd manager",
        .enabled(if: canRun, "needs root, ../shared/tools/with-systemd and systemctl"),
        .timeLimit(.minutes(10)))
    func shippedUnits() throws {
        let earshotd = URL(fileURLWithPath: Self.binDir).appendingPathComponent("earshotd").path
        try #require(
            FileManager.default.isExecutableFile(atPath: earshotd),
            "no executable earshotd in \(Self.binDir): build it or set EARSHOT_BIN_DIR")

        let log = FileManager.default.temporaryDirectory
            .appendingPathComponent("earshot-systemd-e2e-\(UUID().uuidString).log")
        #expect(FileManager.default.createFile(atPath: log.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: log) }
        let output = try FileHandle(forWritingTo: log)

        // timeout(1) runs the command in a process group of its own and signals
        // the whole group, so the manager and the daemon end with it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "timeout", "--kill-after=30", "\(Self.limitSeconds)",
            Self.withSystemd, Self.script, Self.binDir,
        ]
        process.currentDirectoryURL = Self.packageRoot
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        // The test runner's threads block SIGTERM, SIGINT, SIGHUP and more, and a
        // child inherits that mask: the script could not run its clean-up when
        // timeout(1) signals it. Spawn with nothing blocked.
        var unblocked = sigset_t()
        var saved = sigset_t()
        sigemptyset(&unblocked)
        pthread_sigmask(SIG_SETMASK, &unblocked, &saved)
        let launched = Result { try process.run() }
        pthread_sigmask(SIG_SETMASK, &saved, nil)
        try launched.get()
        process.waitUntilExit()
        try output.close()

        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let status = process.terminationStatus
        let exited = process.terminationReason == .exit
        let how =
            exited && status == 124 ? "timed out after \(Self.limitSeconds) s"
            : exited ? "exited with \(status)" : "was killed by signal \(status)"
        let summary = text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(
            exited && status == 0 && summary.hasSuffix(" passed, 0 failed"),
            "scripts/systemd-e2e.sh \(how):\n\(text)")
    }

    @Test(
        "systemd-analyze security rates the shipped service at exposure 2.0 or less",
        .enabled(if: hasSystemctl, "needs systemd-analyze"))
    func exposure() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "systemd-analyze", "security", "--offline=true", "--no-pager",
            Self.packageRoot.appendingPathComponent("systemd/earshot.service").path,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // "→ Overall exposure level for earshot.service: 0.4 SAFE 😀"
        let line = try #require(text.split(separator: "\n").last { $0.contains("Overall exposure level") }, "\(text)")
        let number = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        let exposure = try #require(number, "\(line)")
        #expect(exposure <= 2.0, "\(text)")
    }
}
