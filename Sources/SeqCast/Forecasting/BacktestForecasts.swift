// BacktestForecasts: the forecast side of a backtest — every window of every fit forecast with its
// baselines, intervals and metrics. A fit's windows are forecast in parts of whole Forecaster chunks
// (`Forecaster.windowsPerPart`: about 16 MiB of inputs each), so their inputs are never all held at
// once, however many origins and series a fit serves (`--retrain never --stride 1` on a long or wide
// series); the results are the bits of one call over all of them, Monte-Carlo dropout's masks
// included (`firstChunk`).
import Foundation

extension BacktestJob {
    /// Forecasts every window (in parts per fit) with its baselines and metrics. A window whose input
    /// rows, actuals or baselines touch a gap (`--missing drop`) is left out and counted.
    /// `windowsPerPart` overrides `Forecaster.windowsPerPart` (a multiple of
    /// `Forecaster.chunk`; the tests use it to check that parts do not change the results).
    static func forecastWindows(_ plan: [BacktestOrigin], models: [Int: Ensemble], data: SeriesCollection, season: Int,
                                intervals: IntervalSettings, threads: Int,
                                progress: @Sendable (BacktestEvent) -> Void,
                                windowsPerPart: Int? = nil) throws -> ([BacktestWindow], Int) {
        precondition(windowsPerPart.map { $0 > 0 && $0 % Forecaster.chunk == 0 } ?? true, "parts must be whole chunks")
        let levels = intervals.activeLevels
        var windows: [BacktestWindow] = []
        var skipped = 0, nonPositive = 0
        let O = data.targetCount, n = data.series[0].length
        for (f, model) in models.sorted(by: { $0.key < $1.key }) {
            let pipeline = model.manifest.pipeline!, lookback = pipeline.spec.lookback, k = pipeline.spec.horizon
            // 16 MiB rather than the calibration's 4: a backtest keeps every scored window, and smaller
            // parts left more of the freed inputs stranded between them (a 10 000-origin backtest
            // peaked at 114–150 MiB with 4 MiB parts, 94–102 MiB with 16 MiB; RELIABILITY.md item 20).
            let part = windowsPerPart ?? Forecaster.windowsPerPart(pipeline, threads: threads, inputBytes: 16 << 20)
            let conformal = ConformalBands(model, settings: intervals), positive = pipeline.positiveTargets
            var cases: [(BacktestOrigin, Series)] = []
            var inputs: [ForecastWindow] = []
            var done = 0   // windows of this fit forecast in earlier parts: whole chunks

            /// Forecasts and scores the pending windows, then lets their inputs go.
            func flush() throws {
                guard !inputs.isEmpty else { return }
                let firstChunk = done / Forecaster.chunk
                let predictions = Forecaster.forecast(model, pipeline: pipeline, windows: inputs, threads: threads)
                var sampled = intervals.method == .mcDropout && !levels.isEmpty
                    ? Intervals.mcDropout(model, pipeline: pipeline, windows: inputs, point: predictions, settings: intervals, threads: threads,
                                          firstChunk: firstChunk) : nil
                if intervals.method == .quantile && !levels.isEmpty {
                    sampled = try Intervals.quantile(model, pipeline: pipeline, windows: inputs, point: predictions, levels: levels, threads: threads)
                }
                for (i, (o, s)) in cases.enumerated() {
                    guard let w = scoredWindow(o, series: s, forecast: predictions[i], band: sampled?[i], conformal: conformal,
                                               positive: positive,
                                               lookback: lookback, horizon: k, targets: O, length: n, season: season, levels: levels)
                    else { skipped += 1; continue }   // season-ago rows may be gaps
                    windows.append(w)
                }
                done += inputs.count
                cases.removeAll(keepingCapacity: true); inputs.removeAll(keepingCapacity: true)
            }

            for o in plan where o.fitIndex == f {
                for s in data.series.lazy.map({ $0.causal(at: o.origin) }) {   // nothing filled from the origin on
                    let rows = s.matrix.rows((o.origin - lookback)..<(o.origin + k))
                    if rows.values.contains(where: \.isNaN) { skipped += 1; continue }
                    let window = pipeline.forecastWindow(s.matrix, origin: o.origin, series: s.id)
                    // A model that serves later origins (--retrain never|N) may meet values its log
                    // transform cannot take (≤ 0) after its training part.
                    if window.x.contains(where: { $0.contains { !$0.isFinite } }) { nonPositive += 1; continue }
                    cases.append((o, s)); inputs.append(window)
                    if inputs.count == part { try flush() }
                }
            }
            try flush()
        }
        guard !windows.isEmpty else { throw DataError.allWindowsTouchGaps(path: data.source) }
        if skipped > 0 { progress(.note("\(skipped) windows left out: their inputs, actuals or baselines touch a gap")) }
        if nonPositive > 0 {
            progress(.note("\(nonPositive) windows left out: their inputs have values ≤ 0, which the model's log transform (fitted on positive training data) cannot take; use --transform none"))
            skipped += nonPositive
        }
        return (windows, skipped)
    }

