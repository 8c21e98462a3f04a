// Theta: the standard Theta method (Assimakopoulos & Nikolopoulos 2000, in the form of Hyndman &
// Billah 2003, the M4 competition's benchmark), the statistical member of the final combination
// (Forecaster.forecast): simple exponential smoothing of the (deseasonalised) history with half the
// history's linear-trend slope as drift, reseasonalised. Fitted afresh on each forecast window's own
// history (the rows before its origin, at most `historyCap`), so it never sees what it forecasts.
//
// Why: the network and Theta err differently (the M4 lesson); on the accuracy benchmark a quarter
// of Theta beside the network's forecast lowered the geometric-mean MASE from 1.267 to 1.226 and
// won on two more series than the network alone (ACCURACY.md, "A Theta member").
import Foundation

/// Theta's part in a pipeline's final combination: its weight, and the season its decomposition
/// tests for (1: none). With `fromValidation`, the weight is chosen after training from the
/// validation windows (`CombinationFit`); until then (a run stopped before every member finished)
/// it is `fallbackWeight`. Stored before auto existed: nil, a fixed weight.
public struct ThetaMember: Codable, Sendable, Equatable {
    public var weight: Float
    public var season: Int
    public var fromValidation: Bool?
    /// An automatic member's damped-trend share ρ: the statistical member is (1 − ρ)·Theta + ρ·damped
    /// trend (`Theta.mixed`), ρ chosen with the weight (0 until then). Nil: Theta alone (a fixed
    /// weight, and models stored before the damped trend existed).
    public var damped: Float?

    /// The weight of an automatic member not yet chosen: the fixed default it replaced.
    public static let fallbackWeight: Float = 0.25

    public init(weight: Float, season: Int, fromValidation: Bool? = nil, damped: Float? = nil) {
        self.weight = weight; self.season = season; self.fromValidation = fromValidation; self.damped = damped
    }

    /// Back to what it is before the weights are chosen (a finished run extended by `--resume`).
    mutating func resetChoice() {
        guard fromValidation == true else { return }
        weight = Self.fallbackWeight
        if damped != nil { damped = 0 }   // a member stored before the damped trend stays Theta alone
    }
}

public enum Theta {
    /// The most recent values a forecast is fitted on: beyond this, SES has forgotten the start
    /// (weight (1 − α)^500 < 0.7% for α ≥ 0.01) and the decomposition reads the last 5 seasons; a
    /// cap keeps a calibration over thousands of windows of a long series cheap. Measured offline on
    /// the accuracy benchmark: the whole history 1.2271, the last 500 values 1.2257 (ACCURACY.md).
    public static let historyCap = 500

    /// The most rows before an origin a forecast reads: `historyCap`, or 6 seasons for a season too
    /// long for that to hold the 3 the seasonality test needs (the last 5 for the indices).
    static func historyLength(season: Int) -> Int { max(historyCap, 6 * season) }

    /// Smoothing parameters tried (0.01, 0.02, …, 0.99): the one with the least in-sample one-step
    /// squared error is used (the first of equals).
    static let alphas = (1...99).map { Double($0) / 100 }

    /// The `horizon` forecasts after `y` (a series' values in time order, position 0 first), or nil
    /// when Theta does not apply: fewer than 3 values, a missing or non-positive one (the
    /// decomposition is multiplicative, and the combination leaves series with zeros alone). With
    /// `season` m > 1 and the M4 seasonality test passing on `y` (at least 3m values), `y` is divided
    /// by the classical multiplicative indices of its last 5 seasons first and the forecasts
    /// multiplied by them after.
    public static func forecast(_ y: [Double], season m: Int, horizon: Int) -> [Double]? {
        adjusted(y, season: m, horizon: horizon).map { forecast(adjusted: $0, horizon: horizon) }
    }

