// LayerNorm: row-wise layer normalization (Ba, Kiros & Hinton 2016) used inside the recurrent
// cells, forward and backward side by side. Statistics per row (= per time step and instance),
// identical in training and inference. The additive shift β is folded into the cell's bias.

enum LayerNorm {
    static let epsilon: Float = 1e-5

    /// Forward over `rows` rows of width `n`:
    ///   x̂ = (x − mean) · rstd,  rstd = 1/√(var + ε),  y = γ ⊙ x̂ + bias.
    /// Stores x̂ [rows, n] and rstd [rows] for the backward pass. `y` may alias `x`; with
    /// `accumulate`, y += γ ⊙ x̂ + bias instead (then `y` must not alias `x`).
    /// Two passes per row: shifted sums for mean and variance, then x̂ and y.
    static func forward(x: FloatPtr, xhat: FloatPtr, rstd: FloatPtr, y: FloatPtr,
                        gamma: UnsafePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, n: Int,
                        accumulate: Bool = false) {
        let inv = 1 / Float(n)
        for r in 0..<rows {
            let xr = x + r * n, hr = xhat + r * n, yr = y + r * n
            // One pass of shifted sums (shift = the row's first value, so no cancellation unless the
            // spread is tiny against |mean − x₀|): mean = x₀ + S₁/n, var = S₂/n − (S₁/n)².
            let x0 = xr[0], k16 = SIMD16<Float>(repeating: x0)
            var s1a = SIMD16<Float>(repeating: 0), s1b = s1a, s2a = s1a, s2b = s1a
            var j = 0
            while j + 32 <= n {
                let d0 = load16(xr, j) - k16, d1 = load16(xr, j + 16) - k16
                s1a += d0; s2a += d0 * d0; s1b += d1; s2b += d1 * d1
                j += 32
            }
            if j + 16 <= n { let d = load16(xr, j) - k16; s1a += d; s2a += d * d; j += 16 }
            var s1 = hsum(s1a + s1b), s2 = hsum(s2a + s2b)
            while j < n { let d = xr[j] - x0; s1 += d; s2 += d * d; j += 1 }
            let shift = s1 * inv, mean = x0 + shift
            let m16 = SIMD16<Float>(repeating: mean)
            let rs = 1 / (max(0, s2 * inv - shift * shift) + epsilon).squareRoot()
            rstd[r] = rs
            let rs16 = SIMD16<Float>(repeating: rs)
            j = 0
            if accumulate {
                // (bias: LSTM/RNN fold β into bx, so the accumulating call never has one.)
                while j + 16 <= n {
                    let h = (load16(xr, j) - m16) * rs16
                    store16(h, hr, j)
                    store16(load16(yr, j) + load16(gamma, j) * h + (bias.map { load16($0, j) } ?? .zero), yr, j)
                    j += 16
                }
                while j < n { let h = (xr[j] - mean) * rs; hr[j] = h; yr[j] += gamma[j] * h + (bias?[j] ?? 0); j += 1 }
            } else if let bias {
                while j + 16 <= n {
                    let h = (load16(xr, j) - m16) * rs16
                    store16(h, hr, j)
                    store16(load16(gamma, j) * h + load16(bias, j), yr, j)
                    j += 16
                }
                while j < n { let h = (xr[j] - mean) * rs; hr[j] = h; yr[j] = gamma[j] * h + bias[j]; j += 1 }
            } else {
                while j + 16 <= n {
                    let h = (load16(xr, j) - m16) * rs16
                    store16(h, hr, j)
                    store16(load16(gamma, j) * h, yr, j)
                    j += 16
                }
                while j < n { let h = (xr[j] - mean) * rs; hr[j] = h; yr[j] = gamma[j] * h; j += 1 }
            }
        }
    }

    /// Backward: dx from dy (`dx` may alias `dy`); dγ accumulates Σ dy ⊙ x̂.
    ///   dx = rstd · (d − mean(d) − x̂ · mean(d ⊙ x̂)),  d = dy ⊙ γ.
    /// Two passes per row: dγ and both sums together, then dx.
    static func backward(dy: UnsafePointer<Float>, dx: FloatPtr, xhat: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                         gamma: UnsafePointer<Float>, dgamma: FloatPtr, rows: Int, n: Int) {
        let inv = 1 / Float(n)
        for r in 0..<rows {
            let dr = dy + r * n, hr = xhat + r * n, xr = dx + r * n
            var accD = SIMD16<Float>(repeating: 0), accDH = SIMD16<Float>(repeating: 0)
            var j = 0
            while j + 16 <= n {
                let g = load16(dr, j), h = load16(hr, j), d = g * load16(gamma, j)
                store16(load16(dgamma, j) + g * h, dgamma, j)
                accD += d
                accDH += d * h
                j += 16
            }
            var sumD = hsum(accD), sumDH = hsum(accDH)
            while j < n {
                let d = dr[j] * gamma[j]
                dgamma[j] += dr[j] * hr[j]
                sumD += d; sumDH += d * hr[j]
                j += 1
            }
            let meanD = sumD * inv, meanDH = sumDH * inv, rs = rstd[r]
            let mD = SIMD16<Float>(repeating: meanD), mDH = SIMD16<Float>(repeating: meanDH)
            let rs16 = SIMD16<Float>(repeating: rs)
            j = 0
            while j + 16 <= n {
                store16(rs16 * (load16(dr, j) * load16(gamma, j) - mD - load16(hr, j) * mDH), xr, j)
                j += 16
            }
            while j < n { xr[j] = rs * (dr[j] * gamma[j] - meanD - hr[j] * meanDH); j += 1 }
        }
    }

    /// In-place backward: `dy` is replaced by dx.
    @inline(__always)
    static func backward(dy: FloatPtr, xhat: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                         gamma: UnsafePointer<Float>, dgamma: FloatPtr, rows: Int, n: Int) {
        backward(dy: UnsafePointer(dy), dx: dy, xhat: xhat, rstd: rstd, gamma: gamma, dgamma: dgamma, rows: rows, n: n)
    }
}
