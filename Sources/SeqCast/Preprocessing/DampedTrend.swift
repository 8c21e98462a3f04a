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
        guard let (x, reseasonalise) = Theta.adjusted(y, season: m, horizon: horizon) else { return nil }
        let n = x.count
        var best = (sse: Double.infinity, level: x[0], slope: 0.0, phi: 1.0)
        for a in alphas {
            for b in betas where b <= a {
                for phi in phis {
                    var level = x[0], slope = x[1] - x[0], sse = 0.0
                    for t in 1..<n {
                        let f = level + phi * slope, e = x[t] - f
                        sse += e * e; level = f + a * e; slope = phi * slope + b * e
                    }
                    if sse < best.sse { best = (sse, level, slope, phi) }
                }
            }
        }
        guard best.sse.isFinite else { return nil }   // every fit overflowed: Theta alone
        var damping = 0.0, power = 1.0
        return (1...horizon).map { h in
            power *= best.phi; damping += power
            return reseasonalise(h, best.level + damping * best.slope)
        }
    }
}
