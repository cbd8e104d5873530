import ArgumentParser
import EarshotSnapshot
import EarshotTraining
import Foundation

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Inspect, list, collect and roll back snapshot directories; make synthetic ones and index them.",
        subcommands: [
            SnapshotInfoCommand.self, SnapshotListCommand.self, SnapshotGCCommand.self, SnapshotRollbackCommand.self,
            SnapshotSynthCommand.self, SnapshotIndexCommand.self, SnapshotIndexEvalCommand.self,
        ])
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

/// `earshot snapshot synth`: a valid `mf` snapshot of random Gaussian
/// factors, for scale tests and benchmarks (users "0".."U-1", items "0".."N-1").
/// With `--clusters`, items and users are drawn around shared cluster centres
/// (centres N(0, 1), members centre + N(0, spread²)), which is how trained
/// factors look to an ANN index, unlike i.i.d. vectors (its worst case).
struct SnapshotSynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth", abstract: "Write an mf snapshot with random Gaussian factors (for benchmarks).")

    @Option(help: "Number of items.") var items: Int
    @Option(help: "Factor dimensions.") var dims: Int
    @Option(help: "Number of users.") var users: Int
    @Option(help: "Snapshot directory to create.") var out: String
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Draw items and users from this many Gaussian clusters (default: i.i.d. vectors).") var clusters: Int?
    @Option(help: "Within-cluster standard deviation (with --clusters).") var spread: Double = 0.35

    func validate() throws {
        guard items >= 1, dims >= 1, users >= 0 else { throw ValidationError("--items and --dims must be at least 1, --users at least 0") }
        guard clusters.map({ $0 >= 1 }) ?? true, spread >= 0 else {
            throw ValidationError("--clusters must be at least 1 and --spread at least 0")
        }
        guard items.multipliedReportingOverflow(by: dims).partialValue <= 1 << 31 else {
            throw ValidationError("--items × --dims must be at most 2^31 floats")
        }
    }

    func run() throws {
        var random = SeededGenerator(seed: seed)
        let scale = 1 / Double(dims).squareRoot()
        func gaussians(_ count: Int) -> [Float] {
            var values = [Float](repeating: 0, count: count)
            var index = 0
            // Box–Muller: two normal deviates per pair of uniforms.
            while index < count {
                let radius = (-2 * log(max(random.nextUnitDouble(), 1e-300))).squareRoot() * scale
                let angle = 2 * Double.pi * random.nextUnitDouble()
                values[index] = Float(radius * cos(angle))
                if index + 1 < count { values[index + 1] = Float(radius * sin(angle)) }
                index += 2
            }
            return values
        }
        let itemFactors: [Float]
        let userFactors: [Float]
        if let clusters {
            let centres = gaussians(clusters * dims).map { $0 / Float(scale) }
            func members(_ count: Int) -> [Float] {
                var values = gaussians(count * dims)
                for row in 0..<count {
                    let centre = Int(random.next() % UInt64(clusters)) * dims
                    for j in 0..<dims {
                        values[row * dims + j] = centres[centre + j] + values[row * dims + j] / Float(scale) * Float(spread)
                    }
                }
                return values
            }
            itemFactors = members(items)
            userFactors = members(users)
        } else {
            itemFactors = gaussians(items * dims)
            userFactors = gaussians(users * dims)
        }
        func ids(_ count: Int) -> Data { Data((0..<count).map { "\($0)\n" }.joined().utf8) }
        let part = SnapshotPartContents(
            name: "mf",
            part: Manifest.Part(
                kind: "mf", hyperparameters: ["factors": Double(dims), "regularization": 1, "alpha": 1, "seed": Double(seed)]
                    .merging(clusters.map { ["synth_clusters": Double($0), "synth_spread": spread] } ?? [:]) { a, _ in a },
                training: ["users": users, "items": items, "interactions": 0]),
            files: [
                "items.txt": ids(items),
                "item_factors.npy": NPY.write(.float32(shape: [items, dims], values: consume itemFactors)),
                "users.txt": ids(users),
                "user_factors.npy": NPY.write(.float32(shape: [users, dims], values: userFactors)),
                "user_items_indptr.npy": NPY.write(.int64(shape: [users + 1], values: [Int64](repeating: 0, count: users + 1))),
                "user_items_indices.npy": NPY.write(.int64(shape: [0], values: [])),
            ])
        let manifest: Manifest
        do {
            manifest = try SnapshotWriter.write([part], to: out, catalogueFingerprint: nil)
        } catch {
            throw CLIError(error.description)
        }
        FileHandle.standardError.write(Data("wrote synthetic snapshot \(manifest.id) to \(out): \(items) items × \(dims) dims, \(users) users\n".utf8))
        print(#"{"id":"\#(manifest.id)","items":\#(items),"dims":\#(dims),"users":\#(users)}"#)
    }
}
