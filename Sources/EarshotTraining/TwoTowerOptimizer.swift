import Foundation

/// Dense Adam or Adagrad over one flat parameter buffer, as Keras applies
/// them to embedding tables: every parameter's state moves every step,
/// including rows the batch did not touch (Adam's momentum keeps them going).
///
/// Work is split into fixed chunks shared among the workers; each element's
/// update depends only on itself, so results do not depend on the worker count.
struct TwoTowerOptimizer: Sendable {
    static let chunk = 1 << 16
    /// Keras' defaults.
    static let beta1: Float = 0.9
    static let beta2: Float = 0.999
    static let epsilon: Float = 1e-7
    static let adagradInitialAccumulator: Float = 0.1

    let kind: TwoTowerConfiguration.Optimizer
    let learningRate: Float
    let l2: Float
    private var first: [Float]
    private var second: [Float]
    private(set) var steps = 0

    init(kind: TwoTowerConfiguration.Optimizer, learningRate: Float, l2: Float, parameterCount: Int) {
        self.kind = kind
        self.learningRate = learningRate
        self.l2 = l2
        first = kind == .adam ? [Float](repeating: 0, count: parameterCount) : []
        second = [Float](repeating: kind == .adam ? 0 : Self.adagradInitialAccumulator, count: parameterCount)
    }

    /// Applies one step with `gradients` (the loss gradient; the L2 term is added here).
    mutating func step(parameters: inout [Float], gradients: [Float], workers: Int) {
        steps += 1
        let count = parameters.count
        let kind = kind
        let l2 = l2
        // Adam's bias correction folded into the step size, as Keras does.
        let rate = kind == .adam
            ? learningRate * (1 - powf(Self.beta2, Float(steps))).squareRoot() / (1 - powf(Self.beta1, Float(steps)))
            : learningRate
        let chunks = (count + Self.chunk - 1) / Self.chunk
        parameters.withUnsafeMutableBufferPointer { theta in
            gradients.withUnsafeBufferPointer { g in
                first.withUnsafeMutableBufferPointer { m in
                    second.withUnsafeMutableBufferPointer { v in
                        WorkSharing.run(pieces: chunks, workers: workers, makeScratch: {}) { piece, _ in
                            let start = piece * Self.chunk
                            let end = min(count, start + Self.chunk)
                            switch kind {
                            case .adam:
                                Self.adam(theta, g, m, v, start, end, rate: rate, l2: l2)
                            case .adagrad:
                                Self.adagrad(theta, g, v, start, end, rate: rate, l2: l2)
                            }
                        }
                    }
                }
            }
        }
    }

    private static func adam(
        _ theta: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>, _ m: UnsafeMutableBufferPointer<Float>,
        _ v: UnsafeMutableBufferPointer<Float>, _ start: Int, _ end: Int, rate: Float, l2: Float
    ) {
        let b1 = SIMD8<Float>(repeating: beta1)
        let b2 = SIMD8<Float>(repeating: beta2)
        let c1 = SIMD8<Float>(repeating: 1 - beta1)
        let c2 = SIMD8<Float>(repeating: 1 - beta2)
        let eps = SIMD8<Float>(repeating: epsilon)
        let lr = SIMD8<Float>(repeating: rate)
        let decay = SIMD8<Float>(repeating: 2 * l2)
        let t = UnsafeMutableRawPointer(theta.baseAddress!)
        let gr = UnsafeRawPointer(g.baseAddress!)
        let mr = UnsafeMutableRawPointer(m.baseAddress!)
        let vr = UnsafeMutableRawPointer(v.baseAddress!)
        var index = start
        while index + 8 <= end {
            let offset = index * 4
            let p = t.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            let grad = gr.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) + decay * p
            let mean = b1 * mr.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) + c1 * grad
            let square = b2 * vr.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) + c2 * grad * grad
            mr.storeBytes(of: mean, toByteOffset: offset, as: SIMD8<Float>.self)
            vr.storeBytes(of: square, toByteOffset: offset, as: SIMD8<Float>.self)
            t.storeBytes(of: p - lr * mean / (square.squareRoot() + eps), toByteOffset: offset, as: SIMD8<Float>.self)
            index += 8
        }
        while index < end {
            let grad = g[index] + 2 * l2 * theta[index]
            m[index] = beta1 * m[index] + (1 - beta1) * grad
            v[index] = beta2 * v[index] + (1 - beta2) * grad * grad
            theta[index] -= rate * m[index] / (v[index].squareRoot() + epsilon)
            index += 1
        }
    }

    private static func adagrad(
        _ theta: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>, _ v: UnsafeMutableBufferPointer<Float>,
        _ start: Int, _ end: Int, rate: Float, l2: Float
    ) {
        for index in start..<end {
            let grad = g[index] + 2 * l2 * theta[index]
            v[index] += grad * grad
            theta[index] -= rate * grad / (v[index].squareRoot() + epsilon)
        }
    }
}
