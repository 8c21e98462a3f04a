// Backtest: rolling-origin evaluation. For each fit in the plan, a fresh model trains on the rows
// before its origin (nothing after it is seen, scaler included); every origin that uses that fit is
// forecast in batched parts (BacktestForecasts.swift); model, naive and seasonal-naive forecasts are scored on the same
// windows, and so are their prediction intervals (the model's conformal ones, calibrated on each
// fit's own training part; seasonal naive's from its in-sample seasonal residuals). Fits may run
// concurrently (each single-threaded): results are identical to a sequential run because training
// does not depend on the thread count. Under `mpirun` the fits are spread over the ranks or trained
// data-parallel (DistributedBacktest.swift); every rank then scores the windows alike, rank 0 writes.
import Dispatch
import Foundation

/// The forecasts a backtest scores: the model and its two baselines.
public enum ForecastMethod: String, CaseIterable, Sendable, Codable {
    case model, naive, seasonalNaive = "seasonal_naive"

    /// As the terminal table shows it.
    public var label: String { self == .seasonalNaive ? "seasonal naive" : rawValue }
}

/// One value per forecast method.
public struct PerMethod<Value: Sendable>: Sendable {
    public var model: Value, naive: Value, seasonalNaive: Value

    public init(_ value: (ForecastMethod) -> Value) {
        model = value(.model); naive = value(.naive); seasonalNaive = value(.seasonalNaive)
    }

    public subscript(_ m: ForecastMethod) -> Value {
        get { switch m { case .model: model; case .naive: naive; case .seasonalNaive: seasonalNaive } }
        set { switch m { case .model: model = newValue; case .naive: naive = newValue; case .seasonalNaive: seasonalNaive = newValue } }
    }
}

/// One forecast window of one series.
public struct BacktestWindow: Sendable {
    public var series: String
    public var origin: Int
    public var originLabel: String
    public var times: [String]
    /// [K, O] step-major, original units.
    public var actual: [Float], forecast: [Float], naive: [Float], seasonalNaive: [Float]
    /// MASE scale of each target: the in-sample seasonal-naive MAE of this window's training part.
    public var scales: [Double?]
    public var metrics = PerMethod { _ in Metrics() }
    /// Each method's prediction intervals [K, O, Lv] (nil: none) and their scores.
    public var bands = PerMethod<Band?> { _ in nil }
    public var intervalScores = PerMethod<IntervalScore?> { _ in nil }

    /// The predictions of `method`.
    public func predictions(_ method: ForecastMethod) -> [Float] {
        switch method { case .model: forecast; case .naive: naive; case .seasonalNaive: seasonalNaive }
    }

    /// Metrics of `pred` against the actuals over `steps`: per target (each with its own MASE
    /// scale), then averaged over targets.
    func score(_ pred: [Float], steps: Range<Int>) -> Metrics {
        let o = scales.count
        return Metrics.mean((0..<o).map { c in
            let idx = steps.map { $0 * o + c }
            return Metrics.of(actual: idx.map { actual[$0] }, forecast: idx.map { pred[$0] }, scale: scales[c])
        })
    }

    /// Interval scores of `band` (at `levels`) over `steps`: per target (MSIS with its MASE scale),
    /// then averaged over targets.
    func score(_ band: Band, levels: [Double], steps: Range<Int>) -> IntervalScore {
        let o = scales.count, v = levels.count
        return IntervalScore.mean((0..<o).map { c in
            let idx = steps.map { $0 * o + c }
            return IntervalScore.of(actual: idx.map { actual[$0] }, lower: idx.flatMap { band.lower[($0 * v)..<($0 * v + v)] },
                                    upper: idx.flatMap { band.upper[($0 * v)..<($0 * v + v)] }, levels: levels, scale: scales[c])
        }, levels: v)
    }
}

public struct BacktestResult: Sendable {
    public var windows: [BacktestWindow]
    public var horizon: Int
    public var targets: [String]
    public var season: Int
    public var seasonSource: String
    public var overall: PerMethod<Metrics>
    public var perStep: PerMethod<[Metrics]>
    public var fits: Int
    /// (origin, series) windows left out because their inputs, actuals or baselines touch a gap.
    public var skipped: Int
    public var seconds: Double
    public var lookback: Int
    /// The fitted pipeline of each fit, in words (`Pipeline.summary`), in fit order.
    public var pipelines: [String] = []

