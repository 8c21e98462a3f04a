// Intervals: prediction intervals around point forecasts — conformal (from a model's calibration
// residuals, Model/Calibration.swift), Monte-Carlo dropout (draws of the ensemble forecast with
// dropout on), a quantile head's (members pooled as a mixture), and Gaussian ones for the
// seasonal-naive baseline from its own in-sample seasonal residuals (as statsforecast's
// SeasonalNaive: σ_h = σ·√(⌊(h−1)/m⌋ + 1)).
// A band holds, per horizon step, target and level, the lower and upper bound: [K, O, Lv].
// Calibrator.swift computes a model's conformal calibration.
import Foundation

/// Lower and upper bounds of one forecast, each [K, O, Lv] (step, target, level; original units).
public struct Band: Sendable, Equatable {
    public var lower: [Float]
    public var upper: [Float]

    public init(lower: [Float], upper: [Float]) { self.lower = lower; self.upper = upper }

    /// A band of `count` NaN bounds (no interval).
    public static func missing(_ count: Int) -> Band { Band(lower: .init(repeating: .nan, count: count), upper: .init(repeating: .nan, count: count)) }

    /// This band with the lower bounds of the targets that are positive by construction
    /// (`Pipeline.positiveTargets`, O of them) raised to 0 — to the point forecast where that is
    /// below 0 (a damped trend can take it there), so the band still holds it. A symmetric band in
    /// original units reached below 0 for a logged series near its floor; no value it forecasts can.
    public func flooredAtZero(_ forecast: [Float], positive: [Bool]) -> Band {
        guard positive.contains(true), !forecast.isEmpty else { return self }
        let O = positive.count, V = lower.count / forecast.count
        var b = self
        for i in forecast.indices where positive[i % O] {
            let floor = min(0, forecast[i])
            for j in 0..<V where b.lower[i * V + j] < floor { b.lower[i * V + j] = floor }
        }
        return b
    }
}

/// Conformal bands of one model for the levels asked: the calibration's quantiles, computed once.
public struct ConformalBands: Sendable {
    public let levels: [Double]
    let quantiles: [Float]
    let typical: [Float]
    let mode: ConformalScale
    let targets: [Int]

    /// Nil when the settings ask for no intervals or the model has no calibration.
    public init?(_ model: Ensemble, settings: IntervalSettings) {
        guard settings.method == .conformal, !settings.levels.isEmpty, let c = model.calibration, c.count > 0,
              let p = model.manifest.pipeline else { return nil }
        levels = settings.levels; mode = settings.conformalScale; targets = p.targets
        quantiles = c.quantiles(levels: levels, mode: mode)
        typical = c.typicalScales
    }

    /// The band around `forecast` [K·O] of the window whose input rows (original units) are `input`.
    public func band(_ forecast: [Float], input: SeriesMatrix) -> Band {
        let O = targets.count, V = levels.count
        var scale = [Float](repeating: 1, count: O)
        if mode == .window {
            scale = zip(Calibration.windowScale(input, channels: targets), typical).map { $0 > 0 && $0.isFinite ? $0 : $1 }
        }
        var b = Band.missing(forecast.count * V)
        for i in forecast.indices {
            for j in 0..<V {
                let h = quantiles[i * V + j] * scale[i % O]
                b.lower[i * V + j] = forecast[i] - h; b.upper[i * V + j] = forecast[i] + h
            }
        }
        return b
    }
}

public enum Intervals {
    /// Seasonal naive's Gaussian band around `forecast` [K·O]: σ per target (the RMS of its in-sample
    /// seasonal differences, nil when unknown → no bound), widened as σ·√(⌊k/m⌋ + 1) for the k-th
    /// step (0-based) of a season-`m` forecast (m = 1: naive, σ·√(k+1)).
    public static func seasonalNaive(_ forecast: [Float], sigma: [Double?], season m: Int, levels: [Double]) -> Band {
        let O = sigma.count, V = levels.count
        let z = levels.map { normalQuantile(0.5 + $0 / 200) }
        var b = Band.missing(forecast.count * V)
        for i in forecast.indices {
            guard let s = sigma[i % O] else { continue }
            let k = i / O, widen = Double(k / max(m, 1) + 1).squareRoot()
            for j in 0..<V {
                let h = Float(z[j] * s * widen)
                b.lower[i * V + j] = forecast[i] - h; b.upper[i * V + j] = forecast[i] + h
            }
        }
        return b
    }

