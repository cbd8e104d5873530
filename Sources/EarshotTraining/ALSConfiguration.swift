import Foundation

/// Hyperparameters of the implicit-feedback ALS trainer and how it runs.
///
/// The defaults were chosen with 64 factors on a validation slice carved out
/// of the Last.fm training split (20% of each user's training artists, seed
/// 7; never the test split) and checked on a second split of the raw data
/// made the same way. `implicit`'s tuned setting (`1 + 2·ln(1 + w)`, uniform
/// λ = 50) gives ndcg@10 0.181 there; per-user relative weights with
/// α = 8 and `λ · n^0.75`, λ = 2, give 0.191 (0.183 → 0.195 on the second
/// split). Everything with relative weights and an exponent of 0.5–1 lies
/// within ±0.002 of that, so the choice is not a narrow peak.
public struct ALSConfiguration: Sendable, Equatable {
    /// Latent dimensions of user and item vectors.
    public var factors = 64
    /// Full ALS iterations (users, then items).
    public var iterations = 15
    /// `λ` of the L2 penalty; a row with `n` interactions gets `λ · n^regularizationExponent`.
    public var regularization: Float = 2
    /// `0` is the plain uniform penalty; `1` is ALS-WR's `λ · n` (Zhou et al. 2008).
    /// In between, rows with much data are held less tightly than ALS-WR does,
    /// rows with little data more tightly than a uniform `λ`.
    public var regularizationExponent: Float = 0.75
    /// Confidence scaling of the weights, see `ConfidenceScaling`.
    public var confidence = ConfidenceScaling(alpha: 8, relativeToUser: true)
    /// Conjugate-gradient steps per row and half-iteration (implicit uses 3).
    public var conjugateGradientSteps = 3
    /// Worker threads; results do not depend on it.
    public var threads = Self.processorCount

    /// The cores this process may use (read once: Foundation reads cgroup files for it).
    public static let processorCount = ProcessInfo.processInfo.activeProcessorCount
    /// Seed of the initial factors.
    public var seed: UInt64 = 42

    public init() {}

    /// The penalty of a row (user or item) with `count` interactions.
    public func regularization(forCount count: Int) -> Float {
        regularizationExponent == 0 ? regularization : regularization * powf(Float(max(count, 1)), regularizationExponent)
    }

    /// Refuses values the trainer cannot use, naming the command-line option.
    public func validate() throws(TrainingError) {
        guard (1...4096).contains(factors) else { throw .invalidOption(name: "factors", reason: "must be 1…4096, found \(factors)") }
        guard (0...10_000).contains(iterations) else {
            throw .invalidOption(name: "iterations", reason: "must be 0…10000, found \(iterations)")
        }
        guard regularization.isFinite, regularization > 0 else {
            throw .invalidOption(name: "regularization", reason: "must be a number > 0, found \(regularization)")
        }
        guard regularizationExponent.isFinite, (0...2).contains(regularizationExponent) else {
            throw .invalidOption(name: "regularization-exponent", reason: "must be 0…2, found \(regularizationExponent)")
        }
        guard confidence.alpha.isFinite, confidence.alpha >= 0 else {
            throw .invalidOption(name: "alpha", reason: "must be a number ≥ 0, found \(confidence.alpha)")
        }
        guard (1...100).contains(conjugateGradientSteps) else {
            throw .invalidOption(name: "cg-steps", reason: "must be 1…100, found \(conjugateGradientSteps)")
        }
        guard (1...256).contains(threads) else { throw .invalidOption(name: "threads", reason: "must be 1…256, found \(threads)") }
    }

    /// The manifest's hyperparameters; the `mf` scorer reads `regularization`,
    /// `regularization_exponent`, `alpha` and `relative_weights` back for fold-in.
    public var hyperparameters: [String: Double] {
        [
            "factors": Double(factors),
            "iterations": Double(iterations),
            "regularization": Double(regularization),
            "regularization_exponent": Double(regularizationExponent),
            "alpha": Double(confidence.alpha),
            "relative_weights": confidence.relativeToUser ? 1 : 0,
            "cg_steps": Double(conjugateGradientSteps),
            "seed": Double(seed),
        ]
    }
}