    /// The distinct fitted pipelines in words, in fit order (`Pipeline.summaries`: fits that differ
    /// only in Theta's automatic weight are one, with the weights' range).
    public var configurations: [String] = []
    /// Interval levels (percent; empty: no intervals) and method, and each method's interval scores
    /// overall and per horizon step (nil for a method without intervals).
    public var levels: [Double] = []
    public var intervalMethod = IntervalMethod.none
    public var overallIntervals = PerMethod<IntervalScore?> { _ in nil }
    public var perStepIntervals = PerMethod<[IntervalScore]?> { _ in nil }
    /// `--per-series`: each series' own scores, in file order (empty for one global model).
    public var perSeries: [SeriesScores] = []

    /// The look-back in words: one number, or with `--per-series` the range when the series'
    /// own rules chose different ones.
    public var lookbackText: String {
        guard let (lo, hi) = lookbackRange else { return "\(lookback)" }
        return "\(lo)–\(hi) (differs between series: see summary.json's per_series)"
    }

    /// The lowest and highest look-back when the series of a `--per-series` run differ; nil when one.
    public var lookbackRange: (Int, Int)? {
        let all = perSeries.map(\.lookback) + [lookback]
        guard let lo = all.min(), let hi = all.max(), lo != hi else { return nil }
        return (lo, hi)
    }

    /// Does the model beat seasonal naive on MASE?
    public var beatsSeasonalNaive: Bool? {
        guard let m = overall.model.mase, let s = overall.seasonalNaive.mase else { return nil }
        return m < s
    }
}

public enum BacktestEvent: Sendable {
    case started(String)
    case note(String)
    case origin(done: Int, total: Int, elapsed: Double)
}

public enum BacktestJob {
    public static func run(_ r: BacktestRequest, progress: @escaping @Sendable (BacktestEvent) -> Void = { _ in }) throws -> BacktestResult {
        let clock = Date()
        let r = try r.resolved()
        try r.train.settings.validate(); try r.backtest.validate()
        if !r.train.run.outDir.isEmpty {   // before the work, not when the files are written
            try AtomicFile.refuseOverwriting(input: r.train.data.path, folder: r.train.run.outDir, names: BacktestResult.outputNames)
        }
        guard !r.train.data.supervised else {
            throw SettingsError.incompatible("backtest works on series (CSV or HDF5 --dataset), not pre-cut --x/--y samples")
        }
        if r.train.settings.isPerSeries { return try runPerSeries(r, clock: clock, progress: progress) }
        let group = r.train.run.group   // every rank reads the data and plans alike; a failure anywhere stops all
        let (data, prepared) = try group.agree { () throws -> (SeriesCollection, Setup) in
            let data = try DataSource.load(r.train.data.path, selection: r.train.data.selection)
            return (data, try setup(r, data: data))
        }
        let (settings, plan, season, seasonSource) = (prepared.settings, prepared.plan, prepared.season, prepared.seasonSource)
        if data.missingCount > 0, r.train.data.selection.missing != .drop {   // (drop: the windows touching gaps are left out, and counted)
            progress(.note("\(data.missingCount) missing values filled (\(r.train.data.selection.missing.rawValue)) for the models' inputs; a filled target value in a forecast window is not scored (no actual: an empty cell in forecasts.csv; --missing drop leaves such windows out)"))
        }
        if let first = data.series.first, let a = first.time.first,
           let other = data.series.first(where: { s in s.time.first.map { $0 != a } ?? false }), let b = other.time.first {
            // Equal lengths, other dates: an origin is a row, the same in every series, so not one date.
            progress(.note("the series start on different dates ('\(first.id)' at \(a), '\(other.id)' at \(b)): an origin is the same row of every series, not the same date, so a fit may train on another series' values from after this series' origin; for a backtest in calendar time give series on the same dates, or use --per-series"))
        }
        let lookback = settings.windows.lookback!, k = settings.windows.horizon
        progress(.started("\(plan.count) origins × \(data.series.count) series, horizon \(k), lookback \(lookback), retrain \(r.backtest.retrain), season \(season) (\(seasonSource))"))
        let models = group.distributed
            ? try fitModels(settings, plan: plan, data: data, calibrate: r.intervals.method == .conformal,
                            threads: r.train.run.threads, group: group, clock: clock, progress: progress)
            : try fitModels(settings, plan: plan, data: data, calibrate: r.intervals.method == .conformal,
                            threads: r.train.run.threads, clock: clock, progress: progress)
        if r.intervals.method == .conformal, let c = models.values.compactMap(\.calibration).min(by: { $0.count < $1.count }),
           let note = Calibration.unsupportedNote(c.unsupportedLevels(r.intervals.activeLevels), windows: c.count) {
            progress(.note("the smallest fit has " + note))
        }
        var (windows, skipped) = try forecastWindows(plan, models: models, data: data, season: season, intervals: r.intervals,
                                                     threads: r.train.run.threads, progress: progress)
        windows.sort { ($0.origin, $0.series) < ($1.origin, $1.series) }
        var result = Self.result(windows, horizon: k, targets: data.targetNames, season: season, seasonSource: seasonSource,
                                 fits: models.count, skipped: skipped, clock: clock, lookback: lookback, intervals: r.intervals)
        let fitted = models.keys.sorted().map { models[$0]!.manifest.pipeline! }
        result.pipelines = fitted.map { $0.summary(names: data.channels) }
        result.configurations = Pipeline.summaries(fitted, names: data.channels)
        return result
    }

