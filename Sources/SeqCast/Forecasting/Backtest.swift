// Backtest: rolling-origin evaluation. For each fit in the plan, a fresh model trains on the rows
// before its origin (nothing after it is seen, scaler included); every origin that uses that fit is
// forecast in one batched pass; model, naive and seasonal-naive forecasts are scored on the same
// windows. Fits may run concurrently (each single-threaded): results are identical to a
// sequential run because training does not depend on the thread count.
import Dispatch
import Foundation

/// Settings of `seqcast backtest` beyond those of `train`.
public struct BacktestRequest: Sendable {
    public var train: TrainRequest
    public var start = BacktestStart.fraction(0.8)
    /// Steps between origins (default: the horizon).
    public var stride: Int?
    public var retrain = RetrainPolicy.always
    public var trainLength: Int?
    /// Seasonal period for seasonal naive and MASE; nil = auto.
    public var season: Int?

    public init(train: TrainRequest) { self.train = train }
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
    public var metrics: [String: Metrics]   // "model", "naive", "seasonal_naive"

    /// The predictions of `method` ("model", "naive", "seasonal_naive").
    public func predictions(_ method: String) -> [Float] {
        method == "model" ? forecast : method == "naive" ? naive : seasonalNaive
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
}

public struct BacktestResult: Sendable {
    public var windows: [BacktestWindow]
    public var horizon: Int
    public var targets: [String]
    public var season: Int
    public var seasonSource: String
    public var overall: [String: Metrics]
    public var perStep: [String: [Metrics]]
    public var fits: Int
    /// (origin, series) windows left out because their inputs, actuals or baselines touch a gap.
    public var skipped: Int
    public var seconds: Double
    public var lookback: Int
    /// The fitted pipeline of each fit, in words (`Pipeline.summary`), in fit order.
    public var pipelines: [String] = []
    public static let methods = ["model", "naive", "seasonal_naive"]

