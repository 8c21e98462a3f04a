// BacktestFiles: a backtest's output folder, written and read in one place — forecasts.csv /
// forecasts.h5 (origin, series, step, time, actual, forecast, baselines, and the model's and
// seasonal naive's interval bounds per level), metrics.csv (overall, per window, per horizon step;
// interval coverage, width, MSIS and pinball loss beside the point metrics), summary.json (metrics
// and the encoded settings), and the terminal summary table; forecasts.h5 is read back for
// `seqcast plot --kind backtest`.
import Foundation

extension Metrics {
    fileprivate var csvFields: String {
        [mae, rmse, mape, smape, mase].map { $0.map { "\($0)" } ?? "" }.joined(separator: ",")
    }
    fileprivate var json: [String: Any] {
        ["mae": mae as Any, "rmse": rmse as Any, "mape": mape as Any, "smape": smape as Any, "mase": mase as Any]
            .mapValues { ($0 as? Double).map { $0 as Any } ?? NSNull() }
    }
}

extension IntervalScore {
    /// Column names for `levels`: coverage_80, width_80, msis_80, …, pinball.
    static func csvHeader(_ levels: [Double]) -> [String] {
        levels.flatMap { l in ["coverage_", "width_", "msis_"].map { $0 + IntervalSettings.label(l) } } + ["pinball"]
    }
    static func csvFields(_ x: IntervalScore?, levels: Int) -> String {
        guard let x else { return String(repeating: ",", count: 3 * levels) }
        return ((0..<levels).flatMap { [x.coverage[$0], x.width[$0], x.msis[$0]] } + [x.pinball])
            .map { $0.map { "\($0)" } ?? "" }.joined(separator: ",")
    }
    func json(_ levels: [Double]) -> [String: Any] {
        func byLevel(_ v: [Double?]) -> [String: Any] {
            Dictionary(uniqueKeysWithValues: zip(levels, v).map { (IntervalSettings.label($0), $1 as Any? ?? NSNull()) })
        }
        return ["coverage": byLevel(coverage), "width": byLevel(width), "msis": byLevel(msis), "pinball": pinball as Any? ?? NSNull()]
    }
}

extension BacktestResult {
    /// The methods whose intervals are written (the model's and seasonal naive's), with their column prefix.
    var bandMethods: [(ForecastMethod, String)] { levels.isEmpty ? [] : [(.model, ""), (.seasonalNaive, "seasonal_naive_")] }

    /// forecasts.csv, a line (or the header) at a time.
    func forecastsCSV(_ emit: (String) -> Void) {
        let v = levels.count
        emit((["origin", "series", "step", "time", "variable", "actual", "forecast", "naive", "seasonal_naive"]
              + bandMethods.flatMap { Forecast.bandColumns(levels, prefix: $0.1) }).joined(separator: ",") + "\n")
        let o = targets.count
        for w in windows { for step in 0..<horizon { for (c, name) in targets.enumerated() {
            let i = step * o + c
            var out = "\(csvField(w.originLabel)),\(csvField(w.series)),\(step + 1),\(csvField(w.times[step])),\(csvField(name)),"
            out += "\(formatValue(w.actual[i])),\(formatValue(w.forecast[i])),\(formatValue(w.naive[i])),\(formatValue(w.seasonalNaive[i]))"
            for (m, _) in bandMethods {
                out += "," + (w.bands[m].map { Forecast.bandFields($0, index: i, levels: v) } ?? .init(repeating: "", count: 2 * v)).joined(separator: ",")
            }
            emit(out + "\n")
        } } }
    }

    /// metrics.csv, a line (or the header) at a time.
    func metricsCSV(_ emit: (String) -> Void) {
        let v = levels.count
        emit("scope,origin,series,step,method,mae,rmse,mape,smape,mase" + (v == 0 ? "" : "," + IntervalScore.csvHeader(levels).joined(separator: ",")) + "\n")
        func intervals(_ x: IntervalScore?) -> String { v == 0 ? "" : "," + IntervalScore.csvFields(x, levels: v) }
        let methods = ForecastMethod.allCases
        for m in methods { emit("overall,,,,\(m.rawValue),\(overall[m].csvFields)\(intervals(overallIntervals[m]))\n") }
        for m in methods { for (k, x) in perStep[m].enumerated() {
            emit("step,,,\(k + 1),\(m.rawValue),\(x.csvFields)\(intervals(perStepIntervals[m]?[k]))\n")
        } }
        for x in perSeries { for m in methods {   // --per-series: each series' means over its windows
            emit("series,,\(csvField(x.id)),,\(m.rawValue),\(x.overall[m].csvFields)\(intervals(x.intervals[m]))\n")
        } }
        for w in windows { for m in methods {
            emit("window,\(csvField(w.originLabel)),\(csvField(w.series)),,\(m.rawValue),\(w.metrics[m].csvFields)\(intervals(w.intervalScores[m]))\n")
        } }
    }