    /// A backtest's result from its scored windows: the metrics overall and per horizon step (means
    /// over the windows), and the intervals' scores when there are any.
    static func result(_ windows: [BacktestWindow], horizon k: Int, targets: [String], season: Int, seasonSource: String,
                       fits: Int, skipped: Int, clock: Date, lookback: Int, intervals: IntervalSettings) -> BacktestResult {
        var result = BacktestResult(windows: windows, horizon: k, targets: targets, season: season,
                                    seasonSource: seasonSource,
                                    overall: PerMethod { m in Metrics.mean(windows.map { $0.metrics[m] }) },
                                    perStep: PerMethod { m in (0..<k).map { step in
                                        Metrics.mean(windows.map { $0.score($0.predictions(m), steps: step..<(step + 1)) })
                                    } },
                                    fits: fits, skipped: skipped, seconds: Date().timeIntervalSince(clock), lookback: lookback)
        let levels = intervals.activeLevels
        if !levels.isEmpty {
            result.levels = levels; result.intervalMethod = intervals.method
            for m in ForecastMethod.allCases where windows.contains(where: { $0.bands[m] != nil }) {
                result.overallIntervals[m] = IntervalScore.mean(windows.compactMap { $0.intervalScores[m] }, levels: levels.count)
                result.perStepIntervals[m] = (0..<k).map { step in
                    IntervalScore.mean(windows.compactMap { w in w.bands[m].map { w.score($0, levels: levels, steps: step..<(step + 1)) } },
                                       levels: levels.count)
                }
            }
        }
        return result
    }

    /// What every fit of a backtest of `data` shares: the settings (look-back resolved, the season
    /// the metrics use given to the models' seasonal baseline too), the origins, and the season.
    struct Setup { var settings: TrainSettings, plan: [BacktestOrigin], season: Int, seasonSource: String }

    static func setup(_ r: BacktestRequest, data: SeriesCollection) throws -> Setup {
        var (settings, plan) = try prepare(r, data: data)
        let (season, seasonSource) = settings.preprocessing.season.map { ($0, "given") }
            ?? Baselines.season(of: data, before: plan[0].origin)
        settings.preprocessing.season = season   // the models' seasonal baseline uses the same period as the metrics
        return Setup(settings: settings, plan: plan, season: season, seasonSource: seasonSource)
    }

