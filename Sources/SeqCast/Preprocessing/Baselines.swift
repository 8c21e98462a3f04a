// Baselines: naive (last value), seasonal-naive and window-mean forecasts, computed from the data before an origin.

public enum Baselines {
    /// ŷ[o+k] = y[o−1] for k = 0..<K, per channel `c` of `m`.
    public static func naive(_ m: SeriesMatrix, channel c: Int, origin o: Int, horizon k: Int) -> [Float] {
        [Float](repeating: m[o - 1, c], count: k)
    }

    /// ŷ[o+k] = y[o − season + (k mod season)]; falls back to naive when fewer than `season` steps precede o.
    public static func seasonalNaive(_ m: SeriesMatrix, channel c: Int, origin o: Int, horizon k: Int, season: Int) -> [Float] {
        guard season > 1, o >= season else { return naive(m, channel: c, origin: o, horizon: k) }
        return (0..<k).map { m[o - season + $0 % season, c] }
    }

    /// The mean of channel `c` over every row of `m` (a look-back window): the plain member of a
    /// mean-reverting target (`Pipeline.meanReverting`), in the units of `m`.
    public static func mean(_ m: SeriesMatrix, channel c: Int) -> Float {
        var s = 0.0
        for t in 0..<m.steps { s += Double(m[t, c]) }
        return Float(s / Double(max(1, m.steps)))
    }

    /// Mean |y_t − y_{t−season}| over rows `range` (the MASE scale of a training part), ignoring gaps.
    public static func seasonalNaiveMAE(_ m: SeriesMatrix, channel c: Int, range: Range<Int>, season: Int) -> Double? {
        meanSeasonalDifference(m, channel: c, range: range, season: season) { abs($0) }
    }

    /// √(mean (y_t − y_{t−season})²) over rows `range`, ignoring gaps: the in-sample residual scale
    /// of seasonal naive (naive for season 1), from which its intervals widen.
    public static func seasonalNaiveRMSE(_ m: SeriesMatrix, channel c: Int, range: Range<Int>, season: Int) -> Double? {
        meanSeasonalDifference(m, channel: c, range: range, season: season) { $0 * $0 }.map { $0.squareRoot() }
    }

    /// Mean of `f(y_t − y_{t−season})` over rows `range` whose difference is not a gap; nil when none is.
    private static func meanSeasonalDifference(_ m: SeriesMatrix, channel c: Int, range: Range<Int>, season: Int,
                                               _ f: (Double) -> Double) -> Double? {
        let s = max(season, 1)
        var sum = 0.0, n = 0
        for t in (range.lowerBound + s)..<max(range.upperBound, range.lowerBound + s) {
            let d = Double(m[t, c]) - Double(m[t - s, c])
            if d.isNaN { continue }
            sum += f(d); n += 1
        }
        return n > 0 ? sum / Double(n) : nil
    }

    /// Seasonal period from the autocorrelation of rows `range` of channel c: the lag in 2...maxLag with
    /// the highest autocorrelation among local maxima above 0.1 (of the first differences), if it is
    /// significant (2.576 Bartlett standard errors); else nil.
    public static func detectSeason(_ m: SeriesMatrix, channel c: Int, range: Range<Int>) -> Int? {
        var x = range.map { Double(m[$0, c]) }.filter { !$0.isNaN }
        guard x.count >= 8 else { return nil }
        x = zip(x.dropFirst(), x).map { $0 - $1 }
        let n = x.count, mean = x.reduce(0, +) / Double(n)
        let centred = x.map { $0 - mean }
        let v = centred.reduce(0) { $0 + $1 * $1 }
        guard v > 0 else { return nil }
        let maxLag = min(n / 2, 400)
        guard maxLag >= 3 else { return nil }
        let acf = (0...maxLag).map { lag in (0..<(n - lag)).reduce(0.0) { $0 + centred[$1] * centred[$1 + lag] } / v }
        var best: (lag: Int, r: Double)? = nil
        for lag in 2..<maxLag where acf[lag] > acf[lag - 1] && acf[lag] >= acf[lag + 1] && acf[lag] > 0.1 {
            if best == nil || acf[lag] > best!.r + 1e-9 { best = (lag, acf[lag]) }
        }
        // The peak must be significant by the seasonality test's Bartlett bound √((1 + 2·Σ_{k<m} r_k²) / n),
        // at 2.576 of it (1% per lag) rather than the test's 1.645 (10%): it is the largest of up to
        // n/2 lags, so a random walk's white-noise differences would pass 0.1, or the 10% bound, by
        // chance (a yearly series would get a "season").
        guard let b = best else { return nil }
        let bound = 2.576 * ((1 + 2 * (1..<b.lag).reduce(0.0) { $0 + acf[$1] * acf[$1] }) / Double(n)).squareRoot()
        return b.r > bound ? b.lag : nil
    }

    /// The period of channel `c`'s cycle in the training parts `parts`: the autocorrelation peak
    /// (`detectSeason`) of every part, when each has one that the look-back `lookback` holds; the
    /// first part's period. Nil when a part has none (or is too short to tell).
    static func cycle(parts: [SeriesMatrix], channel c: Int, lookback: Int) -> Int? {
        var first: Int? = nil
        for p in parts {
            guard let period = detectSeason(p, channel: c, range: 0..<p.steps), period <= lookback else { return nil }
            first = first ?? period
        }
        return first
    }

    /// The seasonal period of `data`: from its time axis, else the autocorrelation peak of the first
    /// series' rows before `origin`, else 1; with where it came from. A yearly axis has no season (1):
    /// a periodic autocorrelation there is a cycle of varying length (sunspots' 9–14 years), which
    /// seasonal naive at one lag forecasts badly; the pipeline's cycle rule sees it (`Pipeline.cycles`).
    public static func season(of data: SeriesCollection, before origin: Int) -> (period: Int, source: String) {
        if let axis = data.timeAxis, let m = axis.seasonalPeriod { return (m, "from the \(axis.frequencyName) time column") }
        if let axis = data.timeAxis, axis.isYearly { return (1, "\(axis.frequencyName) time column: no season") }
        if let s = data.series.first, let m = Baselines.detectSeason(s.matrix, channel: 0, range: 0..<min(origin, s.length)) {
            return (m, "autocorrelation peak")
        }
        return (1, "no seasonality found; seasonal naive = naive")
    }
}
