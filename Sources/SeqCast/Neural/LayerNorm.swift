// LayerNorm: row-wise layer normalization (Ba, Kiros & Hinton 2016) used inside the recurrent
// cells, forward and backward side by side. Statistics per row (= per time step and instance),
// identical in training and inference. The additive shift β is folded into the cell's bias.

typealias FloatPtr = UnsafeMutablePointer<Float>

/// Σ f(j) for j in 0..<n with 16 independent partial sums. Float addition is not associative, so
/// the compiler will not vectorise a plain running sum; this fixed order is (and stays
/// deterministic). Measured: layer norm cost on M1-lstm went from +45% to the figure in BENCHMARKS.md.
@inline(__always)
func simdSum(_ n: Int, _ f: (Int) -> SIMD16<Float>, tail: (Int) -> Float) -> Float {
    var acc = SIMD16<Float>(repeating: 0)
    var j = 0
    while j + 16 <= n { acc += f(j); j += 16 }
    var total = acc.sum()
    while j < n { total += tail(j); j += 1 }
    return total
}

@inline(__always)
func load16(_ p: UnsafePointer<Float>, _ j: Int) -> SIMD16<Float> {
    UnsafeRawPointer(p + j).loadUnaligned(as: SIMD16<Float>.self)
}

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
            let mean = simdSum(n, { load16(xr, $0) }, tail: { xr[$0] }) * inv
            let m16 = SIMD16<Float>(repeating: mean)
            let sq = simdSum(n, { let d = load16(xr, $0) - m16; return d * d }, tail: { (xr[$0] - mean) * (xr[$0] - mean) })
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
            for j in 0..<n { dgamma[j] += dr[j] * hr[j] }
            let sumD = simdSum(n, { load16(dr, $0) * load16(gamma, $0) }, tail: { dr[$0] * gamma[$0] })
            let sumDH = simdSum(n, { load16(dr, $0) * load16(gamma, $0) * load16(hr, $0) },
                                tail: { dr[$0] * gamma[$0] * hr[$0] })
            let meanD = sumD * inv, meanDH = sumDH * inv, rs = rstd[r]
            for j in 0..<n { dr[j] = rs * (dr[j] * gamma[j] - meanD - hr[j] * meanDH) }
        }
    }
}
