// Plots: builds the data files and settings for each plot kind — forecast (recent history,
// forecast, actuals, interval bands), backtest (every origin's forecast and band over the series,
// error by horizon step, interval coverage by horizon step), training (loss curves) — and renders
// them with PlotRenderer. Each returns gnuplot's warnings.
import Foundation

public enum Plots {
    /// Training and validation loss per epoch.
    public static func training(_ history: [EpochRecord], loss: LossKind, to path: String, title: String) throws -> String? {
        guard !history.isEmpty else { throw PlotError.nothingToPlot("no training history to plot") }
        let losses = history.flatMap { [$0.trainLoss] + ($0.validationLoss.map { [$0] } ?? []) }.filter { $0 > 0 }
        let spread = (losses.max() ?? 1) / max(losses.min() ?? 1, 1e-300)
        let hasVal = history.contains { $0.validationLoss != nil }
        let rows = history.map { ["\($0.epoch)", "\($0.trainLoss)", $0.validationLoss.map { "\($0)" } ?? "?"] }
        return try PlotRenderer.render(.training, to: path, title: title,
                                       settings: [("logscale", .number(spread > 100 ? 1 : 0)),
                                                  ("has_validation", .number(hasVal ? 1 : 0)),
                                                  ("ylabel_1", .text("\(loss.rawValue.uppercased()) (scaled units)"))],
                                       files: ["training.tsv": PlotRenderer.tsv(rows)])
    }

    /// The last seasons of `series` (targets = its first `forecast.targetNames.count` channels) and the
    /// forecast of series index `s`; `actual` [K·O] when known.
    public static func forecast(_ f: Forecast, series s: Int, history: Series, timeColumn: String?, season: Int?,
                                lookback: Int, actual: [Float]? = nil, to path: String) throws -> String? {
        let O = f.targetNames.count, K = f.horizon
        let span = min(history.length, max(3 * (season ?? 0), 4 * K, lookback, 24))
        let start = history.length - span
        let label: (Int) -> String = { t in history.time.isEmpty ? "\(t)" : history.time[t] }
        var hist: [[String]] = [], fc: [[String]] = [], act: [[String]] = []
        for t in start..<history.length {
            hist.append(["\(t)", PlotRenderer.cell(label(t))] + (0..<O).map { "\(history.matrix[t, $0])" })
        }
        // The forecast line starts at the last observation so it joins the history.
        fc.append(["\(history.length - 1)", PlotRenderer.cell(label(history.length - 1))] + (0..<O).map { "\(history.matrix[history.length - 1, $0])" })
        for k in 0..<K {
            let row = ["\(history.length + k)", PlotRenderer.cell(f.times[s][k])] + (0..<O).map { "\(f.values[s][k * O + $0])" }
            fc.append(row)
            if let actual { act.append(Array(row.prefix(2)) + (0..<O).map { "\(actual[k * O + $0])" }) }
        }
        // Bands: per variable, per level (narrowest first), lower and upper.
        let V = f.bands.isEmpty ? 0 : f.levels.count
        var band: [[String]] = []
        for k in 0..<(V == 0 ? 0 : K) {
            var row = ["\(history.length + k)", PlotRenderer.cell(f.times[s][k])]
            for o in 0..<O { row += PlotData.bounds(f.bands[s], index: k * O + o, levels: V) }
            band.append(row)
        }
        var settings: [(String, PlotValue)] = [("panels", .number(Double(O))), ("has_actual", .number(actual == nil ? 0 : 1)),
                                               ("bands", .number(Double(V))), ("xlabel_text", .text(timeColumn ?? "step")),
                                               ("label_step", .number(Double(PlotRenderer.labelStep(count: span + K, season: season))))]
        for (i, name) in f.targetNames.enumerated() { settings.append(("ylabel_\(i + 1)", .text(name))) }
        for j in 0..<V { settings.append(("level_\(j + 1)", .text(IntervalSettings.label(f.levels[j]) + "% interval"))) }
        var files = ["history.tsv": PlotRenderer.tsv(hist), "forecast.tsv": PlotRenderer.tsv(fc)]
        if V > 0 { files["band.tsv"] = PlotRenderer.tsv(band) }
        if actual != nil { files["actual.tsv"] = PlotRenderer.tsv(act) }
        let title = "\(f.seriesIds[s]): \(K)-step forecast of \(f.targetNames.joined(separator: ", "))"
        return try PlotRenderer.render(.forecast, to: path, title: title, settings: settings, files: files,
                                       height: max(600, 300 * O))
    }