    /// summary.json: the metrics, and the settings of the run (`config`, the encoded request) with
    /// what was resolved from the data (look-back, season, fitted pipelines).
    public func summaryJSON(config: BacktestRequest.Config) throws(DataError) -> String {
        let settings: Any
        do { settings = try JSONSerialization.jsonObject(with: JSONEncoder.sorted.encode(config)) } catch {
            throw .unwritable(path: "summary.json", reason: "cannot encode the settings: \(error)")
        }
        var obj: [String: Any] = [
            "metrics": overall.model.json,
            "baselines": ["naive": overall.naive.json, "seasonal_naive": overall.seasonalNaive.json],
            "per_step": Dictionary(uniqueKeysWithValues: ForecastMethod.allCases.map { m in (m.rawValue, perStep[m].map(\.json)) }),
            "resolved": ["lookback": lookbackRange == nil ? lookback as Any : NSNull(),   // per series: per_series
                         "season": season, "pipelines": pipelines] as [String: Any],
            "windows": windows.count, "skipped_windows": skipped, "fits": fits, "seconds": seconds, "season": season, "season_source": seasonSource,
            "beats_seasonal_naive": beatsSeasonalNaive as Any? ?? NSNull(), "config": settings,
            "intervals": levels.isEmpty ? NSNull() : [
                "method": intervalMethod.rawValue, "levels": levels,
                "model": overallIntervals.model?.json(levels) as Any? ?? NSNull(),
                "seasonal_naive": overallIntervals.seasonalNaive?.json(levels) as Any? ?? NSNull(),
                "per_step": ["model": perStepIntervals.model?.map { $0.json(levels) } as Any? ?? NSNull(),
                             "seasonal_naive": perStepIntervals.seasonalNaive?.map { $0.json(levels) } as Any? ?? NSNull()],
            ] as [String: Any],
        ]
        if !perSeries.isEmpty {   // --per-series: each series' scores and what was resolved for it
            obj["per_series"] = perSeries.map { x -> [String: Any] in
                var o: [String: Any] = ["series": x.id, "windows": x.windows, "fits": x.fits, "lookback": x.lookback, "season": x.season,
                                        "metrics": x.overall.model.json,
                                        "baselines": ["naive": x.overall.naive.json, "seasonal_naive": x.overall.seasonalNaive.json]]
                if !levels.isEmpty {
                    o["intervals"] = ["model": x.intervals.model?.json(levels) as Any? ?? NSNull(),
                                      "seasonal_naive": x.intervals.seasonalNaive?.json(levels) as Any? ?? NSNull()]
                }
                return o
            }
        }
        do {
            let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
            return String(decoding: data, as: UTF8.self) + "\n"
        } catch {
            throw .unwritable(path: "summary.json", reason: "cannot encode: \(error)")
        }
    }

    /// The table printed at the end of a backtest.
    public var table: String {
        func f(_ v: Double?) -> String { v.map { String(format: "%10.4g", $0) } ?? String(repeating: " ", count: 9) + "-" }
        var out = "method                MAE      RMSE     MAPE%    sMAPE%      MASE\n"
        for m in ForecastMethod.allCases {
            let x = overall[m], label = m.label
            out += label.padding(toLength: 14, withPad: " ", startingAt: 0) + f(x.mae) + f(x.rmse) + f(x.mape) + f(x.smape) + f(x.mase) + "\n"
        }
        switch beatsSeasonalNaive {
        case true?: out += String(format: "The model beats seasonal naive on MASE (%.3f vs %.3f).\n", overall.model.mase!, overall.seasonalNaive.mase!)
        case false?: out += String(format: "The model does NOT beat seasonal naive on MASE (%.3f vs %.3f).\n", overall.model.mase!, overall.seasonalNaive.mase!)
        case nil: out += "MASE is undefined (no in-sample seasonal-naive error to scale by: flat training data, or a season as long as the training part), no verdict against seasonal naive.\n"
        }
        if !perSeries.isEmpty {
            let scored = perSeries.filter { $0.overall.model.mase != nil && $0.overall.seasonalNaive.mase != nil }
            let wins = scored.filter { $0.overall.model.mase! < $0.overall.seasonalNaive.mase! }.count
            out += "Per series: the model beats seasonal naive on MASE for \(wins) of \(scored.count) series\(scored.count < perSeries.count ? " (\(perSeries.count - scored.count) without a MASE)" : "").\n"
        }
        return out + intervalTable
    }

