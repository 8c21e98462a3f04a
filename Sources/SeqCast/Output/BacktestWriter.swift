// BacktestWriter: backtest results to forecasts.csv / forecasts.h5 (origin, series, step, time,
// actual, forecast, baselines), metrics.csv (overall, per window, per horizon step),
// summary.json, and the terminal summary table.
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
        for m in Self.methods { out += "overall,,,,\(m),\(overall[m]!.csvFields)\n" }
        for m in Self.methods { for (k, x) in perStep[m]!.enumerated() { out += "step,,,\(k + 1),\(m),\(x.csvFields)\n" } }
        for w in windows { for m in Self.methods {
            out += "window,\(csvField(w.originLabel)),\(csvField(w.series)),,\(m),\(w.metrics[m]!.csvFields)\n"
        } }
        return out
    }

    public func summaryJSON(config: [String: Any]) throws(DataError) -> String {
        let obj: [String: Any] = [
            "metrics": overall["model"]!.json,
            "baselines": ["naive": overall["naive"]!.json, "seasonal_naive": overall["seasonal_naive"]!.json],
            "per_step": Dictionary(uniqueKeysWithValues: Self.methods.map { m in (m, perStep[m]!.map(\.json)) }),
            "windows": windows.count, "skipped_windows": skipped, "fits": fits, "seconds": seconds, "season": season, "season_source": seasonSource,
            "beats_seasonal_naive": beatsSeasonalNaive as Any? ?? NSNull(), "config": config,
        ]
        do {
            let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
            return String(decoding: data, as: UTF8.self) + "\n"
        } catch {
            throw .invalidArgument("cannot write summary.json: \(error)")
        }
    }

    /// The table printed at the end of a backtest.
    public var table: String {
        func f(_ v: Double?) -> String { v.map { String(format: "%10.4g", $0) } ?? String(repeating: " ", count: 9) + "-" }
        var out = "method                MAE      RMSE     MAPE%    sMAPE%      MASE\n"
        for (m, label) in zip(Self.methods, ["model", "naive", "seasonal naive"]) {
            let x = overall[m]!
            out += label.padding(toLength: 14, withPad: " ", startingAt: 0) + f(x.mae) + f(x.rmse) + f(x.mape) + f(x.smape) + f(x.mase) + "\n"
        }
        switch beatsSeasonalNaive {
        case true?: out += String(format: "The model beats seasonal naive on MASE (%.3f vs %.3f).\n", overall["model"]!.mase!, overall["seasonal_naive"]!.mase!)
        case false?: out += String(format: "The model does NOT beat seasonal naive on MASE (%.3f vs %.3f).\n", overall["model"]!.mase!, overall["seasonal_naive"]!.mase!)
        case nil: out += "MASE is undefined (flat training data), no verdict against seasonal naive.\n"
        }
        return out
    }

    /// Writes forecasts.csv, forecasts.h5, metrics.csv and summary.json into `dir`, each atomically.
    public func write(to dir: String, config: [String: Any]) throws(DataError) {
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