    /// Monte-Carlo dropout bands of `windows`: `settings.samples` draws of the ensemble forecast
    /// (`Forecaster.forecast` with dropout on; draw d seeded by the model's seed and d, so results
    /// depend on neither the thread count nor the order of the draws), and per value the draws'
    /// empirical quantiles at α/2 and 1 − α/2 (linear interpolation between order statistics), shifted
    /// by the point forecast `point` [K·O] per window minus the draws' median, as the quantile
    /// head's bands are: the point forecast runs without dropout, and with layer normalisation the
    /// draws' centre sits away from it (a 95% band wholly below its own forecast, found 2026-12-02).
    /// Missing for the values of a target the statistical member forecasts alone (dropout does not
    /// reach it; the conformal bands, the default, cover it). `firstChunk`: as `Forecaster.predict`'s,
    /// for windows that continue a list forecast in parts.
    public static func mcDropout(_ model: Ensemble, pipeline: Pipeline, windows: [ForecastWindow], point: [[Float]],
                                 settings: IntervalSettings, threads: Int, firstChunk: Int = 0) -> [Band] {
        let seed = model.manifest.training.seed, levels = settings.levels, V = levels.count
        let draws = (0..<settings.samples).map { d in
            Forecaster.forecast(model, pipeline: pipeline, windows: windows, threads: threads,
                                dropoutSeed: Forecaster.mix(seed ^ 0x4D43_4452_4F50, UInt64(d)), firstChunk: firstChunk)
        }
        let O = pipeline.targets.count
        return windows.indices.map { w in
            let width = draws[0][w].count
            var b = Band.missing(width * V)
            for i in 0..<width {
                // A target the statistical member forecasts alone does not move with dropout: no band
                // (rather than one of zero width) where it applied.
                if pipeline.statisticalOnly(i % O), let t = windows[w].theta.isEmpty ? nil : windows[w].theta[i], t.isFinite { continue }
                let bounds = centredBounds(draws.map { $0[w][i] }.sorted(), point: point[w][i], levels: levels)
                for j in 0..<V { (b.lower[i * V + j], b.upper[i * V + j]) = bounds[j] }
            }
            return b
        }
    }

    /// The draws' (`sorted`) empirical quantiles at α/2 and 1 − α/2 of each level, shifted by `point`
    /// minus their median: a band centred on the point forecast.
    public static func centredBounds(_ sorted: [Float], point: Float, levels: [Double]) -> [(Float, Float)] {
        let shift = point - empiricalQuantile(sorted, 0.5)
        return levels.map { l in
            let alpha = 1 - l / 100
            return (empiricalQuantile(sorted, alpha / 2) + shift, empiricalQuantile(sorted, 1 - alpha / 2) + shift)
        }
    }

