// Baseline residual: the network learns the difference between the future and a simple baseline
// forecast made from its own input window — naive (the last value, lag 1) or seasonal naive (the
// value one season earlier, lag m) — and the baseline is added back after the output layer:
//   ŷ[s+L+k] = b_k + sd·out_k,   b_k = z[s+L − ℓ + (k mod ℓ)]   (ℓ = lag, z = transformed series)
// With the output layer initialised to zero, an untrained network reproduces the baseline, and
// training can only move away from it where the data supports it (Smyl 2020 and Hewamalage et al.
// 2021 remove level and season before the RNN for the same reason).
//
// The lag is chosen per target on the training part: seasonal naive when the season m > 1 fits in
// the look-back and the first differences are seasonal by the M4 benchmark's test (autocorrelation
// at lag m beyond the 90% bound, Bartlett variance); naive otherwise. In a variant that is not
// deseasonalised and with the window scaler (whose lag-0 anchor is the window's mean), the window's
// mean instead where it forecasts the training part's next K values better than that lag (a level
// the series returns to: stationary series, ACCURACY.md). Where the target also has no season
// (`seasonless`), it is mean-reverting: `fitPipeline` then anchors it at the mean in every `auto`
// variant (the deseasonalised one too), makes the window's mean its plain combination member, and
// leaves it out of the statistical member (Pipeline.meanReverting). When every target is
// mean-reverting and cycles (a significant autocorrelation peak within the look-back), the
// network alone forecasts them, with no baseline at all (Pipeline.cycles).
import Foundation

/// Which baseline a run asks for (`--baseline`).
public enum BaselineChoice: String, Codable, Sendable, CaseIterable {
    /// Seasonal naive where the seasonality test passes, else naive; in a variant that is not
    /// deseasonalised (window scaler), the window's mean where it forecasts the training part better
    /// (and in every `auto` variant for a mean-reverting target, `Pipeline.meanReverting`).
    case auto
    /// No baseline: the network predicts the (scaled) values themselves (alone in the list).
    case none
    /// The window's center (mean with the window scaler): a variant whose head starts at zero
    /// like the others, predicting the window mean until trained.
    case mean
    case naive
    /// Seasonal naive at the season (naive when the series has none or it exceeds the look-back).
    case seasonal
}

/// One ensemble variant as `--baseline` names it: `BASELINE` or `deseasonalise+BASELINE` (the
/// variant's series deseasonalised, where seasonal, before its baseline is chosen).
public struct VariantSpec: Sendable, Equatable, CustomStringConvertible {
    public var baseline: BaselineChoice
    public var deseasonalise: Bool

    public init(_ baseline: BaselineChoice, deseasonalise: Bool = false) {
        self.baseline = baseline; self.deseasonalise = deseasonalise
    }

    /// Parses one list entry; nil for an unknown name (and for `none`, which is no variant).
    public init?(argument: String) {
        let prefix = "deseasonalise+"
        let ds = argument.hasPrefix(prefix)
        guard let b = BaselineChoice(rawValue: ds ? String(argument.dropFirst(prefix.count)) : argument), b != .none else { return nil }
        self.init(b, deseasonalise: ds)
    }

    public var description: String { (deseasonalise ? "deseasonalise+" : "") + baseline.rawValue }
}

public enum Seasonality {
    /// The M4 Theta benchmark's seasonality test on `x` (NaN-free) at period `m`: |r_m| above
    /// 1.645·√((1 + 2·Σ_{k<m} r_k²) / n). Needs at least 3m values, else false.
    public static func test(_ x: [Double], period m: Int) -> Bool {
        passes(statistic(count: x.count, period: m) { x[$0] })
    }

    /// Is channel `c` of the training parts seasonal at `m`? Tested on the first differences (so a
    /// trend alone does not pass) of each part's gap-free values; true when any part passes.
    public static func test(parts: [SeriesMatrix], channel c: Int, period m: Int) -> Bool {
        parts.contains { passes(statistic(part: $0, channel: c, period: m)) }
    }

    /// |r_m| and the bound it is tested against, for channel `c` of `p`: its first differences of
    /// gap-free values, read from the part itself (with gaps: from a copy of its gap-free values, 4
    /// bytes a row). They were three lists of Doubles, 25 MB for a 1.6M-row part.
    static func statistic(part p: SeriesMatrix, channel c: Int, period m: Int) -> (r: Double, bound: Double)? {
        if !(0..<p.steps).contains(where: { p[$0, c].isNaN }) {
            return statistic(count: max(0, p.steps - 1), period: m) { Double(p[$0 + 1, c]) - Double(p[$0, c]) }
        }
        var x = [Float]()
        for t in 0..<p.steps where !p[t, c].isNaN { x.append(p[t, c]) }
        return statistic(count: max(0, x.count - 1), period: m) { Double(x[$0 + 1]) - Double(x[$0]) }
    }

