// BacktestFiles: a backtest's output folder, written and read in one place — forecasts.csv /
// forecasts.h5 (origin, series, step, time, actual, forecast, baselines), metrics.csv (overall, per
// window, per horizon step), summary.json (metrics and the encoded settings), and the terminal
// summary table; forecasts.h5 is read back for `seqcast plot --kind backtest`.
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

extension BacktestResult {
    public var forecastsCSV: String {
        var out = "origin,series,step,time,variable,actual,forecast,naive,seasonal_naive\n"
        let o = targets.count
        for w in windows { for step in 0..<horizon { for (c, name) in targets.enumerated() {
            let i = step * o + c
            out += "\(csvField(w.originLabel)),\(csvField(w.series)),\(step + 1),\(csvField(w.times[step])),\(csvField(name)),"
            out += "\(formatValue(w.actual[i])),\(formatValue(w.forecast[i])),\(formatValue(w.naive[i])),\(formatValue(w.seasonalNaive[i]))\n"
        } } }
        return out
    }

    public var metricsCSV: String {
        var out = "scope,origin,series,step,method,mae,rmse,mape,smape,mase\n"
        let methods = ForecastMethod.allCases
        for m in methods { out += "overall,,,,\(m.rawValue),\(overall[m].csvFields)\n" }
        for m in methods { for (k, x) in perStep[m].enumerated() { out += "step,,,\(k + 1),\(m.rawValue),\(x.csvFields)\n" } }
        for w in windows { for m in methods {
            out += "window,\(csvField(w.originLabel)),\(csvField(w.series)),,\(m.rawValue),\(w.metrics[m].csvFields)\n"
        } }
        return out
    }

    /// summary.json: the metrics, and the settings of the run (`config`, the encoded request) with
    /// what was resolved from the data (look-back, season, fitted pipelines).
    public func summaryJSON(config: BacktestRequest.Config) throws(DataError) -> String {
        let settings: Any
        do { settings = try JSONSerialization.jsonObject(with: JSONEncoder.sorted.encode(config)) } catch {
            throw .unwritable(path: "summary.json", reason: "cannot encode the settings: \(error)")
        }
        let obj: [String: Any] = [
            "metrics": overall.model.json,
            "baselines": ["naive": overall.naive.json, "seasonal_naive": overall.seasonalNaive.json],
            "per_step": Dictionary(uniqueKeysWithValues: ForecastMethod.allCases.map { m in (m.rawValue, perStep[m].map(\.json)) }),
            "resolved": ["lookback": lookback, "season": season, "pipelines": pipelines] as [String: Any],
            "windows": windows.count, "skipped_windows": skipped, "fits": fits, "seconds": seconds, "season": season, "season_source": seasonSource,
            "beats_seasonal_naive": beatsSeasonalNaive as Any? ?? NSNull(), "config": settings,
        ]
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
        case nil: out += "MASE is undefined (flat training data), no verdict against seasonal naive.\n"
        }
        return out
    }

    /// Writes forecasts.csv, forecasts.h5, metrics.csv and summary.json into `dir`, each atomically.
    public func write(to dir: String, config: BacktestRequest.Config) throws(DataError) {
        try AtomicFile.makeDirectory(dir)
        try AtomicFile.write(forecastsCSV, to: dir + "/forecasts.csv")
        try AtomicFile.write(metricsCSV, to: dir + "/metrics.csv")
        try AtomicFile.write(try summaryJSON(config: config), to: dir + "/summary.json")
        let shape = [windows.count, horizon, targets.count]
        try AtomicFile.write(to: dir + "/forecasts.h5") { tmp throws(DataError) in
            let f = try HDF5File.create(tmp)
            let attrs: [(String, AttributeValue)] = [("columns", .string(targets.joined(separator: ","))),
                                                     ("layout", .string("[window, step, variable]"))]
            try f.write("forecast", shape: shape, values: windows.flatMap(\.forecast), attributes: attrs)
            try f.write("actual", shape: shape, values: windows.flatMap(\.actual), attributes: attrs)
            try f.write("naive", shape: shape, values: windows.flatMap(\.naive), attributes: attrs)
            try f.write("seasonal_naive", shape: shape, values: windows.flatMap(\.seasonalNaive), attributes: attrs)
            try f.write("origin", shape: [windows.count], values: windows.map { Float($0.origin) })
            try f.write("series", strings: windows.map(\.series))
            try f.write("time", strings: windows.flatMap(\.times))
            try f.close()
        }
    }
}

/// What a backtest plot needs, from a result in memory or a backtest output directory.
public struct BacktestPlotData: Sendable {
    public var origins: [Int], times: [String], series: [String]
    public var actual: [Float], forecast: [Float], naive: [Float], seasonalNaive: [Float]
    public var windows: Int, horizon: Int, targets: [String]

    public init(_ r: BacktestResult) {
        origins = r.windows.map(\.origin); times = r.windows.flatMap(\.times); series = r.windows.map(\.series)
        actual = r.windows.flatMap(\.actual); forecast = r.windows.flatMap(\.forecast)
        naive = r.windows.flatMap(\.naive); seasonalNaive = r.windows.flatMap(\.seasonalNaive)
        windows = r.windows.count; horizon = r.horizon; targets = r.targets
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
        targets = (try f.stringAttribute("columns", of: "actual") ?? "").split(separator: ",").map(String.init)
        if targets.count != shape[2] { targets = (0..<shape[2]).map { "v\($0)" } }
    }
}
