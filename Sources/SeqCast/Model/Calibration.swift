// Calibration: what split-conformal intervals learn from a trained model — the absolute residuals of
// its (ensemble) forecasts of calibration windows, per horizon step and target, with each window's
// scale — and the finite-sample-corrected quantiles that turn them into interval half-widths.
// Computed by Forecasting/Calibrator.swift (at most `maximumWindows` of them), stored in model.h5 by
// ModelFile.swift.
//
// Split conformal (Vovk et al. 2005; Angelopoulos & Bates 2021): with n exchangeable calibration
// scores r₁…rₙ, the ⌈(n+1)·p⌉-th smallest is a bound that a new score stays under with probability
// at least p; per horizon step k and target o, r = |y − ŷ| (original units) or |y − ŷ| / s (the
// window's scale s, `ConformalScale.window`), and the interval is ŷ ± q (or ŷ ± q·s).
import Foundation

/// Conformal calibration residuals of one model. Shapes: N windows, K horizon, O targets.
public struct Calibration: Sendable, Equatable {
    public var horizon: Int, targets: Int
    /// |y − ŷ| in original units, [N, K, O].
    public var residuals: [Float]
    /// Each window's scale per target (`windowScale`), [N, O].
    public var scales: [Float]
    /// How many of the N windows are training windows (in-sample: added, most recent first, when
    /// the validation windows were fewer than `Calibration.minimumWindows`).
    public var inSample: Int

    public init(horizon: Int, targets: Int, residuals: [Float], scales: [Float], inSample: Int) {
        precondition(residuals.count == scales.count * horizon && scales.count % max(targets, 1) == 0)
        self.horizon = horizon; self.targets = targets; self.residuals = residuals; self.scales = scales
        self.inSample = inSample
    }

    /// Calibration windows.
    public var count: Int { targets == 0 ? 0 : scales.count / targets }

    /// Windows wanted before the 95% quantile is finite (⌈(n+1)·0.95⌉ ≤ n needs n ≥ 19).
    public static let minimumWindows = 40

    /// The most calibration windows `ValidationForecasts` forecasts (beyond it, an evenly spaced
    /// subset of the validation windows). Over draws of n exchangeable scores, the coverage of their
    /// ⌈(n+1)·p⌉-th smallest is Beta-distributed with sd ≈ √(p(1−p)/n): for n = 20 000, 0.15 points
    /// at p = 0.95 and 0.28 at p = 0.8 (overlapping windows of one series are correlated, so more of
    /// them would add less still). The residuals [N, K, O] stay small: 5.5 MiB for K = 24, O = 3,
    /// where the 399 977 validation windows of a 2M-row series held 110 MiB, all stored in model.h5.
    public static let maximumWindows = 20_000

    /// A window's scale per target channel of `rows` (its input rows, original units): the mean
    /// absolute one-step change, ignoring gaps; 0 when it cannot be measured.
    public static func windowScale(_ rows: SeriesMatrix, channels: [Int]) -> [Float] {
        channels.map { c in
            var sum = 0.0, n = 0
            for t in 1..<max(rows.steps, 1) {
                let d = Double(rows[t, c]) - Double(rows[t - 1, c])
                if d.isFinite { sum += abs(d); n += 1 }
            }
            return n > 0 ? Float(sum / Double(n)) : 0
        }
    }

    /// The levels (percent) whose conformal quantile `count` windows cannot give, ⌈(n+1)·p⌉ > n:
    /// their bands are the largest residual, and may cover less than asked.
    public func unsupportedLevels(_ levels: [Double]) -> [Double] {
        levels.filter { Int((Double(count + 1) * $0 / 100).rounded(.up)) > count }
    }

    /// The sentence a forecast or backtest prints for `unsupportedLevels` (nil when there are none).
    public static func unsupportedNote(_ levels: [Double], windows n: Int) -> String? {
        guard let top = levels.max() else { return nil }
        func pct(_ p: Double) -> String { p == p.rounded() ? "\(Int(p))%" : "\(p)%" }
        let needed = Int((top / (100 - top) - 1e-9).rounded(.up))
        return "\(n) calibration windows: the \(levels.map(pct).joined(separator: ", ")) band\(levels.count == 1 ? " is" : "s are") the largest residual seen and may cover less than asked (\(pct(top)) needs at least \(needed) windows)"
    }

    /// The conformal quantile of `scores` at coverage p: the ⌈(n+1)·p⌉-th smallest; when that
    /// exceeds n (too few scores for p), the largest — then the guarantee does not hold, so
    /// `Calibration.minimumWindows` keeps n large enough for the usual levels. nil for no scores.
    public static func conformalQuantile(_ scores: [Float], coverage p: Double) -> Float? {
        let s = scores.filter(\.isFinite).sorted()
        guard !s.isEmpty else { return nil }
        let rank = Int((Double(s.count + 1) * p).rounded(.up))
        return s[min(max(rank, 1), s.count) - 1]
    }

    /// The quantiles per step, target and level, [K, O, Lv] (levels in percent), of the residuals
    /// measured as `mode` says.
    public func quantiles(levels: [Double], mode: ConformalScale) -> [Float] {
        let K = horizon, O = targets, n = count
        var out = [Float](repeating: 0, count: K * O * levels.count)
        for k in 0..<K {
            for o in 0..<O {
                var scores: [Float] = []
                scores.reserveCapacity(n)
                for w in 0..<n {
                    let r = residuals[(w * K + k) * O + o], s = scales[w * O + o]
                    switch mode {
                    case .none: scores.append(r)
                    case .window: if s > 0 { scores.append(r / s) }
                    }
                }
                // No calibration window had a scale (every look-back flat: a constant series). A
                // forecast window then takes the typical scale, 1 (`ConformalBands.band`), so the
                // residuals are the scores as they are, not no scores (NaN bounds).
                if mode == .window && scores.isEmpty {
                    for w in 0..<n { scores.append(residuals[(w * K + k) * O + o]) }
                }
                for (j, level) in levels.enumerated() {
                    out[(k * O + o) * levels.count + j] = Calibration.conformalQuantile(scores, coverage: level / 100) ?? .nan
                }
            }
        }
        return out
    }

    /// The scale a window with no measurable scale of its own uses: the median of the calibration
    /// windows' positive scales, per target (1 when there are none).
    public var typicalScales: [Float] {
        (0..<targets).map { o in
            let s = (0..<count).map { scales[$0 * targets + o] }.filter { $0 > 0 && $0.isFinite }.sorted()
            return s.isEmpty ? 1 : s[s.count / 2]
        }
    }
}
