import ArgumentParser
import EarshotRetrain
import EarshotSnapshot
import Foundation

/// `earshot retrain [--config FILE]`: what `earshot-retrain.service` runs
/// (README, "Retraining"). Progress on stderr; the last line of stdout is
/// the JSON summary. Exit status 0 when the model was promoted, kept by the
/// quality gate or had nothing new to learn; 1 when the retrain failed or
/// another one holds the lock.
struct RetrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrain",
        abstract: "Retrain every part of the current snapshot, promote it if it is not worse on held-out plays, reload the daemon.",
        discussion: """
            Reads the catalogue, the snapshot folder (beside data.snapshot) and the socket from the daemon's config. \
            Holds out each listener's latest plays (users with 5 or more tracks: their latest fifth, 1 to 10 tracks), \
            trains candidates on the rest with the hyperparameters of the current manifest and compares ndcg@10 with \
            the current model; a candidate not worse by more than retrain.margin is refit on everything, written as a \
            new dated snapshot, linked as current and the daemon reloaded. Afterwards all but the newest retrain.keep \
            snapshots are deleted (never the current or served one).
            """)

    @OptionGroup var daemon: DaemonConfigOption

    @Flag(help: .hidden) var degradeForTesting = false

    func run() throws {
        let configuration = try daemon.load()
        var settings = Retrainer.Settings(
            cataloguePath: configuration.cataloguePath, snapshotPath: configuration.snapshotPath,
            socketPath: configuration.socketPath, margin: configuration.retrain.margin,
            minimumFreeBytes: configuration.retrain.minimumFreeMegabytes * 1_000_000)
        settings.degradeForTesting = degradeForTesting
        let log: (String) -> Void = { FileHandle.standardError.write(Data("earshot retrain: \($0)\n".utf8)) }
        let report: Retrainer.Report
        do {
            report = try Retrainer(settings: settings, log: log).run()
        } catch {
            throw CLIError(error.description)
        }
        log("\(report.outcome): \(report.reason)")
        if report.outcome != "failed" {
            let lifecycle = SnapshotLifecycle(snapshotPath: configuration.snapshotPath, socketPath: configuration.socketPath)
            do {
                let result = try lifecycle.collectGarbage(keep: configuration.retrain.keep)
                if !result.deleted.isEmpty { log("deleted old snapshots \(result.deleted.joined(separator: ", ")) (retrain.keep = \(configuration.retrain.keep))") }
            } catch {
                log("snapshot gc skipped: \(error)")
            }
        }
        print(report.json)
        if report.outcome == "failed" { throw ExitCode(1) }
    }
}
