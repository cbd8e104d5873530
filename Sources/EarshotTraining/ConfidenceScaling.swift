import Foundation

/// How play counts become confidences in the implicit-feedback loss of
/// Hu, Koren & Volinsky (2008): every played item has preference 1 with
/// confidence `c = 1 + alpha · ln(1 + w / s)`, every other item preference 0
/// with confidence 1.
///
/// `s` is 1 when `relativeToUser` is false (the paper's log scaling). When it
/// is true, `s` is the geometric mean of the user's own weights, so what
/// counts is how much a user played an item *compared with the rest of their
/// history*: heavy and light listeners get confidences on one scale, and a
/// history whose weights are all 1 (catalogue listens) gets `1 + alpha · ln 2`
/// for every item, whatever unit the weights were counted in.
///
/// The `mf` scorer applies the same formula when it folds in a history, so
/// `alpha` and `relativeToUser` are stored in the snapshot manifest.
public struct ConfidenceScaling: Sendable, Equatable {
    public var alpha: Float
    public var relativeToUser: Bool

    public init(alpha: Float, relativeToUser: Bool) {
        self.alpha = alpha
        self.relativeToUser = relativeToUser
    }

    /// Confidences of one user's interaction weights (all > 0), in order.
    public func confidences(_ weights: UnsafeBufferPointer<Float>) -> [Float] {
        guard !weights.isEmpty else { return [] }
        var scale: Double = 1
        if relativeToUser {
            var logSum: Double = 0
            for weight in weights { logSum += log(Double(weight)) }
            scale = exp(logSum / Double(weights.count))
        }
        return weights.map { Float(1 + Double(alpha) * log1p(Double($0) / scale)) }
    }
}
