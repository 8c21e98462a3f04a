// Metrics: MAE, RMSE, MAPE, sMAPE and MASE over forecast/actual pairs; and IntervalScore: coverage,
// width, MSIS and pinball loss of prediction intervals.
//
// Rules: MAPE = 100·mean(|e| / |y|) over points with y ≠ 0 (points with a zero actual are left
// out; with none left, MAPE is undefined → nil, written as empty / null, never NaN).
// sMAPE = 100·mean(2|e| / (|y| + |ŷ|)), a point with y = ŷ = 0 counts 0.
// MASE = MAE / scale, scale = in-sample seasonal-naive MAE of the window's training part
// (nil when that scale is 0 or undefined).

/// The five forecast-accuracy metrics; nil where undefined.
public struct Metrics: Codable, Sendable, Equatable {
    public var mae: Double?
    public var rmse: Double?
    public var mape: Double?
    public var smape: Double?
    public var mase: Double?

    public init(mae: Double? = nil, rmse: Double? = nil, mape: Double? = nil, smape: Double? = nil, mase: Double? = nil) {
        self.mae = mae; self.rmse = rmse; self.mape = mape; self.smape = smape; self.mase = mase
    }

    /// Metrics of `forecast` against `actual`, MASE scaled by `scale`. A NaN actual (a filled
    /// missing value: no observation) is left out.
    public static func of(actual: [Float], forecast: [Float], scale: Double?) -> Metrics {
        precondition(actual.count == forecast.count)
        let n = actual.count { !$0.isNaN }
        guard n > 0 else { return Metrics() }
        var abs = 0.0, sq = 0.0, ape = 0.0, apeN = 0, sape = 0.0
        for i in actual.indices where !actual[i].isNaN {
            let y = Double(actual[i]), f = Double(forecast[i]), e = Swift.abs(f - y)
            abs += e; sq += e * e
            if y != 0 { ape += e / Swift.abs(y); apeN += 1 }
            let denom = Swift.abs(y) + Swift.abs(f)
            if denom > 0 { sape += 2 * e / denom }
        }
        let mae = abs / Double(n)
        return Metrics(mae: mae, rmse: (sq / Double(n)).squareRoot(),
                       mape: apeN > 0 ? 100 * ape / Double(apeN) : nil, smape: 100 * sape / Double(n),
                       mase: scale.flatMap { $0 > 0 ? mae / $0 : nil })
    }

    /// The mean of each metric over `all`, ignoring nils (nil when all are nil).
    public static func mean(_ all: [Metrics]) -> Metrics {
        func avg(_ k: KeyPath<Metrics, Double?>) -> Double? {
            let v = all.compactMap { $0[keyPath: k] }
            return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
        }
        return Metrics(mae: avg(\.mae), rmse: avg(\.rmse), mape: avg(\.mape), smape: avg(\.smape), mase: avg(\.mase))
    }
}

/// Interval accuracy at levels (percent), each per level: empirical coverage (the fraction of
/// actuals inside [lower, upper]), mean width, and MSIS — the M4 mean scaled interval score
/// mean((U − L) + (2/α)(L − y)·[y < L] + (2/α)(y − U)·[y > U]) / scale, α = 1 − level/100, scaled
/// like MASE; and the mean pinball loss over the 2·levels quantiles the bounds are (α/2 and 1 − α/2),
/// in original units. Points without bounds or without an actual (NaN) are left out; nil where undefined.
public struct IntervalScore: Codable, Sendable, Equatable {
    public var coverage: [Double?]
    public var width: [Double?]
    public var msis: [Double?]
    public var pinball: Double?

    public init(levels: Int) {
        coverage = .init(repeating: nil, count: levels); width = coverage; msis = coverage
    }

    /// The score of bounds `lower`/`upper` ([n, Lv]) around `actual` ([n]), MSIS scaled by `scale`.
    public static func of(actual: [Float], lower: [Float], upper: [Float], levels: [Double], scale: Double?) -> IntervalScore {
        let V = levels.count
        var s = IntervalScore(levels: V)
        var pin = 0.0, pinN = 0
        for j in 0..<V {
            let alpha = 1 - levels[j] / 100
            var inside = 0, n = 0, width = 0.0, score = 0.0
            for i in actual.indices {
                let y = Double(actual[i]), lo = Double(lower[i * V + j]), hi = Double(upper[i * V + j])
                guard y.isFinite, lo.isFinite, hi.isFinite else { continue }
                n += 1; width += hi - lo
                if y >= lo && y <= hi { inside += 1 }
                score += (hi - lo) + (y < lo ? 2 / alpha * (lo - y) : 0) + (y > hi ? 2 / alpha * (y - hi) : 0)
                for (tau, q) in [(alpha / 2, lo), (1 - alpha / 2, hi)] { pin += max(tau * (y - q), (tau - 1) * (y - q)); pinN += 1 }
            }
            guard n > 0 else { continue }
            s.coverage[j] = Double(inside) / Double(n); s.width[j] = width / Double(n)
            s.msis[j] = scale.flatMap { $0 > 0 ? score / Double(n) / $0 : nil }
        }
        s.pinball = pinN > 0 ? pin / Double(pinN) : nil
        return s
    }

    /// The mean of each value over `all` (of the same levels), ignoring nils.
    public static func mean(_ all: [IntervalScore], levels: Int) -> IntervalScore {
        func avg(_ v: [Double?]) -> Double? {
            let x = v.compactMap { $0 }
            return x.isEmpty ? nil : x.reduce(0, +) / Double(x.count)
        }
        var s = IntervalScore(levels: levels)
        for j in 0..<levels {
            s.coverage[j] = avg(all.map { $0.coverage[j] }); s.width[j] = avg(all.map { $0.width[j] })
            s.msis[j] = avg(all.map { $0.msis[j] })
        }
        s.pinball = avg(all.map(\.pinball))
        return s
    }
}
