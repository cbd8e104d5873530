import Blend
import EarshotScorers
import EarshotScoring
import EarshotSnapshot
import EarshotTraining
import Foundation

/// Trains the sources `earshot train blend` combines, each with its own
/// trainer's defaults, and loads them through the scorer plugins.
struct BlendSourceTraining {
    static let trainable = ["mf", "two-tower", "popular"]

    let itemTags: String?
    let threads: Int
    let seed: UInt64

    /// One snapshot part per source, trained on `table`; tag rows on `excluded` pairs are dropped.
    func train(
        _ names: [String], on table: InteractionTable, excluding excluded: TwoTowerExcludedPairs, phase: String
    ) throws -> [SnapshotPartContents] {
        var parts: [SnapshotPartContents] = []
        for name in names {
            switch name {
            case "mf":
                var configuration = ALSConfiguration()
                configuration.threads = threads
                configuration.seed = seed
                let progress = TerminalProgress(label: "mf (\(phase))")
                let model = try ALSTrainer(interactions: table, configuration: configuration).train { progress.update($0, of: $1) }
                progress.finish()
                parts.append(model.snapshotPart())
            case "two-tower":
                var configuration = TwoTowerConfiguration()
                configuration.threads = threads
                configuration.seed = seed
                let tags = try itemTags.map { try TwoTowerItemTags.read(lastFMTags: $0, excluding: excluded) }
                let progress = TerminalProgress(label: "two-tower (\(phase))")
                let model = try TwoTowerTrainer(interactions: table, tags: tags, configuration: configuration).train { state in
                    progress.update(state.batch, of: state.batches, note: "epoch \(state.epoch)/\(state.epochs)")
                }
                progress.finish()
                parts.append(model.snapshotPart())
            case "popular":
                parts.append(PopularityPart(listenersIn: table).snapshotPart(training: ["interactions": table.count]))
            default:
                throw CLIError("blend cannot train source \(name)")
            }
        }
        return parts
    }

    /// The sources as the daemon would load them: the parts are written to a
    /// temporary snapshot (with `base`'s other parts), read back and loaded
    /// by their plugins.
    static func pool(
        _ names: [String], parts: [SnapshotPartContents], catalogue: TrackCatalogue = .empty,
        replacing overrides: [String: SnapshotPart] = [:], basedOn base: String? = nil
    ) throws -> BlendPool {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("earshot-blend-fit-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var snapshot = try base.map { try SnapshotReader.read(at: $0) }
        if !parts.isEmpty {
            try SnapshotWriter.write(parts, to: directory, catalogueFingerprint: nil, basedOn: base)
            snapshot = try SnapshotReader.read(at: directory)
        }
        let (loaded, failures) = BuiltInScorers.loadAll(snapshot: snapshot, catalogue: catalogue, parts: overrides)
        return BlendPool(sources: try names.map { name throws(CLIError) in
            guard let scorer = loaded[name] else { throw CLIError("blend source \(name): \(failures[name] ?? "not loaded")") }
            return (name, scorer)
        })
    }
}
