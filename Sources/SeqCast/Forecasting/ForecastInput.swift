// ForecastInput: where the two data modes meet for forecasting — series (each forecast from its
// last look-back window through the model's pipeline) or pre-cut supervised inputs (one forecast per
// row of an HDF5 [batch, steps, dim] dataset). Reading the input the model's way and forecasting it
// go through here, so a command never forks on the mode itself.

/// The data a forecast starts from.
public enum ForecastInput: Sendable {
    case series(SeriesCollection)
    /// HDF5 `path`, dataset `x` [batch, steps, dim].
    case supervised(path: String, x: String)

    /// Reads `path` the way `model` was trained: as series with its column selection (`dataset`
    /// overriding the HDF5 dataset), or, for a supervised model, dataset `x`. A model meets only
    /// the data of its own mode: anything else is a one-line error saying which flag to use.
    public static func read(_ path: String, for model: Ensemble, dataset: String? = nil, x: String? = nil) throws -> ForecastInput {
        let m = model.manifest
        switch (m.supervised, x) {
        case (.some, .some(let x)): return .supervised(path: path, x: x)
        case (.some, nil):
            throw ForecastError.wrongMode("this model was trained on pre-cut HDF5 samples (--x/--y); forecast with --x NAME")
        case (nil, .some):
            throw ForecastError.wrongMode("this model was trained in series mode; forecast with --data FILE (and --dataset for HDF5), without --x")
        case (nil, nil):
            var selection = m.selection
            if let dataset { selection.dataset = dataset }
            var data = try DataSource.load(path, selection: selection)
            if let id = m.seriesId, data.series.count > 1 || data.series.first?.id != id {
                // One series' model of a --per-series run: that series alone (every series was
                // forecast with this one's model).
                guard let s = data.series.first(where: { $0.id == id }) else {
                    throw ForecastError.wrongMode("\(path): this model is series '\(terminalSafe(id))''s of a --per-series run, and the file has no series '\(terminalSafe(id))'; forecast with the run's folder for every series")
                }
                data.series = [s]
            }
            return .series(data)
        }
    }

    /// The series, in series mode (what a forecast plot draws the history from).
    public var series: SeriesCollection? { if case .series(let c) = self { c } else { nil } }
}

extension Forecaster {
    /// Forecasts `input` with `model`, in whichever mode it was trained. Intervals are given in series
    /// mode when the model has what the method needs (a calibration, dropout, a quantile head).
    public static func forecast(_ model: Ensemble, input: ForecastInput, intervals: IntervalSettings = IntervalSettings(),
                                threads: Int) throws -> Forecast {
        switch input {
        case .series(let data): try forecast(model, data: data, intervals: intervals, threads: threads)
        case .supervised(let path, let x): try forecastSupervised(model, path: path, xName: x, threads: threads)
        }
    }
}