    /// The intervals' part of the table: coverage and mean width per level, MSIS per level, pinball.
    var intervalTable: String {
        guard !levels.isEmpty else { return "" }
        func f(_ v: Double?, _ format: String = "%10.4g") -> String { v.map { String(format: format, $0) } ?? String(repeating: " ", count: 9) + "-" }
        let names = levels.map(IntervalSettings.label)
        var out = "\n" + "intervals".padding(toLength: 14, withPad: " ", startingAt: 0)
        out += names.map { "cover\($0)%".leftPadded(10) }.joined() + names.map { "width\($0)%".leftPadded(10) }.joined()
        out += names.map { "MSIS\($0)%".leftPadded(10) }.joined() + "   pinball\n"
        for m in ForecastMethod.allCases {
            guard let x = overallIntervals[m] else { continue }
            out += m.label.padding(toLength: 14, withPad: " ", startingAt: 0) + x.coverage.map { f($0.map { 100 * $0 }, "%10.1f") }.joined()
            out += x.width.map { f($0) }.joined() + x.msis.map { f($0) }.joined() + f(x.pinball) + "\n"
        }
        if overallIntervals.model == nil {
            out += "model: no \(intervalMethod.rawValue) intervals (no calibration windows)\n"
        }
        return out
    }

    /// The files a backtest writes into its `--out` folder (the plot with `--plot`).
    public static let outputNames = ["forecasts.csv", "forecasts.h5", "metrics.csv", "summary.json", "backtest.png"]

    /// Writes forecasts.csv, forecasts.h5, metrics.csv and summary.json into `dir`, as one set: each
    /// is written to its temporary file first, and only when all four are written are they renamed
    /// into place, summary.json last (an interruption while writing left new files beside an
    /// earlier run's).
    public func write(to dir: String, config: BacktestRequest.Config) throws(DataError) {
        try AtomicFile.refuseOverwriting(input: config.train.data.path, folder: dir, names: Self.outputNames)
        try AtomicFile.makeDirectory(dir)
        // Streamed: a long backtest's CSV text is never held whole.
        let forecasts = try AtomicFile.stage(to: dir + "/forecasts.csv", errors: DataError.self) { (out: inout TextStream) throws(DataError) in
            forecastsCSV { out.write($0) }
        }
        let metrics = try AtomicFile.stage(to: dir + "/metrics.csv", errors: DataError.self) { (out: inout TextStream) throws(DataError) in
            metricsCSV { out.write($0) }
        }
        let json = try summaryJSON(config: config)
        let summary = try AtomicFile.stage(to: dir + "/summary.json", errors: DataError.self) { (out: inout TextStream) throws(DataError) in
            out.write(json)
        }
        let shape = [windows.count, horizon, targets.count]
        let arrays = try AtomicFile.Staged(dir + "/forecasts.h5") { (tmp: String) throws(DataError) in
            let attrs: [(String, AttributeValue)] = [("columns", .string(HDF5List.encode(targets, separator: ","))),
                                                     ("layout", .string("[window, step, variable]"))]
            let f = try HDF5File.create(tmp, largeAttributes: HDF5File.needsLargeAttributes(attrs))
            try f.write("forecast", shape: shape, values: windows.flatMap(\.forecast), attributes: attrs)
            try f.write("actual", shape: shape, values: windows.flatMap(\.actual), attributes: attrs)
            try f.write("naive", shape: shape, values: windows.flatMap(\.naive), attributes: attrs)
            try f.write("seasonal_naive", shape: shape, values: windows.flatMap(\.seasonalNaive), attributes: attrs)
            let bandShape = shape + [levels.count]
            let bandAttrs = attrs.map { $0.0 == "layout" ? ("layout", .string("[window, step, variable, level]")) : $0 } + [("levels", .numbers(levels))]
            for (m, prefix) in bandMethods {
                let bands = windows.map { $0.bands[m] ?? Band.missing(horizon * targets.count * levels.count) }
                let name = prefix.isEmpty ? "forecast_" : prefix
                try f.write(name + "lower", shape: bandShape, values: bands.flatMap(\.lower), attributes: bandAttrs)
                try f.write(name + "upper", shape: bandShape, values: bands.flatMap(\.upper), attributes: bandAttrs)
            }
            try f.write("origin", shape: [windows.count], values: windows.map { Float($0.origin) })
            try f.write("series", strings: windows.map(\.series))
            try f.write("time", strings: windows.flatMap(\.times))
            try f.close()
        }
        try AtomicFile.commit([forecasts, metrics, arrays, summary], errors: DataError.self)
    }
}

