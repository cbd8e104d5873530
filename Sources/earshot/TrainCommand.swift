import ArgumentParser
import EarshotCatalogue
import EarshotSnapshot
import EarshotTraining
import Foundation

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train models and write them as snapshots.", subcommands: [TrainMFCommand.self, TrainTwoTowerCommand.self, TrainBlendCommand.self, TrainArtistsCommand.self])
}

/// `earshot train mf (--interactions TSV | --db DB) --out DIR`: implicit-feedback
/// ALS, written as the `mf` part of a new snapshot directory. From `--db`, a
/// user's weight for a track is their number of listens, and the manifest
/// records the catalogue's fingerprint.
///
/// Progress goes to stderr on a terminal; the last line of stdout is a JSON
/// summary, e.g. `{"snapshot":"…","id":"…","users":1892,"items":15412,"interactions":74272,"seconds":0.2}`.
struct TrainMFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mf",
        abstract: "Train the matrix-factorization scorer (implicit-feedback ALS) from interactions or the catalogue's listens.",
        discussion: """
            Confidence of a play count w: 1 + alpha·ln(1 + w/s), s = the geometric mean of the user's weights \
            when --relative-weights is on (the default), else 1. A user or item with n interactions is regularized \
            with regularization·n^regularization-exponent. Results are the same for any --threads.
            """)

    @OptionGroup var input: TrainingInput

    @Option(help: "Latent factors per user and item.")
    var factors = ALSConfiguration().factors

    @Option(help: "ALS iterations.")
    var iterations = ALSConfiguration().iterations

    @Option(help: "Regularization λ.")
    var regularization = ALSConfiguration().regularization

    @Option(help: "Scale λ by n^X for a row with n interactions (0 = uniform λ).")
    var regularizationExponent = ALSConfiguration().regularizationExponent

    @Option(help: "Confidence slope alpha.")
    var alpha = ALSConfiguration().confidence.alpha

    @Option(help: "Divide weights by the user's geometric-mean weight before scaling (true/false).")
    var relativeWeights = ALSConfiguration().confidence.relativeToUser

    @Option(help: "Conjugate-gradient steps per row and half-iteration.")
    var cgSteps = ALSConfiguration().conjugateGradientSteps

    @Option(help: "Worker threads (default: all cores).")
    var threads = ALSConfiguration().threads

    @Option(help: "Random seed of the initial factors.")
    var seed = ALSConfiguration().seed

    func run() throws {
        let started = Date()
        var configuration = ALSConfiguration()
        configuration.factors = factors
        configuration.iterations = iterations
        configuration.regularization = regularization
        configuration.regularizationExponent = regularizationExponent
        configuration.confidence = ConfidenceScaling(alpha: alpha, relativeToUser: relativeWeights)
        configuration.conjugateGradientSteps = cgSteps
        configuration.threads = threads
        configuration.seed = seed
        try CLIError.reporting {
            let (table, catalogue) = try input.load()
            let trainer = try ALSTrainer(interactions: table, configuration: configuration)
            let progress = TerminalProgress(label: "ALS iteration")
            let model = trainer.train { progress.update($0, of: $1) }
            progress.finish()
            let manifest = try SnapshotWriter.write(
                [model.snapshotPart()], to: input.out, catalogueFingerprint: catalogue?.catalogue.fingerprint,
                basedOn: input.into)
            let seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
            print(
                #"{"snapshot":\#(jsonString(URL(fileURLWithPath: input.out).standardizedFileURL.path)),"id":\#(jsonString(manifest.id)),"#
                    + #""users":\#(model.userIDs.count),"items":\#(model.itemIDs.count),"#
                    + #""interactions":\#(model.userItems.nonzeroCount),"seconds":\#(seconds)}"#)
        }
    }
}

/// A JSON string literal.
func jsonString(_ text: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .withoutEscapingSlashes
    let data = try? encoder.encode(text)
    return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
}
