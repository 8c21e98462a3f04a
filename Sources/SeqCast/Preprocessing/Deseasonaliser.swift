// Deseasonaliser: removes a fixed seasonal profile estimated by classical decomposition on the
// training part, and adds it back to forecasts (Hewamalage et al. 2021, Smyl 2020: the network then
// models level and residual dynamics only; after a log transform the profile is multiplicative).
//
//   trend_t   = centred moving average of order m (2×m for even m)
//   index[p]  = mean over t ≡ p (mod m) of (x_t − trend_t) in the last 5 seasons, centred to sum 0
//   apply: x_t − index[t mod m],  invert: x_t + index[t mod m]      (t: row from the series' start)
//
// Fitted per series and per target channel, and only where the M4 seasonality test passes (or
// when asked for explicitly). The first time label of each series is kept so a forecast on data
// that starts elsewhere can find the phase (Forecaster).

/// Additive seasonal indices per series and channel.
public struct Deseasonaliser: SeriesTransformStep {
    public static let name = "deseasonalise"
    public var period: Int
    /// Per series id, per channel: `period` indices (phase = row mod period), empty for a channel left as is.
    public var indices: [String: [[Float]]]
    /// Per series id: the time label of row 0 (when the data had a time column).
    public var firstLabels: [String: String]

    /// Fits on the training parts at the season's period; nil when no series/channel is adjusted
    /// (an error when `required`: deseasonalisation was asked for by name).
    public static func fit(_ f: TransformFit) throws -> Deseasonaliser? {
        let d = fit(parts: f.parts, channels: f.channels, targets: f.targets, period: f.season, automatic: !f.required)
        if d == nil && f.required {
            throw SettingsError.incompatible("deseasonalisation needs a season > 1 and at least two seasons of training data (season \(f.season))")
        }
        return d
    }

    public func summary(names: [String], targets: [Int]) -> String { "deseasonalised (period \(period))" }

    /// Fits on the training parts; nil when no series/channel is adjusted. With `automatic`, a channel
    /// is adjusted only when its first differences pass the seasonality test.
    public static func fit(parts: [Series], channels: Int, targets: [Int], period m: Int,
                           automatic: Bool) -> Deseasonaliser? {
        guard m > 1 else { return nil }
        var all: [String: [[Float]]] = [:], labels: [String: String] = [:]
        for s in parts {
            var perChannel = [[Float]](repeating: [], count: channels)
            for c in targets {
                if automatic && !Seasonality.test(parts: [s.matrix], channel: c, period: m) { continue }
                perChannel[c] = seasonalIndices(count: s.length, period: m) { Double(s.matrix[$0, c]) } ?? []
            }
            all[s.id] = perChannel   // every series, so an unknown one can be told from an unadjusted one
            if let first = s.time.first { labels[s.id] = first }
        }
        guard all.values.contains(where: { $0.contains { !$0.isEmpty } }) else { return nil }
        return Deseasonaliser(period: m, indices: all, firstLabels: labels)
    }

    /// The key of series `id`: itself, or the only series of a model trained on one series (whose id
    /// is its file's name, which a forecast's file need not share). Nil for a series the model has
    /// never seen.
    public func key(_ id: String) -> String? {
        indices[id] != nil ? id : indices.count == 1 ? indices.keys.first : nil
    }

    /// Seasons (the most recent) the indices are averaged over, so a profile that changes over the
    /// years is followed. Measured on the accuracy benchmark (35 series, ACCURACY.md): all seasons
    /// 1.419, the last 5 1.373, the last 3 1.389 (geometric-mean MASE).
    static let recentSeasons = 5

    /// Classical decomposition's centred seasonal indices of the last `recentSeasons` seasons of the
    /// `n` values `x(0), …, x(n − 1)` (NaN = gap), read where they are (a training part's channel
    /// was copied whole, 12 MB for 1.6M rows); nil when some phase has no detrended value (fewer than
    /// about two seasons). Additive (x − trend, centred to sum 0), or `multiplicative` (x / trend,
    /// scaled to mean 1: Theta's).
    static func seasonalIndices(count n: Int, period m: Int, multiplicative: Bool = false, _ x: (Int) -> Double) -> [Float]? {
        let half = m / 2
        guard n > m + 1 else { return nil }
        var sum = [Double](repeating: 0, count: m), count = [Double](repeating: 0, count: m)
        for t in max(half, n - half - recentSeasons * m)..<(n - half) {
            var trend = 0.0
            if m % 2 == 1 {
                for j in (t - half)...(t + half) { trend += x(j) }
                trend /= Double(m)
            } else {
                trend = 0.5 * (x(t - half) + x(t + half))
                for j in (t - half + 1)..<(t + half) { trend += x(j) }
                trend /= Double(m)
            }
            let d = multiplicative ? x(t) / trend : x(t) - trend
            if d.isNaN { continue }
            sum[t % m] += d; count[t % m] += 1
        }
        guard count.allSatisfy({ $0 > 0 }) else { return nil }
        let raw = (0..<m).map { sum[$0] / count[$0] }
        let mean = raw.reduce(0, +) / Double(m)
        return raw.map { Float(multiplicative ? $0 / mean : $0 - mean) }
    }

    @inline(__always) private func index(_ c: Int, _ p: RowPosition) -> Float {
        guard let k = key(p.series), let perChannel = indices[k], !perChannel[c].isEmpty else { return 0 }
        return perChannel[c][((p.row % period) + period) % period]
    }

    public func apply(_ v: Float, channel c: Int, at p: RowPosition) -> Float { v - index(c, p) }

    /// `apply` on rows of one series, the series' indices looked up once: the same subtraction of
    /// the same index (0 for a channel left as is) from each value.
    public func apply(rows values: UnsafeMutableBufferPointer<Float>, channels n: Int, series: String, firstRow: Int) {
        guard n > 0 else { return }
        let perChannel = key(series).flatMap { indices[$0] }
        for t in 0..<(values.count / n) {
            let phase = (((firstRow + t) % period) + period) % period
            for c in 0..<n {
                let index: Float = perChannel.map { $0[c].isEmpty ? 0 : $0[c][phase] } ?? 0
                values[t * n + c] = values[t * n + c] - index
            }
        }
    }
    public func invert(_ v: Float, channel c: Int, at p: RowPosition) -> Float { v + index(c, p) }
}
