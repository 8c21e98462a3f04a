// DampedTrend: Holt's linear trend with a damped slope (Gardner & McKenzie 1985; one of the M4
// "Comb" benchmark's three members), the second half of the statistical member beside Theta
// (Theta.mixed). It fits the same deseasonalised history Theta does (`Theta.adjusted`), so the two
// apply to the same series and windows; an automatic Theta member weighs them by their errors on
// the validation windows (CombinationFit).
//
// Why: Theta's drift is half the whole history's slope, so it misses a trend that has recently
// turned (wwwusage, the tourist arrivals); the damped trend follows the recent slope and lets it fade.
// On the accuracy benchmark (ACCURACY.md, "A damped trend beside Theta") the statistical member as
// an inverse-MAE mix of the two lowered the geometric-mean MASE from 1.156 to 1.145 (quarterly 1.247
// to 1.190), with one more series beating seasonal naive and one more within 10% of it.
import Foundation

public enum DampedTrend {
    /// The smoothing parameters tried: level α, slope β (at most α), damping φ (1: Holt's undamped
    /// trend). The triple with the least in-sample one-step squared error is used (the first of
    /// equals, α outermost, then β, then φ).
    static let alphas: [Double] = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99]
    static let betas: [Double] = [0.01, 0.05, 0.1, 0.2, 0.3]
    static let phis: [Double] = [0.8, 0.85, 0.9, 0.95, 0.98, 1]

    /// The `horizon` forecasts after `y` (time order), or nil where Theta does not apply either
    /// (`Theta.adjusted`: fewer than 3 values, a missing or non-positive one). Error-correction form,
    /// level ℓ₀ = x₀ and slope b₀ = x₁ − x₀: ŷ = ℓ + φb, e = x − ŷ, ℓ ← ŷ + αe, b ← φb + βe; the
    /// forecast h steps ahead is ℓ + (φ + φ² + … + φʰ)·b, reseasonalised.
    public static func forecast(_ y: [Double], season m: Int, horizon: Int) -> [Double]? {
        Theta.adjusted(y, season: m, horizon: horizon).flatMap { forecast(adjusted: $0, horizon: horizon) }
    }

    /// The damped trend's forecasts from a history already adjusted (`Theta.adjusted`); nil when
    /// every fit overflowed.
    static func forecast(adjusted: Theta.Adjusted, horizon: Int) -> [Double]? {
        let (x, reseasonalise) = adjusted
        let best = fit(x)
        guard best.sse.isFinite else { return nil }   // every fit overflowed: Theta alone
        var damping = 0.0, power = 1.0
        return (1...horizon).map { h in
            power *= best.phi; damping += power
            return reseasonalise(h, best.level + damping * best.slope)
        }
    }

    /// The grid in its order (α outermost, then β ≤ α, then φ), 8 triples to a SIMD group; the last
    /// group is padded with copies of the last triple, never chosen (only the first of equals is).
    static let grid: [(alpha: Double, beta: Double, phi: Double)] = alphas.flatMap { a in
        betas.filter { $0 <= a }.flatMap { b in phis.map { (a, b, $0) } }
    }
    private static let groups: [(alpha: SIMD8<Double>, beta: SIMD8<Double>, phi: SIMD8<Double>)] =
        stride(from: 0, to: grid.count, by: 8).map { start in
            let g = (0..<8).map { grid[min(start + $0, grid.count - 1)] }
            return (SIMD8(g.map { $0.alpha }), SIMD8(g.map { $0.beta }), SIMD8(g.map { $0.phi }))
        }

    /// Every grid triple run over `x` (at least 2 values) at once, 8 to a SIMD lane group: each lane
    /// does the scalar recursion's operations in its order, so each triple's error sum is what a
    /// loop over the triples one by one gives (`DampedTrendTests` checks it bit for bit). The triple
    /// with the least error (the first of equals in grid order), with its final level and slope.
    static func fit(_ x: [Double]) -> (sse: Double, level: Double, slope: Double, phi: Double) {
        let G = groups.count
        var level = [SIMD8<Double>](repeating: SIMD8(repeating: x[0]), count: G)
        var slope = [SIMD8<Double>](repeating: SIMD8(repeating: x[1] - x[0]), count: G)
        var sse = [SIMD8<Double>](repeating: .zero, count: G)
        level.withUnsafeMutableBufferPointer { l in
            slope.withUnsafeMutableBufferPointer { b in
                sse.withUnsafeMutableBufferPointer { s in
                    groups.withUnsafeBufferPointer { p in
                        for t in 1..<x.count {
                            let xt = SIMD8<Double>(repeating: x[t])
                            for g in 0..<G {
                                let f = l[g] + p[g].phi * b[g], e = xt - f
                                s[g] += e * e; l[g] = f + p[g].alpha * e; b[g] = p[g].phi * b[g] + p[g].beta * e
                            }
                        }
                    }
                }
            }
        }
        var best = (sse: Double.infinity, level: x[0], slope: 0.0, phi: 1.0)
        for i in grid.indices where sse[i / 8][i % 8] < best.sse {
            best = (sse[i / 8][i % 8], level[i / 8][i % 8], slope[i / 8][i % 8], grid[i].phi)
        }
        return best
    }
}