    /// One window of series `s` at origin `o`, scored: its actuals, the model's `forecast` and the two
    /// baselines [K, O], the MASE scales, and with `levels` the intervals (`band` when sampled, else the
    /// conformal one; floored at 0 for `positive` targets) and seasonal naive's. Nil when a seasonal-naive value falls on a gap.
    private static func scoredWindow(_ o: BacktestOrigin, series s: Series, forecast: [Float], band: Band?,
                                     conformal: ConformalBands?, positive: [Bool], lookback: Int, horizon k: Int, targets O: Int,
                                     length n: Int, season: Int, levels: [Double]) -> BacktestWindow? {
        let nv = (0..<O).map { Baselines.naive(s.matrix, channel: $0, origin: o.origin, horizon: k) }
        let sn = (0..<O).map { Baselines.seasonalNaive(s.matrix, channel: $0, origin: o.origin, horizon: k, season: season) }
        var actual = [Float](), naive = [Float](), snaive = [Float]()
        for step in 0..<k { for c in 0..<O {
            actual.append(s.matrix[o.origin + step, c]); naive.append(nv[c][step]); snaive.append(sn[c][step])
        } }
        // A filled cell is not an observation: no actual (an empty cell in forecasts.csv), not scored.
        for (row, c) in s.filledCells(rows: o.origin..<(o.origin + k)) where c < O { actual[(row - o.origin) * O + c] = .nan }
        if snaive.contains(where: \.isNaN) { return nil }
        let times = s.time.count == n ? (0..<k).map { s.time[o.origin + $0] } : (0..<k).map { String(o.origin + $0) }
        var w = BacktestWindow(series: s.id, origin: o.origin, originLabel: times[0], times: times, actual: actual,
                               forecast: forecast, naive: naive, seasonalNaive: snaive,
                               scales: (0..<O).map { Baselines.seasonalNaiveMAE(s.matrix, channel: $0, range: o.trainRange, season: season) })
        w.metrics = PerMethod { m in w.score(w.predictions(m), steps: 0..<k) }
        if !levels.isEmpty {
            let input = s.matrix.rows((o.origin - lookback)..<o.origin)
            w.bands.model = (band ?? conformal?.band(forecast, input: input))?.flooredAtZero(forecast, positive: positive)
            // Seasonal naive's own in-sample residuals: the rows before the origin it may use.
            let lag = o.origin >= season ? season : 1, rows = o.trainRange.lowerBound..<o.origin
            w.bands.seasonalNaive = Intervals.seasonalNaive(snaive, sigma: (0..<O).map {
                Baselines.seasonalNaiveRMSE(s.matrix, channel: $0, range: rows, season: lag) }, season: lag, levels: levels)
            w.intervalScores = PerMethod { m in w.bands[m].map { w.score($0, levels: levels, steps: 0..<k) } }
        }
        return w
    }
}
