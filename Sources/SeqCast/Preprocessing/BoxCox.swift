// BoxCox: the Box–Cox power transform with λ chosen per channel on the training part by Guerrero's
// method (1993; as R's forecast::BoxCox.lambda does it): the λ that makes the ratio
// sd / mean^(1−λ) of consecutive seasons (subseries of length max(m, 2)) most nearly constant.
//   y' = (y^λ − 1) / λ   (λ ≠ 0),   y' = ln y   (λ = 0);   inverse y = (λ·y' + 1)^(1/λ)
// λ = 0 is the log transform and λ = 1 a shift, so it generalises `log` for strictly positive series.
import Foundation

public struct BoxCoxTransform: SeriesTransformStep {
    public static let name = "boxcox"
    /// Per channel: λ, or nil when the channel is left as it is.
    public var lambdas: [Float?]

    public init(lambdas: [Float?]) { self.lambdas = lambdas }

    /// The grid Guerrero's criterion is minimised over (R searches [−1, 2] too).
    static let grid: [Double] = (0...300).map { -1 + Double($0) / 100 }

    /// Fits λ for each target whose values in every row given to training are all > 0; when
    /// `required`, a target that is not is an error naming it. Nil when no channel qualifies.
    public static func fit(_ f: TransformFit) throws -> BoxCoxTransform? {
        var lambdas = [Float?](repeating: nil, count: f.channels)
        let parts = f.targets.isEmpty ? [] : f.parts
        for c in f.targets {
            var lowest = Float.infinity
            for m in f.rows { for t in 0..<m.steps where !m[t, c].isNaN { lowest = min(lowest, m[t, c]) } }
            guard lowest > 0 && lowest.isFinite else {
                if f.required {
                    throw SettingsError.incompatible("--transform boxcox needs strictly positive values, but column '\(f.names[c])' has \(lowest) in the training data; use --transform none")
                }
                continue
            }
            lambdas[c] = Float(guerrero(parts.map { s in (0..<s.matrix.steps).map { Double(s.matrix[$0, c]) } },
                                        period: max(f.season, 2)))
        }
        return lambdas.contains { $0 != nil } ? BoxCoxTransform(lambdas: lambdas) : nil
    }

    /// Guerrero's λ over the whole seasons at the end of each series (pooled across series); 1 (no
    /// change of shape) when fewer than two seasons have a positive mean and a spread.
    public static func guerrero(_ series: [[Double]], period: Int) -> Double {
        var stats: [(mean: Double, sd: Double)] = []
        for x in series {
            let v = x.filter { !$0.isNaN }, seasons = v.count / period
            guard seasons >= 1 else { continue }
            for k in 0..<seasons {
                let part = v[(v.count - (seasons - k) * period)..<(v.count - (seasons - k - 1) * period)]
                let mean = part.reduce(0, +) / Double(period)
                let sd = (part.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(period - 1)).squareRoot()
                if mean > 0 && sd > 0 { stats.append((mean, sd)) }
            }
        }
        guard stats.count >= 2 else { return 1 }
        func cv(_ lambda: Double) -> Double {
            let r = stats.map { $0.sd / Foundation.pow($0.mean, 1 - lambda) }
            let mean = r.reduce(0, +) / Double(r.count)
            let sd = (r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(r.count - 1)).squareRoot()
            return sd / mean
        }
        var best = (lambda: 1.0, cv: Double.infinity)
        for l in grid { let v = cv(l); if v < best.cv { best = (l, v) } }
        return best.lambda
    }

    public func summary(names: [String], targets: [Int]) -> String {
        "Box-Cox " + targets.compactMap { c in lambdas[c].map { "λ \(String(format: "%.2f", $0))" + (targets.count > 1 ? " (\(names[c]))" : "") } }
            .joined(separator: ", ")
    }

    public func apply(_ v: Float, channel c: Int, at p: RowPosition) -> Float {
        guard let l = lambdas[c] else { return v }
        let x = Double(v), lam = Double(l)
        return Float(lam == 0 ? Foundation.log(x) : (Foundation.pow(x, lam) - 1) / lam)
    }

    /// The inverse; a value beyond the transform's range (λ·y' + 1 ≤ 0, a forecast far below anything
    /// seen) maps to the smallest positive value rather than to NaN or infinity.
    public func invert(_ v: Float, channel c: Int, at p: RowPosition) -> Float {
        guard let l = lambdas[c], !v.isNaN else { return v }
        let y = Double(v), lam = Double(l)
        if lam == 0 { return Float(Foundation.exp(y)) }
        let base = max(lam * y + 1, 1e-12)
        return Float(Foundation.pow(base, 1 / lam))
    }

    public func keepsPositive(channel c: Int) -> Bool { lambdas[c] != nil }
}
