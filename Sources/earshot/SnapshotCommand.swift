import ArgumentParser
import EarshotSnapshot
import Foundation

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Inspect snapshot directories.", subcommands: [SnapshotInfoCommand.self])
}

/// `earshot snapshot info DIR`: verifies every file and prints the manifest summary.
struct SnapshotInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Verify a snapshot (sizes, SHA-256, tensors) and print its manifest summary.")

    @Argument(help: "Snapshot directory (or a symlink to one).")
    var directory: String

    func run() throws {
        let snapshot: Snapshot
        do {
            snapshot = try SnapshotReader.read(at: directory)
        } catch {
            throw CLIError(error.description)
        }
        let manifest = snapshot.manifest
        FileHandle.standardError.write(Data("""
            snapshot \(manifest.id) created \(manifest.createdAt) at \(snapshot.resolvedPath)
            \(manifest.files.count) files verified (size and SHA-256)

            """.utf8))
        for (name, part) in snapshot.parts.sorted(by: { $0.key < $1.key }) {
            let tensors = part.matrices.sorted(by: { $0.key < $1.key }).map { "\($0.key) \($0.value.rows)×\($0.value.columns)" }
            FileHandle.standardError.write(Data("  \(name) (\(part.kind)): \(tensors.joined(separator: ", "))\n".utf8))
        }
        let summary = try JSONEncoder().encode(manifest)
        print(String(decoding: summary, as: UTF8.self))
    }
}
