import EarshotScoring
import EarshotSnapshot
import EarshotTraining
import Foundation
import MatrixFactorization
import TwoTower

/// How `earshot retrain` trains one kind of snapshot part again: its trainer,
/// run with the hyperparameters the current manifest recorded, and the
/// scorer plugin the quality gate evaluates old and new through (nil for a
/// part the gate does not judge). A part kind without an entry here stops
/// the retrain with a message naming it; adding a kind is one entry.
struct PartRetrainer: Sendable {
    let plugin: (any ScorerPlugin.Type)?
    let train: @Sendable (_ data: InteractionTable, _ context: RetrainData, _ recorded: RecordedPart, _ progress: TerminalProgress)
        throws(TrainingError) -> SnapshotPartContents
}

/// A part of the current snapshot as a retrain finds it.
struct RecordedPart: Sendable {
    let name: String
    let manifest: Manifest.Part
    /// The part's files, by name inside the part, read on demand.
    let files: @Sendable () throws(TrainingError) -> [String: Data]

    init(name: String, in snapshot: Snapshot) {
        self.name = name
        manifest = snapshot.manifest.scorers[name] ?? Manifest.Part(kind: name)
        let prefix = name + "/"
        let names = snapshot.manifest.files.keys.filter { $0.hasPrefix(prefix) }
        let folder = snapshot.resolvedPath
        files = { () throws(TrainingError) -> [String: Data] in
            var result: [String: Data] = [:]
            for file in names {
                guard let data = FileManager.default.contents(atPath: folder + "/" + file) else {
                    throw .cannotRead(path: folder + "/" + file, reason: "unreadable")
                }
                result[String(file.dropFirst(prefix.count))] = data
            }
            return result
        }
    }

    var hyperparameters: [String: Double] { manifest.hyperparameters }

    /// The part as it is: for what listens do not change.
    func carried() throws(TrainingError) -> SnapshotPartContents {
        SnapshotPartContents(name: name, part: manifest, files: try files())
    }
}

enum PartRetrainers {
    /// Every retrainable part kind.
    static let byKind: [String: PartRetrainer] = [
        ALSModel.partName: PartRetrainer(plugin: MatrixFactorizationPlugin.self) { data, _, recorded, progress throws(TrainingError) in
            let configuration = ALSConfiguration(recorded: recorded.hyperparameters)
            try configuration.validate()
            let trainer = try ALSTrainer(interactions: data, configuration: configuration)
            let model = trainer.train { progress.update($0, of: $1, note: "iterations") }
            return model.snapshotPart()
        },
        TwoTowerModel.partName: PartRetrainer(plugin: TwoTowerPlugin.self) { data, context, recorded, progress throws(TrainingError) in
            let configuration = TwoTowerConfiguration(recorded: recorded.hyperparameters)
            let trainer = try TwoTowerTrainer(interactions: data, tags: context.genreTags, configuration: configuration)
            let model = trainer.train { progress.update($0.batch, of: $0.batches, note: "\($0.phase) epoch \($0.epoch)/\($0.epochs)") }
            return model.snapshotPart()
        },
        // Counts, recomputed the way the part recorded; not a fitted model, so not judged.
        PopularityPart.partName: PartRetrainer(plugin: nil) { data, context, recorded, _ throws(TrainingError) in
            let popular =
                recorded.hyperparameters[PopularityPart.catalogueKey] == 1
                ? PopularityPart(catalogue: context.catalogue, listenersIn: data) : PopularityPart(listenersIn: data)
            return popular.snapshotPart(training: ["interactions": data.count])
        },
        // Trained on the Last.fm files, which listens do not change: the same
        // public artists mapped again onto the catalogue as it is now (tracks
        // added since get their artists and prior). A part too old to hold
        // its artists' names is carried as it is.
        ArtistMapping.partName: PartRetrainer(plugin: nil) { _, context, recorded, _ throws(TrainingError) in
            guard let artists = try PublicArtists(part: try recorded.files(), manifest: recorded.manifest) else { return try recorded.carried() }
            return ArtistMapping(artists: artists, catalogue: context.catalogue).snapshotPart(
                priorWeight: recorded.hyperparameters["prior_weight"] ?? 0, ownWeight: recorded.hyperparameters["own_weight"] ?? 0)
        },
        // Carried into the candidate; the promoted snapshot gets weights refitted
        // on the candidate's sources (`BlendRefit`).
        BlendPart.partName: PartRetrainer(plugin: nil) { _, _, recorded, _ throws(TrainingError) in try recorded.carried() },
    ]
}

extension ALSConfiguration {
    /// The configuration a manifest's `hyperparameters` recorded (see
    /// `hyperparameters`); keys it lacks keep their defaults.
    init(recorded values: [String: Double]) {
        self.init()
        if let value = values["factors"] { factors = Int(value) }
        if let value = values["iterations"] { iterations = Int(value) }
        if let value = values["regularization"] { regularization = Float(value) }
        if let value = values["regularization_exponent"] { regularizationExponent = Float(value) }
        if let value = values["alpha"] { confidence.alpha = Float(value) }
        if let value = values["relative_weights"] { confidence.relativeToUser = value != 0 }
        if let value = values["cg_steps"] { conjugateGradientSteps = Int(value) }
        if let value = values["seed"] { seed = UInt64(value) }
    }
}

extension TwoTowerConfiguration {
    /// The configuration a manifest's `hyperparameters` recorded (see
    /// `hyperparameters`); keys it lacks keep their defaults.
    init(recorded values: [String: Double]) {
        self.init()
        if let value = values["dims"] { dimension = Int(value) }
        if let value = values["epochs"] { epochs = Int(value) }
        if let value = values["batch_size"] { batchSize = Int(value) }
        if let value = values["optimizer_adagrad"] { optimizer = value != 0 ? .adagrad : .adam }
        if let value = values["learning_rate"] { learningRate = Float(value) }
        if let value = values["l2"] { l2 = Float(value) }
        if let value = values["temperature"] { temperature = Float(value) }
        if let value = values["logq_correction"] { logQCorrection = value != 0 }
        if let value = values["random_negatives"] { randomNegatives = Int(value) }
        if let value = values["user_embeddings"] { userEmbeddings = value != 0 }
        if let value = values["history_pooling"] { historyPooling = value != 0 }
        if let value = values["user_dropout"] { userDropout = Float(value) }
        if let value = values["max_tags"] { maxTagsPerItem = Int(value) }
        if let value = values["play_weighting_log"] { playWeighting = value != 0 ? .log : .none }
        if let value = values["history_weighting_log"] { historyWeighting = value != 0 ? .log : .none }
        if let value = values["validation_fraction"] { validationFraction = Float(value) }
        if let value = values["patience"] { patience = Int(value) }
        if let value = values["seed"] { seed = UInt64(value) }
    }
}
