// PerSeriesBacktest: `backtest --per-series` — every series backtested with its own refits, each
// as a backtest of that series alone would fit and score it (its own origins, look-back, season and
// seed: PerSeriesModel.seed), and the windows of all series scored together: the overall and
// per-step metrics are means over every window of every series, as for one global model, plus each
// series' own. The work units are the (series, fit) pairs, in file order then fit order. Under
// mpirun they are dealt to the ranks in contiguous blocks and trained there with all their members
// (each rank reads only the series of its units — from HDF5 only their batch rows — except rank 0,
// which scores and so reads every series); rank 0 gathers the fitted models and forecasts and
// scores every window. Results do not depend on the rank or thread count.
import Foundation

/// One series' scores in a per-series backtest.
public struct SeriesScores: Sendable {
    public var id: String
    public var windows: Int, fits: Int, lookback: Int, season: Int
    /// Means over this series' windows: each method's metrics, and its interval scores (nil: none).
    public var overall: PerMethod<Metrics>
    public var intervals = PerMethod<IntervalScore?> { _ in nil }
}

extension BacktestJob {
    static func runPerSeries(_ r: BacktestRequest, clock: Date, progress: @escaping @Sendable (BacktestEvent) -> Void) throws -> BacktestResult {
        let group = r.train.run.group, threads = r.train.run.threads, k = r.train.windows.horizon
        let catalog = try group.agree { try SeriesCatalog.open(r.train.data.path, selection: r.train.data.selection) }
        let ids = catalog.ids, n = ids.count
        func named<T>(_ p: Int, _ body: () throws -> T) throws -> T { try PerSeriesError.naming(ids[p], p, of: n, body) }
        // Each series' origins, from its length alone (alike on every rank): its fits are the units.
        let plans = try group.agree {
            try (0..<n).map { p in try named(p) {
                try BacktestPlan.origins(length: catalog.lengths[p], start: r.backtest.start, horizon: k, stride: r.backtest.stride ?? k,
                                         retrain: r.backtest.retrain, trainLength: r.backtest.trainLength)
            } }
        }
        let units = plans.enumerated().flatMap { p, plan in Set(plan.map(\.fitIndex)).sorted().map { (series: p, fit: $0) } }
        let mine = Array(group.share(of: units.count))
        let positions = group.isRoot ? Array(0..<n) : Array(Set(mine.map { units[$0].series })).sorted()
        // The series this rank needs, read and set up (as a backtest of each alone; rank 0 checks
        // every series, in file order); then its units' first fits are built, in order, before any trains.
        let (data, setups) = try group.agree { () throws -> (SeriesCollection, [Int: (Int, Setup)]) in
            let data = try catalog.load(positions)
            var setups: [Int: (Int, Setup)] = [:]
            for (j, p) in positions.enumerated() {
                var one = r
                one.train.settings = PerSeriesModel.settings(r.train.settings, for: ids[p])
                setups[p] = (j, try named(p) { try setup(one, data: data.only(j)) })
            }
            for u in mine {
                let (p, f) = units[u], (j, s) = setups[p]!
                _ = try named(p) { try forPart(s.plan[f]) { try TrainJob.seriesEnsemble(s.settings, data: trainingPart(data.only(j), s.plan[f].trainRange)) } }
            }
            return (data, setups)
        }
        progress(.started("\(n) series, each with its own model: \(units.count) (series, fit) units, horizon \(k), retrain \(r.backtest.retrain)"))
        if group.distributed {
            let blocks = (0..<group.size).map { "\(group.share(of: units.count, rank: $0).count)" }.joined(separator: ", ")
            progress(.note("\(group.size) ranks: the \(units.count) (series, fit) units dealt in contiguous blocks (\(blocks)), each trained on its rank; rank 0 scores"))
        }
        // This rank's units, concurrently as threads allow (each then single-threaded).
        final class Fitted: @unchecked Sendable { var models: [Int: Ensemble] = [:]; var done = 0; let lock = NSLock() }
        let fitted = Fitted(), calibrate = r.intervals.method == .conformal
        let total = mine.reduce(0) { t, u in t + plans[units[u].series].filter { $0.fitIndex == units[u].fit }.count }
        let policy = Parallelism(tasks: mine.count, threads: threads)
        struct UnitFailure: Error { var unit: Int, error: Error }
        var failure: (key: Int, error: Error)?
        do {
            try concurrentForEach(mine.count, threads: policy.workers) { i in
                let u = mine[i], (p, f) = units[u], (j, s) = setups[p]!
                do {
                    let model = try named(p) { () throws -> Ensemble in
                        let part = trainingPart(data.only(j), s.plan[f].trainRange)
                        let (model, samples) = try forPart(s.plan[f]) { try TrainJob.seriesModel(s.settings, data: part) }
                        try EnsembleFitter.fit(model, train: samples.trains, validation: samples.validations, threads: policy.threadsPerTask)
                        Calibrator.finish(model, data: part, calibrate: calibrate, threads: policy.threadsPerTask)
                        return model
                    }
                    let done: Int = fitted.lock.withLock {
                        fitted.models[u] = model; fitted.done += s.plan.filter { $0.fitIndex == f }.count
                        return fitted.done
                    }
                    progress(.origin(done: done, total: total, elapsed: Date().timeIntervalSince(clock)))
                } catch { throw UnitFailure(unit: u, error: error) }
            }
        } catch let e as UnitFailure { failure = (e.unit, e.error) }
        var models = fitted.models
        if group.distributed {   // every unit's model to rank 0
            var w = ByteWriter()
            do { for u in mine.sorted() where models[u] != nil { w.int(u); try models[u]!.encode(into: &w) } } catch { failure = failure ?? (mine[0], error) }
            let all = group.gather(w.bytes)
            try group.settle(failure)
            models = [:]
            for bytes in all {
                var reader = ByteReader(bytes)
                while !reader.atEnd { let u = reader.int(); models[u] = try Ensemble.decode(&reader) }
            }
        } else if let failure { throw failure.error }
        // Rank 0 forecasts and scores every window, series by series.
        var result = BacktestResult(windows: [], horizon: k, targets: [], season: 1, seasonSource: "", overall: PerMethod { _ in Metrics() },
                                    perStep: PerMethod { _ in [] }, fits: 0, skipped: 0, seconds: 0, lookback: 0)
        try group.onRoot {
            var windows: [BacktestWindow] = [], skipped = 0, pipelines: [String] = [], fittedAll: [Pipeline] = [], scores: [SeriesScores] = []
            let levels = r.intervals.activeLevels
            for p in 0..<n {
                let (j, s) = setups[p]!, one = data.only(j)
                let fits = Dictionary(uniqueKeysWithValues: units.indices.filter { units[$0].series == p }.map { (units[$0].fit, models[$0]!) })
                let (w, skip) = try named(p) {
                    try forecastWindows(s.plan, models: fits, data: one, season: s.season, intervals: r.intervals, threads: threads, progress: progress)
                }
                let sorted = w.sorted { $0.origin < $1.origin }
                windows += sorted; skipped += skip
                let fitted = fits.keys.sorted().map { fits[$0]!.manifest.pipeline! }
                pipelines += fitted.map { $0.summary(names: one.channels) }
                fittedAll += fitted
                var score = SeriesScores(id: ids[p], windows: sorted.count, fits: fits.count, lookback: s.settings.windows.lookback!,
                                         season: s.season, overall: PerMethod { m in Metrics.mean(sorted.map { $0.metrics[m] }) })
                if !levels.isEmpty {
                    for m in ForecastMethod.allCases where sorted.contains(where: { $0.bands[m] != nil }) {
                        score.intervals[m] = IntervalScore.mean(sorted.compactMap { $0.intervalScores[m] }, levels: levels.count)
                    }
                }
                scores.append(score)
            }
            let first = setups[0]!.1, seasons = Set(setups.values.map(\.1.season))
            result = Self.result(windows, horizon: k, targets: data.targetNames, season: first.season,
                                 seasonSource: seasons.count == 1 ? first.seasonSource : "differs between series: see summary.json's per_series",
                                 fits: units.count, skipped: skipped, clock: clock, lookback: first.settings.windows.lookback!, intervals: r.intervals)
            result.pipelines = pipelines
            // Over every series' fits at once: those that differ only in Theta's weights are one line.
            result.configurations = Pipeline.summaries(fittedAll, names: data.channels)
            result.perSeries = scores
        }
        return result
    }
}
