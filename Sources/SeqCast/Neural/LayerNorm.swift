// LayerNorm: row-wise layer normalization (Ba, Kiros & Hinton 2016) used inside the recurrent
// cells, forward and backward side by side. Statistics per row (= per time step and instance),
// identical in training and inference. The additive shift β is folded into the cell's bias.

typealias FloatPtr = UnsafeMutablePointer<Float>

enum LayerNorm {
    static let epsilon: Float = 1e-5

    /// Forward over `rows` rows of width `n`:
    ///   x̂ = (x − mean) · rstd,  rstd = 1/√(var + ε),  y = γ ⊙ x̂ + bias.
    /// Stores x̂ [rows, n] and rstd [rows] for the backward pass. `y` may alias `x`.
    static func forward(x: FloatPtr, xhat: FloatPtr, rstd: FloatPtr, y: FloatPtr,
                        gamma: UnsafePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, n: Int) {
        let inv = 1 / Float(n)
        for r in 0..<rows {
            let xr = x + r * n, hr = xhat + r * n, yr = y + r * n
            var sum: Float = 0
            for j in 0..<n { sum += xr[j] }
            let mean = sum * inv
            var sq: Float = 0
            for j in 0..<n { let d = xr[j] - mean; sq += d * d }
            let rs = 1 / (sq * inv + epsilon).squareRoot()
            rstd[r] = rs
            for j in 0..<n { hr[j] = (xr[j] - mean) * rs }
            if let bias {
                for j in 0..<n { yr[j] = gamma[j] * hr[j] + bias[j] }
            } else {
                for j in 0..<n { yr[j] = gamma[j] * hr[j] }
            }
        }
    }

    /// Backward: `dy` [rows, n] is replaced by dx; dγ accumulates Σ dy ⊙ x̂.
    ///   dx = rstd · (d − mean(d) − x̂ · mean(d ⊙ x̂)),  d = dy ⊙ γ.
    static func backward(dy: FloatPtr, xhat: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                         gamma: UnsafePointer<Float>, dgamma: FloatPtr, rows: Int, n: Int) {
        let inv = 1 / Float(n)
        for r in 0..<rows {
            let dr = dy + r * n, hr = xhat + r * n
            var sumD: Float = 0, sumDH: Float = 0
            for j in 0..<n {
                dgamma[j] += dr[j] * hr[j]
                let d = dr[j] * gamma[j]
                sumD += d
                sumDH += d * hr[j]
            }
            let meanD = sumD * inv, meanDH = sumDH * inv, rs = rstd[r]
            for j in 0..<n { dr[j] = rs * (dr[j] * gamma[j] - meanD - hr[j] * meanDH) }
        }
    }
}
