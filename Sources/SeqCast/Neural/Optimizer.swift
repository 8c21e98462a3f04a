// Optimizer: SGD with momentum and Adam over the flat parameter buffer, and global-norm clipping.
// Each is one loop over the whole buffer; moments mirror the parameter layout.
import Foundation

public enum OptimizerKind: String, Codable, Sendable, CaseIterable { case adam, sgd }

/// Optimizer state (moments and step count) for one flat parameter buffer.
public final class Optimizer: @unchecked Sendable {
    public let kind: OptimizerKind
    public var learningRate: Float
    public let momentum: Float, beta1: Float, beta2: Float, epsilon: Float
    /// First moment (Adam) or velocity (SGD), and second moment (Adam).
    public let m: FloatBuffer, v: FloatBuffer
    public var step: Int = 0

    public init(kind: OptimizerKind, count: Int, learningRate: Float, momentum: Float = 0.9,
                beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.kind = kind; self.learningRate = learningRate; self.momentum = momentum
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        m = FloatBuffer(count: count)
        v = FloatBuffer(count: kind == .adam ? count : 0)
    }

    /// One update of `params` with gradient `grads`.
    public func update(params: FloatBuffer, grads: FloatBuffer) {
        precondition(params.count == grads.count && grads.count == m.count)
        step += 1
        let p = params.p, g = grads.p, m = m.p, n = params.count, lr = learningRate
        switch kind {
        case .sgd:
            let mu = momentum
            for i in 0..<n { m[i] = mu * m[i] + g[i]; p[i] -= lr * m[i] }
        case .adam:
            let v = v.p, b1 = beta1, b2 = beta2, eps = epsilon
            let c1 = Float(1 - pow(Double(b1), Double(step))), c2 = Float(1 - pow(Double(b2), Double(step)))
            let stepSize = lr / c1, rc2 = 1 / c2.squareRoot()
            for i in 0..<n {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                p[i] -= stepSize * m[i] / ((v[i]).squareRoot() * rc2 + eps)
            }
        }
    }
}

/// Scales `grads` so its global L2 norm is at most `maxNorm`; returns the norm before clipping.
@discardableResult
public func clipGlobalNorm(_ grads: FloatBuffer, maxNorm: Float) -> Float {
    var sq = 0.0
    let g = grads.p
    for i in 0..<grads.count { sq += Double(g[i]) * Double(g[i]) }
    let norm = Float(sq.squareRoot())
    if maxNorm > 0, norm > maxNorm {
        let s = maxNorm / norm
        for i in 0..<grads.count { g[i] *= s }
    }
    return norm
}
