// IntervalSettings: which prediction intervals `forecast` and `backtest` give — the levels (in
// percent), the method, how conformal residuals are scaled, and the Monte-Carlo dropout draws —
// with their defaults and checks.
// Chosen at forecast time (not stored with a model); a method that needs training stores what it
// learned with the model (conformal: its calibration residuals, Model/Calibration.swift).

/// How prediction intervals are made.
public enum IntervalMethod: String, CaseIterable, Codable, Sendable {
    /// Split conformal: the model's own forecasts of its validation windows give absolute residuals
    /// per horizon step and target; an interval is ± their finite-sample-corrected quantile.
    case conformal
    /// Monte-Carlo dropout (Gal & Ghahramani 2016): `samples` forecasts with the model's dropout and
    /// recurrent dropout left on at inference, each member drawing its own masks and the members
    /// combined per draw as the point forecast combines them; bounds are the draws' empirical
    /// quantiles. Zero width for a model trained without dropout.
    case mcDropout = "mc-dropout"
    /// A quantile head (`--quantile-levels` at training, pinball loss; MQ-RNN, Wen et al. 2017):
    /// its α/2 and 1 − α/2 quantiles, sorted (non-crossing), members pooled as a mixture.
    case quantile
    /// No intervals (point forecasts only).
    case none
}

/// What a conformal residual is measured in.
public enum ConformalScale: String, CaseIterable, Codable, Sendable {
    /// Original units: ŷ ± q, q the quantile of |y − ŷ|.
    case none
    /// Relative to the window's scale s (mean |Δy| over its input rows, original units):
    /// ŷ ± q·s, q the quantile of |y − ŷ| / s. Adapts to the level of each series and window.
    case window
}

public struct IntervalSettings: Codable, Sendable, Equatable {
    /// Coverage levels in percent, e.g. [80, 95].
    public var levels: [Double] = [80, 95]
    public var method = IntervalMethod.conformal
    public var conformalScale = ConformalScale.window
    /// Monte-Carlo dropout draws.
    public var samples = 100

    public init() {}

    /// The levels in effect: none without a method.
    public var activeLevels: [Double] { method == .none ? [] : levels }

    public func validate() throws(SettingsError) {
        for l in levels where !(l >= 1 && l < 100) {
            throw .outOfRange("--levels are percentages in [1, 100), got \(IntervalSettings.label(l))\(l > 0 && l < 1 ? " (for a level of \(IntervalSettings.label(l * 100))% write \(IntervalSettings.label(l * 100)))" : "")")
        }
        if Set(levels).count != levels.count { throw .outOfRange("--levels lists a level twice: \(levels.map(IntervalSettings.label).joined(separator: ","))") }
        if samples < 2 { throw .outOfRange("--samples must be at least 2, got \(samples)") }
        if method != .none && levels.isEmpty { throw .outOfRange("--levels needs at least one level (or --interval-method none)") }
    }

    /// Parses "80,95" (sorted ascending); a word that is not a number is an error naming it.
    public static func parseLevels(_ s: String) throws(SettingsError) -> [Double] {
        var out: [Double] = []
        for word in s.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
            guard let v = Double(word), v.isFinite else { throw .outOfRange("--levels takes numbers such as 80,95, got '\(word)'") }
            out.append(v)
        }
        return out.sorted()
    }

    /// A level as columns and attributes name it: "80", "99.5".
    public static func label(_ level: Double) -> String {
        level == level.rounded() && abs(level) < 1e9 ? String(Int(level)) : "\(level)"
    }
}