    /// Theta's forecasts from a history already adjusted (`adjusted`).
    static func forecast(adjusted: Adjusted, horizon: Int) -> [Double] {
        let (x, reseasonalise) = adjusted, n = x.count
        // SES: level starts at the first value; α by least one-step squared error.
        var best = (sse: Double.infinity, alpha: 0.5, level: x[0])
        for a in alphas {
            var level = x[0], sse = 0.0
            for t in 1..<n { let e = x[t] - level; sse += e * e; level += a * e }
            if sse < best.sse { best = (sse, a, level) }
        }
        // Drift: half the least-squares slope of x on t.
        let tMean = Double(n - 1) / 2, xMean = x.reduce(0, +) / Double(n)
        var sxy = 0.0, sxx = 0.0
        for t in 0..<n { let d = Double(t) - tMean; sxy += d * (x[t] - xMean); sxx += d * d }
        let slope = sxy / sxx, a = best.alpha
        let tail = 1 / a - pow(1 - a, Double(n)) / a
        return (1...horizon).map { h in reseasonalise(h, best.level + slope / 2 * (Double(h - 1) + tail)) }
    }

    /// What Theta and the damped trend (DampedTrend.swift) fit on: `y` divided by its seasonal
    /// indices when the test passes, and how to put a forecast h steps ahead back into original
    /// units. Nil when neither applies (fewer than 3 values, a missing or non-positive one, no horizon).
    typealias Adjusted = (x: [Double], reseasonalise: (Int, Double) -> Double)
    static func adjusted(_ y: [Double], season m: Int, horizon: Int) -> Adjusted? {
        let n = y.count
        guard n >= 3, horizon > 0, y.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        let indices = m > 1 && Seasonality.test(y, period: m) ? Deseasonaliser.seasonalIndices(count: n, period: m, multiplicative: true) { y[$0] } : nil
        let x = indices.map { s in y.indices.map { y[$0] / Double(s[$0 % m]) } } ?? y
        return (x, { h, f in indices.map { f * Double($0[(n + h - 1) % m]) } ?? f })
    }

    /// The statistical member's forecast: Theta's `theta` and the damped trend's `damped` at share
    /// ρ = `share` (Theta alone where ρ is 0 or the damped trend has no value). `CombinationFit`, the
    /// calibration and the forecast windows all combine with it, bit for bit.
    @inline(__always) static func mixed(_ theta: Float, damped: Float?, share ρ: Float) -> Float {
        guard ρ > 0, let d = damped, d.isFinite else { return theta }
        return (1 - ρ) * theta + ρ * d
    }

    /// Theta's forecasts [K·O] (step-major, as the network's) of the `targets` channels of `history`
    /// after row `origin` — fitted on the rows before it, at most `historyCap` (or 6 seasons, for a
    /// season too long for that to hold the 3 the seasonality test needs), from the last missing
    /// value on — with NaN for a target Theta does not apply to; with `damped`, the damped trend's
    /// too, fitted on the same adjusted history (one seasonality test and decomposition for both;
    /// empty without).
    static func forecasts(_ history: SeriesMatrix, origin: Int, targets: [Int], season: Int, horizon K: Int,
                          damped: Bool = false) -> (theta: [Float], damped: [Float]) {
        let O = targets.count
        var theta = [Float](repeating: .nan, count: K * O), trend = damped ? theta : []
        for (o, c) in targets.enumerated() {
            var start = max(0, origin - historyLength(season: season))
            for t in start..<origin where history[t, c].isNaN { start = t + 1 }
            guard let a = adjusted((start..<origin).map { Double(history[$0, c]) }, season: season, horizon: K) else { continue }
            for (k, v) in forecast(adjusted: a, horizon: K).enumerated() { theta[k * O + o] = Float(v) }
            if damped, let f = DampedTrend.forecast(adjusted: a, horizon: K) {
                for (k, v) in f.enumerated() { trend[k * O + o] = Float(v) }
            }
        }
        return (theta, trend)
    }
}
