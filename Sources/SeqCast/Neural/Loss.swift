// Loss: mean squared and mean absolute error, and the pinball (quantile) loss of a quantile head,
// value and gradient.

public enum LossKind: String, Codable, Sendable, CaseIterable {
    case mse, mae

    /// Sum of per-element losses over n values (accumulated in Double), and the gradient
    /// d[i] = ∂(sum / normalizer)/∂y[i]. Divide the returned sum by `normalizer` for the mean;
    /// shards of one mini-batch pass the whole batch's element count so their gradients add up.
    public func evaluate(prediction y: UnsafePointer<Float>, target: UnsafePointer<Float>, count n: Int,
                         normalizer: Int, gradient d: UnsafeMutablePointer<Float>?) -> Double {
        let scale = 1 / Float(normalizer)
        var sum = 0.0
        switch self {
        case .mse:
            for i in 0..<n {
                let e = y[i] - target[i]
                sum += Double(e) * Double(e)
                d?[i] = 2 * e * scale
            }
        case .mae:
            for i in 0..<n {
                let e = y[i] - target[i]
                sum += Double(abs(e))
                d?[i] = (e > 0 ? 1 : (e < 0 ? -1 : 0)) * scale
            }
        }
        return sum
    }
}

/// Pinball loss of a quantile head (Koenker & Bassett 1978; MQ-RNN, Wen et al. 2017): predictions
/// [N, Q] (each target's Q quantiles τ_q), targets [N]; per element, with e = y − ŷ_q,
/// ρ_τ(e) = max(τ·e, (τ − 1)·e), whose gradient in ŷ is −τ (e > 0), 1 − τ (e < 0), 0 (e = 0).
public enum PinballLoss {
    /// Sum over the N·Q elements (Double), and d[i] = ∂(sum / normalizer)/∂ŷ[i] (as `LossKind.evaluate`).
    public static func evaluate(prediction y: UnsafePointer<Float>, target: UnsafePointer<Float>, count n: Int,
                                quantiles: [Float], normalizer: Int, gradient d: UnsafeMutablePointer<Float>?) -> Double {
        let q = quantiles.count, scale = 1 / Float(normalizer)
        var sum = 0.0
        for i in 0..<n {
            let tau = quantiles[i % q], e = target[i / q] - y[i]
            sum += Double(e > 0 ? tau * e : (tau - 1) * e)
            d?[i] = (e > 0 ? -tau : (e < 0 ? 1 - tau : 0)) * scale
        }
        return sum
    }
}