    /// The settings every fit uses (one look-back for all, from the first, shortest training part)
    /// and the origins.
    static func prepare(_ r: BacktestRequest, data: SeriesCollection) throws -> (TrainSettings, [BacktestOrigin]) {
        var settings = r.train.settings
        let lengths = Set(data.series.map(\.length))
        guard lengths.count == 1, let n = lengths.first else {
            throw DataError.unequalLengths(path: settings.data.path, lengths: lengths.sorted(), needed: "backtest")
        }
        let k = settings.windows.horizon
        let plan = try BacktestPlan.origins(length: n, start: r.backtest.start, horizon: k, stride: r.backtest.stride ?? k,
                                            retrain: r.backtest.retrain, trainLength: r.backtest.trainLength)
        let lookback = settings.windows.resolvedLookback(season: data.timeAxis?.seasonalPeriod, shortest: plan[0].trainRange.count)
        settings.windows.lookback = lookback
        if let bad = plan.first(where: { $0.origin < lookback }) {
            throw SettingsError.incompatible("origin \(bad.origin) has fewer than lookback \(lookback) steps before it; use a later --start or a shorter --lookback")
        }
        // The series may be long enough while the rows before an origin are not (`checkLength` of
        // the training part would name the series' length as the part's).
        if let bad = plan.first(where: { $0.trainRange.count < lookback + k }) {
            let longer = r.backtest.trainLength != nil ? "a longer --train-length" : "a later --start"
            throw SettingsError.incompatible("origin \(bad.origin) trains on \(bad.trainRange.count) steps (of the series' \(n)), fewer than lookback \(lookback) + horizon \(k); use \(longer), or a shorter --lookback or --horizon")
        }
        // A column whose values start after the first origin was filled there from later values
        // (nearest at the start): no fill of it before the origin can be made from the past.
        for s in data.series where !s.filled.isEmpty {
            for c in data.channels.indices {
                let first = s.firstObserved(channel: c)
                guard first >= plan[0].origin else { continue }
                throw SettingsError.incompatible("\(settings.data.path): series '\(shown(s.id))', column '\(shown(data.channels[c]))' has no value before the first origin (row \(plan[0].origin), counted from 0; its first value is at row \(first)), so its filled rows there would be taken from after the origin; use a later --start\(data.series.count > 1 ? ", --per-series," : "") or leave the column out")
            }
        }
        if let m = settings.preprocessing.season, m >= plan[0].trainRange.count {
            throw SettingsError.incompatible("--season \(m) is not shorter than the first origin's \(plan[0].trainRange.count) training steps: seasonal naive and the MASE scale need a season before the origin; use a smaller --season or a later --start")
        }
        return (settings, plan)
    }

    /// Fits every model the plan needs on the rows before its origin, concurrently when several and
    /// threads allow (Support/Concurrency.swift: `Parallelism`), then what follows each fit on the
    /// same rows (`Calibrator.finish`: Theta's automatic weight, and with `calibrate` the conformal
    /// calibration); keyed by fit index.
    static func fitModels(_ settings: TrainSettings, plan: [BacktestOrigin], data: SeriesCollection, calibrate: Bool, threads: Int,
                          clock: Date, progress: @escaping @Sendable (BacktestEvent) -> Void) throws -> [Int: Ensemble] {
        let fitIndices = Array(Set(plan.map(\.fitIndex))).sorted()
        let policy = Parallelism(tasks: fitIndices.count, threads: threads)
        final class Fitted: @unchecked Sendable { var models: [Int: Ensemble] = [:]; var done = 0; let lock = NSLock() }
        let fitted = Fitted()
        let origins = plan
        try concurrentForEach(fitIndices.count, threads: policy.workers) { i in
            let f = fitIndices[i], part = trainingPart(data, origins[f].trainRange)
            let (model, samples) = try forPart(origins[f]) { try TrainJob.seriesModel(settings, data: part) }
            try EnsembleFitter.fit(model, train: samples.trains, validation: samples.validations, threads: policy.threadsPerTask)
            Calibrator.finish(model, data: part, calibrate: calibrate, threads: policy.threadsPerTask)
            let done: Int = fitted.lock.withLock {
                fitted.models[f] = model; fitted.done += origins.filter { $0.fitIndex == f }.count
                return fitted.done
            }
            progress(.origin(done: done, total: origins.count, elapsed: Date().timeIntervalSince(clock)))
        }
        return fitted.models
    }

    /// `body` (a fit on the training part of origin `o`), with a too-short part named as that
    /// origin's rows: the length in the message is the part's, not the file's series'.
    static func forPart<T>(_ o: BacktestOrigin, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as DataError {
            switch e { case .noTrainingWindow, .seriesTooShort: break; default: throw e }
            let longer = o.trainRange.lowerBound > 0 ? "a longer --train-length" : "a later --start"
            throw SettingsError.incompatible("origin \(o.origin) trains on rows \(o.trainRange.lowerBound)–\(o.trainRange.upperBound - 1) only (counted from 0; use \(longer)): \(e)")
        }
    }

    /// The rows `range` of every series: what one fit trains on, filled from nothing at or after
    /// its end (`Series.causal`: a gap that runs into the origin was interpolated towards a later value).
    static func trainingPart(_ data: SeriesCollection, _ range: Range<Int>) -> SeriesCollection {
        var part = data
        part.series = data.series.map { whole in
            let s = whole.causal(at: range.upperBound)
            return Series(id: s.id, time: s.time.isEmpty ? TimeLabels() : s.time.rows(range), matrix: s.matrix.rows(range))
        }
        return part
    }
}
