// PerSeriesForecast: forecasting with a per-series model (Model/PerSeriesModel.swift) — every series
// of a file forecast with its own model, loaded one at a time, exactly as that model forecasts the
// series alone.
import Foundation

extension PerSeriesModel {
    /// Forecasts every series of `data` with its own model (loaded one at a time), in the data's
    /// order; each forecast is the one that series' model gives it alone. Interval bands are NaN for
    /// a series whose model has none (no calibration windows) while others have them.
    public func forecast(_ data: SeriesCollection, intervals: IntervalSettings = IntervalSettings(), threads: Int) throws -> Forecast {
        var out = Forecast(seriesIds: [], times: [], values: [], targetNames: data.targetNames, horizon: 0)
        var bands: [Band?] = []
        for i in data.series.indices {
            let id = data.series[i].id
            guard let p = ids.firstIndex(of: id) else { throw PerSeriesError.unknownSeries(directory: directory, path: data.source, id: id) }
            let m = try model(p)
            if !m.finished { out.unfinished.append(id) }
            let one = data.only(i)
            let f = try Forecaster.forecast(m, data: one, intervals: intervals, threads: threads)
            out.notes += f.notes.map { "series '\(id)': \($0)" }   // `seqcast forecast` prints them
            out.seriesIds += f.seriesIds; out.times += f.times; out.values += f.values; out.horizon = f.horizon
            out.targetNames = f.targetNames
            if !f.levels.isEmpty { out.levels = f.levels }
            bands.append(f.bands.first)
        }
        if !out.levels.isEmpty {
            let width = out.horizon * out.targetNames.count * out.levels.count
            out.bands = bands.map { $0 ?? Band.missing(width) }
        }
        return out
    }
}
