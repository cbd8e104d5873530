import EarshotSnapshot
import Foundation

/// The `blend/` snapshot part the `blend` scorer reads: its sources in
/// order (`sources.txt`), 3 weights per source (`weights.npy`), and in the
/// manifest the pool size (`candidates`) and how the weights were fitted.
public struct BlendPart: Sendable {
    public static let partName = "blend"

    public var sources: [String]
    public var weights: [Float]
    public var hyperparameters: [String: Double]
    public var training: [String: Int]

    public init(sources: [String], weights: [Float], hyperparameters: [String: Double], training: [String: Int]) {
        self.sources = sources
        self.weights = weights
        self.hyperparameters = hyperparameters
        self.training = training
    }

    /// Records in the manifest how the weights were fitted: mean ndcg on the
    /// held-out examples with the fitted and the default weights, and how
    /// many listeners the fit used. These keys are written only here.
    public mutating func recordFit(fittedNDCG: Double, defaultNDCG: Double, users: Int) {
        hyperparameters["fit_ndcg"] = fittedNDCG
        hyperparameters["default_ndcg"] = defaultNDCG
        training["fit_users"] = users
    }

    public func snapshotPart() -> SnapshotPartContents {
        SnapshotPartContents(
            name: Self.partName,
            part: Manifest.Part(kind: Self.partName, hyperparameters: hyperparameters, training: training),
            files: [
                "sources.txt": Data((sources.joined(separator: "\n") + "\n").utf8),
                "weights.npy": NPY.write(.float32(shape: [weights.count], values: weights)),
            ])
    }
}