/// What a backtest plot needs, from a result in memory or a backtest output directory.
public struct BacktestPlotData: Sendable {
    public var origins: [Int], times: [String], series: [String]
    public var actual: [Float], forecast: [Float], naive: [Float], seasonalNaive: [Float]
    public var windows: Int, horizon: Int, targets: [String]
    /// Interval levels (percent; empty: none) and the model's and seasonal naive's bounds, each
    /// [window, step, variable, level] (empty when that method has none).
    public var levels: [Double] = []
    public var bands = PerMethod<Band?> { _ in nil }

    public init(_ r: BacktestResult) {
        origins = r.windows.map(\.origin); times = r.windows.flatMap(\.times); series = r.windows.map(\.series)
        actual = r.windows.flatMap(\.actual); forecast = r.windows.flatMap(\.forecast)
        naive = r.windows.flatMap(\.naive); seasonalNaive = r.windows.flatMap(\.seasonalNaive)
        windows = r.windows.count; horizon = r.horizon; targets = r.targets
        levels = r.levels
        for (m, _) in r.bandMethods where r.windows.allSatisfy({ $0.bands[m] != nil }) {
            bands[m] = Band(lower: r.windows.flatMap { $0.bands[m]!.lower }, upper: r.windows.flatMap { $0.bands[m]!.upper })
        }
    }

    /// Reads `dir/forecasts.h5` written by `seqcast backtest`.
    public init(directory dir: String) throws(DataError) {
        let f = try HDF5File.open(dir + "/forecasts.h5")
        let (shape, a) = try f.read("actual")
        guard shape.count == 3 else { throw .wrongRank(path: f.path, dataset: "actual", rank: shape.count, expected: "3") }
        windows = shape[0]; horizon = shape[1]
        actual = a
        forecast = try f.read("forecast").values; naive = try f.read("naive").values
        seasonalNaive = try f.read("seasonal_naive").values
        origins = try f.read("origin").values.map { Int($0) }
        times = try f.readStrings("time"); series = try f.readStrings("series")
        targets = HDF5List.decode(try f.stringAttribute("columns", of: "actual") ?? "", separator: ",", count: shape[2])
        if targets.count != shape[2] { targets = (0..<shape[2]).map { "v\($0)" } }
        let names = Set(try f.datasetNames())
        for (m, name) in [(ForecastMethod.model, "forecast_"), (.seasonalNaive, "seasonal_naive_")] where names.contains(name + "lower") {
            let (bandShape, lower) = try f.read(name + "lower")
            guard bandShape.count == 4, Array(bandShape.prefix(3)) == shape else {
                throw .shapeMismatch(path: f.path, detail: "'\(name)lower' has shape \(bandShape); expected \(shape) + [levels]")
            }
            if case .numbers(let l)? = try f.attribute("levels", of: name + "lower") { levels = l }
            guard levels.count == bandShape[3] else { throw .shapeMismatch(path: f.path, detail: "'\(name)lower' has no matching 'levels' attribute") }
            bands[m] = Band(lower: lower, upper: try f.read(name + "upper").values)
        }
    }
}

extension String {
    /// Right-aligned in `width` characters (never cut).
    fileprivate func leftPadded(_ width: Int) -> String { count >= width ? " " + self : String(repeating: " ", count: width - count) + self }
}
