import EarshotScoring
import EarshotSnapshot
import EarshotTraining
import Foundation

/// `earshot retrain`: trains every part of the current snapshot again from
/// the catalogue, gates the result on held-out plays, and promotes it only
/// when it is not worse (README, "Retraining").
public struct Retrainer {
    public struct Settings: Sendable {
        public var cataloguePath: String
        /// `data.snapshot`: the `current` link in the snapshot folder.
        public var snapshotPath: String
        public var socketPath: String
        /// Largest ndcg@10 drop on the held-out plays a promoted model may have.
        public var margin: Double
        /// Free space to leave on the snapshot folder's file system.
        public var minimumFreeBytes: Int
        /// For tests of the gate: scramble every candidate part's item ids so it is worse.
        public var degradeForTesting = false

        public init(cataloguePath: String, snapshotPath: String, socketPath: String, margin: Double, minimumFreeBytes: Int) {
            self.cataloguePath = cataloguePath
            self.snapshotPath = snapshotPath
            self.socketPath = socketPath
            self.margin = margin
            self.minimumFreeBytes = minimumFreeBytes
        }
    }

    /// One part's gate figures.
    public struct PartReport: Sendable {
        public var name: String
        public var kind: String
        public var oldNDCG: Double
        public var newNDCG: Double
        /// Two standard errors of the mean per-user difference, added to the margin.
        public var slack: Double
        /// Held-out users the comparison ran on.
        public var users: Int
        public var passed: Bool
    }

    /// What a run did; `json` is the command's last line.
    public struct Report: Sendable {
        /// `promoted`, `kept` (gate failed), `unchanged` (nothing new) or `failed`.
        public var outcome: String
        public var reason: String
        public var previous: String?
        /// The snapshot directory written, if any.
        public var snapshot: String?
        public var snapshotID: String?
        public var current: String?
        public var parts: [PartReport] = []
        public var heldOutUsers = 0
        public var users = 0
        public var interactions = 0
        public var leftoversRemoved: [String] = []
        public var daemon: String = "not asked"
        public var seconds = 0.0
        /// `RetrainData.digest` of what this run read.
        var dataDigest: String?
    }

    public let settings: Settings
    let log: (String) -> Void

    /// `log` gets one human-readable line per step (stderr in the CLI).
    public init(settings: Settings, log: @escaping (String) -> Void) {
        self.settings = settings
        self.log = log
    }

    /// Runs one retrain under the folder lock. Throws only when the lock is
    /// held or nothing could start; every other failure is a `failed` report
    /// (recorded in `retrain.json`) with `current` untouched.
    public func run() throws(RetrainError) -> Report {
        let started = Date()
        let folder = SnapshotFolder(snapshotPath: settings.snapshotPath)
        let lock: SnapshotFolderLock
        do {
            lock = try SnapshotFolderLock(folder: folder, purpose: "earshot retrain")
        } catch {
            throw RetrainError(error.description)
        }
        var report = Report(outcome: "failed", reason: "", previous: folder.currentName())
        report.leftoversRemoved = folder.removeLeftovers()
        for name in report.leftoversRemoved { log("removed the leftover \(name) of an interrupted run") }
        var record = RetrainRecord.read(at: folder.retrainRecordPath)
        do {
            try attempt(folder: folder, record: record, report: &report)
        } catch {
            report.outcome = "failed"
            report.reason = error.description
        }
        report.current = folder.currentName()
        report.seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
        record.runs[report.outcome, default: 0] += 1
        record.lastOutcome = report.outcome
        record.lastFinished = Date().timeIntervalSince1970
        record.lastDurationSeconds = report.seconds
        if report.outcome == "promoted" { record.lastPromoted = record.lastFinished }
        if report.outcome == "promoted" || report.outcome == "kept", !settings.degradeForTesting {
            record.lastDataDigest = report.dataDigest
        }
        do {
            try record.write(to: folder.retrainRecordPath)
        } catch {
            log("could not record the outcome in \(folder.retrainRecordPath): \(error)")
        }
        withExtendedLifetime(lock) {}
        return report
    }
}
