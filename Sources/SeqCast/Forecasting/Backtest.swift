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
    public var metrics: [String: Metrics]   // "model", "naive", "seasonal_naive"
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
    public var seconds: Double
    public var lookback: Int
    public static let methods = ["model", "naive", "seasonal_naive"]

    /// Does the model beat seasonal naive on MASE?
    public var beatsSeasonalNaive: Bool? {
        guard let m = overall["model"]?.mase, let s = overall["seasonal_naive"]?.mase else { return nil }
        return m < s
    }
}

public enum BacktestEvent: Sendable {
    case started(String)
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
        let (season, seasonSource) = chooseSeason(r.season, data: data, before: plan[0].origin)
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
                try TrainJob.fitAll(model, train: samples.train, validation: samples.validation,
                                    threads: inner.training.threads)
                box.lock.lock(); box.models[f] = model; box.done += plan.filter { $0.fitIndex == f }.count
                let done = box.done; box.lock.unlock()
                progress(.origin(done: done, total: plan.count, elapsed: Date().timeIntervalSince(clock)))
            } catch {
                box.lock.lock(); if box.error == nil { box.error = error }; box.lock.unlock()
            }
        }
        if concurrent {
            BLAS.setThreads(1)
            DispatchQueue.concurrentPerform(iterations: min(threads, fitIndices.count)) { w in
                for i in stride(from: w, to: fitIndices.count, by: min(threads, fitIndices.count)) { fitOne(fitIndices[i]) }
            }
        } else {
            for f in fitIndices { fitOne(f); if box.error != nil { break } }
        }
        if let e = box.error { throw e }

        // Forecast every window (batched per fit), with baselines and metrics.
        var windows: [BacktestWindow] = []
        let O = data.targetCount
        for f in fitIndices {
            let model = box.models[f]!, pipeline = model.manifest.pipeline!
            let mine = plan.filter { $0.fitIndex == f }
            var inputs: [[Float]] = [], stats: [[(mean: Float, sd: Float)]] = []
            for o in mine { for s in data.series {
                let (x, st) = pipeline.forecastInput(s.matrix.rows((o.origin - lookback)..<o.origin))
                inputs.append(x); stats.append(st)
            } }
            let predictions = Forecaster.predict(model, inputs: inputs)
            var i = 0
            for o in mine { for s in data.series {
                let fc = pipeline.invert(predictions[i], stats: stats[i]); i += 1
                var actual = [Float](), naive = [Float](), snaive = [Float]()
                var byChannel: [(Double?)] = []
                for c in 0..<O { byChannel.append(Baselines.seasonalNaiveMAE(s.matrix, channel: c, range: o.trainRange, season: season)) }
                let nv = (0..<O).map { Baselines.naive(s.matrix, channel: $0, origin: o.origin, horizon: k) }
                let sn = (0..<O).map { Baselines.seasonalNaive(s.matrix, channel: $0, origin: o.origin, horizon: k, season: season) }
                for step in 0..<k { for c in 0..<O {
                    actual.append(s.matrix[o.origin + step, c]); naive.append(nv[c][step]); snaive.append(sn[c][step])
                } }
                func score(_ pred: [Float]) -> Metrics {
                    Metrics.mean((0..<O).map { c in
                        Metrics.of(actual: stride(from: c, to: actual.count, by: O).map { actual[$0] },
                                   forecast: stride(from: c, to: pred.count, by: O).map { pred[$0] }, scale: byChannel[c])
                    })
                }
                let times = s.time.count == n ? (0..<k).map { s.time[o.origin + $0] } : (0..<k).map { String(o.origin + $0) }
                windows.append(BacktestWindow(series: s.id, origin: o.origin, originLabel: times[0], times: times,
                                              actual: actual, forecast: fc, naive: naive, seasonalNaive: snaive,
                                              metrics: ["model": score(fc), "naive": score(naive), "seasonal_naive": score(snaive)]))
            } }
        }
        windows.sort { ($0.origin, $0.series) < ($1.origin, $1.series) }
        if windows.contains(where: { w in w.actual.contains(where: \.isNaN) }) {
            progress(.started("note: some actuals are gaps (--missing drop); those windows' metrics skip nothing and may be NaN"))
        }
        var overall: [String: Metrics] = [:], perStep: [String: [Metrics]] = [:]
        for method in BacktestResult.methods {
            overall[method] = Metrics.mean(windows.map { $0.metrics[method]! })
            perStep[method] = (0..<k).map { step in
                Metrics.mean(windows.map { w in
                    let pred = method == "model" ? w.forecast : method == "naive" ? w.naive : w.seasonalNaive
                    let scale = w.metrics[method]!.mase.flatMap { mase in w.metrics[method]!.mae.map { $0 / mase } }
                    return Metrics.of(actual: Array(w.actual[(step * O)..<((step + 1) * O)]),
                                      forecast: Array(pred[(step * O)..<((step + 1) * O)]), scale: scale)
                })
            }
        }
        return BacktestResult(windows: windows, horizon: k, targets: data.targetNames, season: season,
                              seasonSource: seasonSource, overall: overall, perStep: perStep, fits: fitIndices.count,
                              seconds: Date().timeIntervalSince(clock), lookback: lookback)
    }

    /// The seasonal period: given, from the time axis, or from the autocorrelation before `origin`.
    static func chooseSeason(_ given: Int?, data: SeriesCollection, before origin: Int) -> (Int, String) {
        if let given { return (given, "given") }
        if let axis = data.timeAxis, let m = axis.seasonalPeriod { return (m, "from the \(axis.frequencyName) time column") }
        if let m = Baselines.detectSeason(data.series[0].matrix, channel: 0, range: 0..<origin) {
            return (m, "autocorrelation peak")
        }
        return (1, "no seasonality found; seasonal naive = naive")
    }
}