    /// Quantile-head bands of `windows` at `levels`: each member's quantiles (sorted: non-crossing)
    /// inverted to original units with its variant's window, the members pooled as an equal-weight
    /// mixture of their piecewise-linear distributions (the mixture's quantile, not the mean of the
    /// members' bounds), and the band shifted by the point forecast `point` [K·O] per window minus
    /// the mixture's median (the point forecast may add seasonal naive at a weight).
    public static func quantile(_ model: Ensemble, pipeline: Pipeline, windows: [ForecastWindow], point: [[Float]],
                                levels: [Double], threads: Int) throws(SettingsError) -> [Band] {
        let taus = model.manifest.model.quantiles, Q = taus.count
        guard Q > 1, let median = taus.firstIndex(of: 0.5) else {
            throw .incompatible("--interval-method quantile needs a model trained with a quantile head (--quantile-levels, e.g. 80,95)")
        }
        var pairs: [(lo: Int, hi: Int)] = []
        for l in levels {
            let a = Float((100 - l) / 200)
            guard let lo = taus.firstIndex(where: { abs($0 - a) < 1e-6 }), let hi = taus.firstIndex(where: { abs($0 - (1 - a)) < 1e-6 }) else {
                throw .incompatible("this model's quantile head was trained for levels \(model.manifest.model.architecture.quantileLevels.map(IntervalSettings.label).joined(separator: ",")); ask for --levels among them")
            }
            pairs.append((lo, hi))
        }
        let v = pipeline.variantCount, KO = pipeline.spec.horizon * pipeline.targets.count, V = levels.count
        // Per member, per window: quantile q of value t at [t·Q + q], original units.
        let members: [[[Float]]] = model.members.enumerated().map { i, m in
            let raw = Forecaster.predict(m.network, inputs: windows.map { $0.x[i % v] }, threads: threads)
            return zip(raw, windows).map { p, w in
                let sorted = Forecaster.sortedQuantiles(p, count: Q)
                let inverted = (0..<Q).map { q in pipeline.invert((0..<KO).map { sorted[$0 * Q + q] }, context: w.contexts[i % v], variant: i % v) }
                return Forecaster.sortedQuantiles((0..<(KO * Q)).map { inverted[$0 % Q][$0 / Q] }, count: Q)
            }
        }
        return windows.indices.map { w in
            var b = Band.missing(KO * V)
            for t in 0..<KO {
                let qs = members.map { Array($0[w][(t * Q)..<(t * Q + Q)]) }
                let shift = point[w][t] - mixtureQuantile(qs, taus: taus, index: median)
                for (j, pair) in pairs.enumerated() {
                    b.lower[t * V + j] = mixtureQuantile(qs, taus: taus, index: pair.lo) + shift
                    b.upper[t * V + j] = mixtureQuantile(qs, taus: taus, index: pair.hi) + shift
                }
            }
            return b
        }
    }

    /// The τ_index-quantile of the equal-weight mixture of distributions given by their quantiles
    /// `qs[m]` at `taus` (ascending; linear between them, no mass outside): the smallest x with
    /// mean_m F_m(x) ≥ τ, by bisection between the members' own τ-quantiles.
    public static func mixtureQuantile(_ qs: [[Float]], taus: [Float], index: Int) -> Float {
        let tau = taus[index]
        var lo = qs.map { $0[index] }.min()!, hi = qs.map { $0[index] }.max()!
        guard hi > lo else { return lo }
        func cdf(_ q: [Float], _ x: Float) -> Float {
            if x < q[0] { return 0 }
            if x >= q[q.count - 1] { return x > q[q.count - 1] ? 1 : taus[q.count - 1] }
            var j = 0
            while q[j + 1] <= x { j += 1 }
            return taus[j] + (taus[j + 1] - taus[j]) * (x - q[j]) / (q[j + 1] - q[j])
        }
        for _ in 0..<60 {
            let mid = lo + (hi - lo) / 2
            if mid <= lo || mid >= hi { break }
            if qs.reduce(Float(0), { $0 + cdf($1, mid) }) / Float(qs.count) >= tau { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// The p-quantile of ascending `sorted` values, interpolating linearly between order statistics
    /// (Hyndman & Fan type 7, numpy's default).
    public static func empiricalQuantile(_ sorted: [Float], _ p: Double) -> Float {
        let h = Double(sorted.count - 1) * p, lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + Float(h - Double(lo)) * (sorted[hi] - sorted[lo])
    }

    /// The standard normal quantile Φ⁻¹(p), p in (0, 1) (Acklam's rational approximation, relative
    /// error below 1.2e-9).
    public static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1)
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                 -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                 -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -normalQuantile(1 - p) }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
