// PlotOutputs: the plots the commands draw beside their outputs (`--plot` of train, forecast and
// backtest, and `seqcast plot`) — what goes into each, from a model and its data — and where the
// plot templates come from.
import Foundation

public enum PlotOutputs {
    /// `--plot-templates DIR`: the renderer reads the templates from $SEQCAST_PLOTS, so the flag sets it.
    public static func useTemplates(_ dir: String?) {
        if let dir { setenv("SEQCAST_PLOTS", dir, 1) }
    }

    /// gnuplot's warnings as one terminal-safe line, or nil when there were none.
    public static func warningLine(_ warnings: String?) -> String? {
        warnings.map { "warning: gnuplot: " + terminalSafe($0.replacingOccurrences(of: "\n", with: " | ")) }
    }

    /// Refuses a `--from` of the other kind before reading it: a backtest plot needs a backtest's
    /// output folder (forecasts.h5), the forecast and training plots a model (folder or model.h5).
    public static func checkSource(_ from: String, kind: PlotKind) throws(PlotError) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        let dir = fm.fileExists(atPath: from, isDirectory: &isDir) && isDir.boolValue
        let hasModel = dir ? fm.fileExists(atPath: from + "/model.h5") : from.lowercased().hasSuffix(".h5") && URL(fileURLWithPath: from).lastPathComponent != "forecasts.h5"
        let hasBacktest = dir && fm.fileExists(atPath: from + "/forecasts.h5")
        switch kind {
        case .backtest where !hasBacktest && hasModel:
            throw .nothingToPlot("\(from) is a model, not a backtest's output folder (forecasts.h5): plot it with --kind forecast or --kind training, or give --from the --out folder of seqcast backtest")
        case .forecast, .training:
            if hasBacktest && !hasModel {
                throw .nothingToPlot("\(from) is a backtest's output folder (forecasts.h5, no model.h5): plot it with --kind backtest; --kind \(kind.rawValue) needs a model folder from seqcast train")
            }
        default: break
        }
    }

    /// Loss curves of the first member.
    public static func training(_ m: Ensemble, to path: String) throws -> String? {
        let c = m.manifest.model
        let members = m.members.count > 1 ? " (member 1 of \(m.members.count))" : ""
        return try Plots.training(m.members[0].state.history, loss: m.manifest.training.loss, to: path,
                                  title: "\(c.architecture.summary) on \(URL(fileURLWithPath: m.manifest.source).lastPathComponent)\(members)")
    }

    /// What `seqcast plot --kind forecast` draws from the model at `from`: the model and the series,
    /// read as `forecast` reads them — a series model of a --per-series run (DIR/series/<p>) its own
    /// series, the run's folder the data's first series with that series' model — from `data`, else
    /// from the training data's path as train was given it (refused when it is not found from here,
    /// or names other data than the model was trained on: a relative path counts from where train
    /// ran).
    public static func forecastInput(from: String, data: String?) throws -> (model: Ensemble, series: SeriesCollection) {
        func source(_ stored: String, digest: String?) throws -> String {
            if let data { return data }
            guard FileManager.default.fileExists(atPath: stored) else {
                throw PlotError.nothingToPlot("\(from) was trained on \(stored), which is not found from here (a relative path counts from where train ran); give the data with --data FILE")
            }
            if let digest, let now = FileDigest.of(stored), now != digest {
                throw PlotError.nothingToPlot("\(from) was trained on \(stored), and the file of that name here is other data (size:hash \(now), trained on \(digest): it changed, or a relative path counts from where train ran); give the data with --data FILE")
            }
            return stored
        }
        let model: Ensemble, series: SeriesCollection
        if let run = try PerSeriesModel.open(from) {
            let all = try run.read(try source(run.settings.data.path, digest: run.sourceDigest))
            guard let p = run.ids.firstIndex(of: all.series[0].id) else {
                throw PerSeriesError.unknownSeries(directory: from, path: all.source, id: all.series[0].id)
            }
            (model, series) = (try run.model(p), all.only(0))
        } else {
            model = try ModelFile.load(from)
            if model.manifest.supervised != nil {
                throw PlotError.nothingToPlot("\(from) was trained on pre-cut HDF5 samples (--x/--y): they have no history to plot; forecast them with seqcast forecast --x NAME")
            }
            guard let s = try ForecastInput.read(try source(model.manifest.source, digest: model.manifest.sourceDigest), for: model).series else {
                throw PlotError.nothingToPlot("\(from): no series to plot")
            }
            series = s
        }
        return (model, series)
    }

    /// Forecast plot of the first series.
    public static func forecast(_ m: Ensemble, data: SeriesCollection, forecast f: Forecast, to path: String) throws -> String? {
        guard let first = data.series.first else { throw PlotError.nothingToPlot("no series to plot") }
        return try Plots.forecast(f, series: 0, history: first, timeColumn: data.timeAxis?.column,
                                  season: data.timeAxis?.seasonalPeriod, lookback: m.manifest.windows.lookback, to: path)
    }
}
