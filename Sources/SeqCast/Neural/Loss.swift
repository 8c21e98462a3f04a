// Loss: mean squared and mean absolute error, value and gradient.

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