    /// Every origin's forecast (and its interval band) of the first target over the actuals (first
    /// series), MAE by horizon step for the model and both baselines (all series and targets), and
    /// with intervals the empirical coverage by horizon step of the model's and seasonal naive's.
    public static func backtest(_ d: BacktestPlotData, to path: String, title: String) throws -> String? {
        guard d.windows > 0 else { throw PlotError.nothingToPlot("the backtest has no windows") }
        let O = d.targets.count, K = d.horizon, V = d.bands.model == nil ? 0 : d.levels.count
        let first = d.series[0]
        var actualByIndex: [Int: (String, Float)] = [:]
        var blocks: [String] = []
        for w in 0..<d.windows where d.series[w] == first {
            var rows: [[String]] = []
            for k in 0..<K {
                let i = (w * K + k) * O, t = d.origins[w] + k
                actualByIndex[t] = (d.times[w * K + k], d.actual[i])
                var row = ["\(t)", PlotRenderer.cell(d.times[w * K + k]), "\(d.forecast[i])"]
                if let b = d.bands.model, V > 0 { row += PlotData.bounds(b, index: i, levels: V) }
                rows.append(row)
            }
            blocks.append(PlotRenderer.tsv(rows))
        }
        let actualRows = actualByIndex.keys.sorted().map { t in ["\(t)", PlotRenderer.cell(actualByIndex[t]!.0), "\(actualByIndex[t]!.1)"] }
        var steps: [[String]] = []
        for k in 0..<K {
            func mae(_ pred: [Float]) -> Double {
                var s = 0.0, n = 0
                for w in 0..<d.windows { for c in 0..<O {
                    let i = (w * K + k) * O + c
                    let e = Double(pred[i]) - Double(d.actual[i]); if e.isNaN { continue }
                    s += abs(e); n += 1
                } }
                return n > 0 ? s / Double(n) : .nan
            }
            steps.append(["\(k + 1)", "\(mae(d.forecast))", "\(mae(d.naive))", "\(mae(d.seasonalNaive))"])
        }
        // Coverage by step: per level, the model's and seasonal naive's fraction of actuals inside (%).
        func covered(_ b: Band?, step k: Int, level j: Int) -> String {
            guard let b else { return "?" }
            var inside = 0, n = 0
            for w in 0..<d.windows { for c in 0..<O {
                let i = (w * K + k) * O + c, y = d.actual[i], lo = b.lower[i * V + j], hi = b.upper[i * V + j]
                guard y.isFinite && lo.isFinite && hi.isFinite else { continue }
                n += 1; if y >= lo && y <= hi { inside += 1 }
            } }
            return n > 0 ? "\(100 * Double(inside) / Double(n))" : "?"
        }
        var coverage: [[String]] = []
        for k in 0..<K {
            var row = ["\(k + 1)"]
            for j in 0..<V { row += [covered(d.bands.model, step: k, level: j), covered(d.bands.seasonalNaive, step: k, level: j)] }
            coverage.append(row)
        }
        let span = (actualByIndex.keys.max() ?? 0) - (actualByIndex.keys.min() ?? 0) + 1
        var settings: [(String, PlotValue)] = [
            // The top panel draws the first series' first target: named, with how many there are.
            ("windows", .number(Double(blocks.count))), ("ylabel_1", .text(topLabel(d))),
            ("xlabel_text", .text("time")), ("label_step", .number(Double(PlotRenderer.labelStep(count: span)))),
            ("bands", .number(Double(V))),
        ]
        for j in 0..<V {
            settings.append(("level_\(j + 1)", .text(IntervalSettings.label(d.levels[j]) + "%")))
            settings.append(("nominal_\(j + 1)", .number(d.levels[j])))
        }
        var files = ["actual.tsv": PlotRenderer.tsv(actualRows), "windows.tsv": blocks.joined(separator: "\n\n"),
                     "steps.tsv": PlotRenderer.tsv(steps)]
        if V > 0 { files["coverage.tsv"] = PlotRenderer.tsv(coverage) }
        return try PlotRenderer.render(.backtest, to: path, title: title, settings: settings, files: files,
                                       height: V > 0 ? 900 : 600)
    }
}

extension Plots {
    /// The y label of a backtest plot's top panel: the target, and which series and target of how
    /// many it is when there are several (only the first is drawn there; the lower panels pool all).
    public static func topLabel(_ d: BacktestPlotData) -> String {
        let target = d.targets.first ?? "value", seriesCount = Set(d.series).count
        var notes: [String] = []
        if seriesCount > 1 { notes.append("series \(d.series[0]), 1st of \(seriesCount)") }
        if d.targets.count > 1 { notes.append("1st of \(d.targets.count) targets") }
        return notes.isEmpty ? target : target + " (" + notes.joined(separator: "; ") + ")"
    }
}

enum PlotData {
    /// The lower and upper bound of value `i` ([K·O] index) at each of `levels` levels, as TSV cells.
    static func bounds(_ b: Band, index i: Int, levels: Int) -> [String] {
        var cells: [String] = []
        for j in 0..<levels { cells.append("\(b.lower[i * levels + j])"); cells.append("\(b.upper[i * levels + j])") }
        return cells
    }
}