    /// Does the model beat seasonal naive on MASE?
    public var beatsSeasonalNaive: Bool? {
        guard let m = overall["model"]?.mase, let s = overall["seasonal_naive"]?.mase else { return nil }
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
        var t = r.train
        let data = try DataSource.load(t.dataPath, selection: t.selection)
        let lengths = Set(data.series.map(\.length))
        guard lengths.count == 1, let n = lengths.first else {
            throw DataError.invalidArgument("\(t.dataPath): backtest needs series of equal length (got \(lengths.sorted().map(String.init).joined(separator: ", ")))")
        }
        let k = t.horizon
        let plan = try BacktestPlan.origins(length: n, start: r.start, horizon: k, stride: r.stride ?? k,
                                            retrain: r.retrain, trainLength: r.trainLength)
        // One look-back for every fit, from the first (shortest) training part.
        let firstTrain = plan[0].trainRange.count
        t.lookback = t.lookback ?? TrainJob.defaultLookback(axis: data.timeAxis, horizon: k, shortest: firstTrain)
        let lookback = t.lookback!
        if let bad = plan.first(where: { $0.origin < lookback }) {
            throw DataError.invalidArgument("origin \(bad.origin) has fewer than lookback \(lookback) steps before it; use a later --start or a shorter --lookback")
        }
        let (season, seasonSource) = chooseSeason(r.season ?? t.season, data: data, before: plan[0].origin)
        t.season = season   // the models' seasonal baseline uses the same period as the metrics
        progress(.started("\(plan.count) origins × \(data.series.count) series, horizon \(k), lookback \(lookback), retrain \(r.retrain), season \(season) (\(seasonSource))"))

        // Fit every model the plan needs (concurrently when several and threads allow).
        let fitIndices = Array(Set(plan.map(\.fitIndex))).sorted()
        let threads = max(1, t.training.threads)
        let concurrent = fitIndices.count > 1 && threads > 1
        var innerRequest = t
        if concurrent { innerRequest.training.threads = 1 }
        let inner = innerRequest
        final class Box: @unchecked Sendable { var models: [Int: ModelFile] = [:]; var error: Error?; var done = 0; let lock = NSLock() }
        let box = Box()
        let fitOne: @Sendable (Int) -> Void = { f in
            do {
                let range = plan[f].trainRange
                var part = data
                part.series = data.series.map { Series(id: $0.id, time: $0.time.isEmpty ? [] : Array($0.time[range]),
                                                       matrix: $0.matrix.rows(range)) }
                let (model, samples) = try TrainJob.seriesModel(inner, data: part)
                try TrainJob.fitAll(model, train: samples.trains, validation: samples.validations,
                                    threads: inner.training.threads)
                box.lock.lock(); box.models[f] = model; box.done += plan.filter { $0.fitIndex == f }.count
                let done = box.done; box.lock.unlock()
                progress(.origin(done: done, total: plan.count, elapsed: Date().timeIntervalSince(clock)))
            } catch {
                box.lock.lock(); if box.error == nil { box.error = error }; box.lock.unlock()
            }
        }
        concurrentWorkers(fitIndices.count, threads: concurrent ? threads : 1) { _, fits in
            for i in fits {
                fitOne(fitIndices[i])
                box.lock.lock(); let failed = box.error != nil; box.lock.unlock()
                if failed { break }
            }
        }
        if let e = box.error { throw e }

        // Forecast every window (batched per fit), with baselines and metrics. A window whose input
        // rows, actuals or baselines touch a gap (`--missing drop`) is left out and counted.
        var windows: [BacktestWindow] = []
        var skipped = 0, nonPositive = 0
        let O = data.targetCount
        for f in fitIndices {
            let model = box.models[f]!, pipeline = model.manifest.pipeline!
            var cases: [(BacktestOrigin, Series)] = []
            var inputs: [ForecastWindow] = []
            for o in plan where o.fitIndex == f {
                for s in data.series {
                    let rows = s.matrix.rows((o.origin - lookback)..<(o.origin + k))
                    if rows.values.contains(where: \.isNaN) { skipped += 1; continue }
                    let window = pipeline.forecastWindow(s.matrix.rows((o.origin - lookback)..<o.origin), series: s.id,
                                                         firstRow: o.origin - lookback)
                    // A model that serves later origins (--retrain never|N) may meet values its log
                    // transform cannot take (≤ 0) after its training part.
                    if window.x.contains(where: { $0.contains { !$0.isFinite } }) { nonPositive += 1; continue }
                    cases.append((o, s)); inputs.append(window)
                }
            }
            let predictions = Forecaster.forecast(model, pipeline: pipeline, windows: inputs, threads: threads)
            for (i, (o, s)) in cases.enumerated() {
                let nv = (0..<O).map { Baselines.naive(s.matrix, channel: $0, origin: o.origin, horizon: k) }
                let sn = (0..<O).map { Baselines.seasonalNaive(s.matrix, channel: $0, origin: o.origin, horizon: k, season: season) }
                var actual = [Float](), naive = [Float](), snaive = [Float]()
                for step in 0..<k { for c in 0..<O {
                    actual.append(s.matrix[o.origin + step, c]); naive.append(nv[c][step]); snaive.append(sn[c][step])
                } }
                if snaive.contains(where: \.isNaN) { skipped += 1; continue }   // season-ago rows may be gaps
                let times = s.time.count == n ? (0..<k).map { s.time[o.origin + $0] } : (0..<k).map { String(o.origin + $0) }
                var w = BacktestWindow(series: s.id, origin: o.origin, originLabel: times[0], times: times, actual: actual,
                                       forecast: predictions[i], naive: naive,
                                       seasonalNaive: snaive,
                                       scales: (0..<O).map { Baselines.seasonalNaiveMAE(s.matrix, channel: $0, range: o.trainRange, season: season) },
                                       metrics: [:])
                for m in BacktestResult.methods { w.metrics[m] = w.score(w.predictions(m), steps: 0..<k) }
                windows.append(w)
            }
        }
        guard !windows.isEmpty else {
            throw DataError.invalidArgument("\(t.dataPath): every backtest window touches a gap (--missing drop); use --missing interpolate or ffill, or another --start")
        }
        if skipped > 0 { progress(.note("\(skipped) windows left out: their inputs, actuals or baselines touch a gap")) }
        if nonPositive > 0 {
            progress(.note("\(nonPositive) windows left out: their inputs have values ≤ 0, which the model's log transform (fitted on positive training data) cannot take; use --transform none"))
            skipped += nonPositive
        }
        windows.sort { ($0.origin, $0.series) < ($1.origin, $1.series) }
        var overall: [String: Metrics] = [:], perStep: [String: [Metrics]] = [:]
        for method in BacktestResult.methods {
            overall[method] = Metrics.mean(windows.map { $0.metrics[method]! })
            perStep[method] = (0..<k).map { step in
                Metrics.mean(windows.map { $0.score($0.predictions(method), steps: step..<(step + 1)) })
            }
        }
        var result = BacktestResult(windows: windows, horizon: k, targets: data.targetNames, season: season,
                                    seasonSource: seasonSource, overall: overall, perStep: perStep, fits: fitIndices.count,
                                    skipped: skipped, seconds: Date().timeIntervalSince(clock), lookback: lookback)
        result.pipelines = fitIndices.map { box.models[$0]!.manifest.pipeline!.summary(names: data.channels) }
        return result
    }

    /// The seasonal period: given, from the time axis, or from the autocorrelation before `origin`.
    static func chooseSeason(_ given: Int?, data: SeriesCollection, before origin: Int) -> (Int, String) {
        if let given { return (given, "given") }
        return TrainJob.season(of: data, before: origin)
    }
}
