import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The shipped retrain units and the per-user units under a real systemd
/// manager: runs `../shared/tools/with-systemd scripts/systemd-retrain-e2e.sh
/// BIN_DIR` (see the script's header for every check).
@Suite("systemd retrain and user units")
struct SystemdRetrainTests {
    /// A passing run takes about a minute in a debug build.
    static let limitSeconds = 600

    @Test(
        "retrain service, quality gate, gc, metrics and the user units under a real systemd manager",
        .enabled(if: SystemdUnitTests.canRun, "needs root, ../shared/tools/with-systemd and systemctl"),
        .timeLimit(.minutes(12)))
    func retrainUnits() throws {
        let script = SystemdUnitTests.packageRoot.appendingPathComponent("scripts/systemd-retrain-e2e.sh").path
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-retrain-e2e-\(UUID().uuidString).log")
        #expect(FileManager.default.createFile(atPath: log.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: log) }
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "timeout", "--kill-after=30", "\(Self.limitSeconds)", SystemdUnitTests.withSystemd, script,
            SystemdUnitTests.binDir,
        ]
        process.currentDirectoryURL = SystemdUnitTests.packageRoot
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        // As in SystemdUnitTests: spawn with no signal blocked so the script's clean-up runs on timeout.
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
        let summary = text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(
            process.terminationReason == .exit && process.terminationStatus == 0 && summary.hasSuffix(" passed, 0 failed"),
            "scripts/systemd-retrain-e2e.sh ended with \(process.terminationStatus):\n\(text)")
    }
}
