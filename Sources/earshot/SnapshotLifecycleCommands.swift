import ArgumentParser
import EarshotRetrain
import EarshotSnapshot
import Foundation

/// `earshot snapshot list [--config FILE]`: the snapshot folder, oldest
/// first, one line each on stderr; a JSON array last on stdout.
struct SnapshotListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the snapshots beside the daemon's current link (current, served, promoted).")

    @OptionGroup var daemon: DaemonConfigOption

    func run() throws {
        let configuration = try daemon.load()
        let lifecycle = SnapshotLifecycle(snapshotPath: configuration.snapshotPath, socketPath: configuration.socketPath)
        let listed = lifecycle.list()
        var rows: [[String: Any]] = []
        for item in listed {
            let entry = item.entry
            let marks = [item.isCurrent ? "current" : nil, item.isServed ? "served" : nil, item.promoted ? "promoted" : nil]
                .compactMap { $0 }
            let parts = entry.manifest.scorers.keys.sorted()
            FileHandle.standardError.write(Data(
                "\(entry.name)  \(entry.manifest.id)  \(entry.manifest.createdAt)  \(parts.joined(separator: ","))  \(entry.bytes / 1000) kB  \(marks.joined(separator: " "))\n"
                    .utf8))
            rows.append([
                "name": entry.name, "id": entry.manifest.id, "created_at": entry.manifest.createdAt, "parts": parts,
                "bytes": entry.bytes, "current": item.isCurrent, "served": item.isServed, "promoted": item.promoted,
            ])
        }
        let data = try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }
}

/// `earshot snapshot gc --keep N [--config FILE]`.
struct SnapshotGCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete all but the newest N snapshots, never the one current names or the one the daemon serves.")

    @OptionGroup var daemon: DaemonConfigOption

    @Option(help: "Snapshots to keep besides the current and served ones.")
    var keep: Int

    func validate() throws {
        guard keep >= 0 else { throw ValidationError("--keep must be 0 or more") }
    }

    func run() throws {
        let configuration = try daemon.load()
        let lifecycle = SnapshotLifecycle(snapshotPath: configuration.snapshotPath, socketPath: configuration.socketPath)
        do {
            let result = try lifecycle.collectGarbage(keep: keep)
            for name in result.deleted { FileHandle.standardError.write(Data("deleted \(name)\n".utf8)) }
            let data = try JSONSerialization.data(
                withJSONObject: ["deleted": result.deleted, "kept": result.kept], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } catch let error as RetrainError {
            throw CLIError(error.description)
        }
    }
}

/// `earshot snapshot rollback [--config FILE]`.
struct SnapshotRollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Point current back at the previously promoted snapshot and reload the daemon.")

    @OptionGroup var daemon: DaemonConfigOption

    func run() throws {
        let configuration = try daemon.load()
        let lifecycle = SnapshotLifecycle(snapshotPath: configuration.snapshotPath, socketPath: configuration.socketPath)
        do {
            let result = try lifecycle.rollback()
            FileHandle.standardError.write(Data("current → \(result.snapshot); daemon: \(result.daemon)\n".utf8))
            let data = try JSONSerialization.data(
                withJSONObject: ["current": result.snapshot, "daemon": result.daemon], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } catch let error as RetrainError {
            throw CLIError(error.description)
        }
    }
}