    /// The test's |r_m| and bound on the `n` values `x(0), …, x(n − 1)`, read where they are: the
    /// same sums in the same order as over a list (the centred values are recomputed, not stored).
    /// Nil when there is no verdict (fewer than 3m values, or no variance).
    static func statistic(count n: Int, period m: Int, _ x: (Int) -> Double) -> (r: Double, bound: Double)? {
        guard m > 1, n >= 3 * m else { return nil }
        var total = 0.0
        for i in 0..<n { total = total + x(i) }
        let mean = total / Double(n)
        var v = 0.0
        for i in 0..<n { let c = x(i) - mean; v = v + c * c }
        guard v > 0 else { return nil }
        func r(_ k: Int) -> Double {
            var s = 0.0
            for i in 0..<(n - k) { s = s + (x(i) - mean) * (x(i + k) - mean) }
            return s / v
        }
        var sum = 1.0
        for k in 1..<m { let rk = r(k); sum += 2 * rk * rk }
        return (abs(r(m)), 1.645 * (sum / Double(n)).squareRoot())
    }

    private static func passes(_ s: (r: Double, bound: Double)?) -> Bool { s.map { $0.r > $0.bound } ?? false }
}

extension BaselineChoice {
    /// The baseline lag of each target channel (0: the window mean, 1: naive, m: seasonal naive) for
    /// data whose training parts are `parts` (already transformed, and deseasonalised when
    /// `deseasonalised`), season `m`, look-back `lookback` and horizon `horizon`. `windowMean`: lag 0
    /// anchors at the window's mean (the window scaler's center; the global scalers' is a constant).
    func lags(targets: [Int], parts: [SeriesMatrix], season m: Int, lookback: Int, horizon: Int, deseasonalised: Bool,
              windowMean: Bool) -> [Int] {
        let seasonal = m > 1 && m <= lookback
        return targets.map { c in
            switch self {
            case .none, .mean: return 0
            case .naive: return 1
            case .seasonal: return seasonal ? m : 1
            case .auto:
                let lag = seasonal && Seasonality.test(parts: parts, channel: c, period: m) ? m : 1
                // Measured on the benchmark: the mean anchor in the deseasonalised variant too cost
                // more series than it won (ACCURACY.md, "The window mean as the anchor").
                if deseasonalised || !windowMean { return lag }
                return Self.meanForecastsBetter(than: lag, parts: parts, channel: c, lookback: lookback, horizon: horizon) ? 0 : lag
            }
        }
    }

    /// Has channel `c` of the training parts no season (m = 1, or the seasonality test rejects m,
    /// whatever the look-back)? The second half of the mean-reverting rule (`Pipeline.meanReverting`):
    /// the first, that the window's mean forecasts the next values better than naive, is `auto`'s
    /// lag 0 (`meanForecastsBetter`), so `fitPipeline` asks this only of targets `auto` anchored at
    /// the mean. Naive, seasonal naive and the statistical member all carry the last level forward;
    /// on such a series the benchmark's evidence is that the network at the mean forecasts better
    /// (ACCURACY.md, "Mean-reverting series").
    static func seasonless(parts: [SeriesMatrix], channel c: Int, season m: Int) -> Bool {
        !(m > 1 && Seasonality.test(parts: parts, channel: c, period: m))
    }

    /// Does the window's mean forecast the next `K` values of every gap-free look-back window of the
    /// training parts with a lower total absolute error than lag `lag` (naive or seasonal naive,
    /// from the same window)? Target values that are gaps are left out of both.
    static func meanForecastsBetter(than lag: Int, parts: [SeriesMatrix], channel c: Int, lookback L: Int, horizon K: Int) -> Bool {
        let e = windowErrors(lag: lag, parts: parts, channel: c, lookback: L, horizon: K)
        return e.mean < e.lag
    }

    /// The two total absolute errors `meanForecastsBetter` compares: lag `lag` (repeating its last
    /// `lag` values when K > lag) and the window's mean, over every gap-free look-back window.
    static func windowErrors(lag: Int, parts: [SeriesMatrix], channel c: Int, lookback L: Int, horizon K: Int) -> (lag: Double, mean: Double) {
        precondition(lag >= 1 && lag <= L)
        var errorLag = 0.0, errorMean = 0.0
        for p in parts where p.steps >= L + K {
            windows: for s in 0...(p.steps - L - K) {
                var sum = 0.0
                for t in s..<(s + L) {
                    let v = Double(p[t, c])
                    if v.isNaN { continue windows }
                    sum += v
                }
                let mean = sum / Double(L)
                for k in 0..<K {
                    let y = Double(p[s + L + k, c])
                    if y.isNaN { continue }
                    errorLag += abs(y - Double(p[s + L - lag + k % lag, c])); errorMean += abs(y - mean)
                }
            }
        }
        return (errorLag, errorMean)
    }
}
