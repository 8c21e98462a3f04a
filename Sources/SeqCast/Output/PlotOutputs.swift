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

    /// Loss curves of the first member.
    public static func training(_ m: Ensemble, to path: String) throws -> String? {
        let c = m.manifest.model
        let members = m.members.count > 1 ? " (member 1 of \(m.members.count))" : ""
        return try Plots.training(m.members[0].state.history, loss: m.manifest.training.loss, to: path,
                                  title: "\(c.architecture.summary) on \(URL(fileURLWithPath: m.manifest.source).lastPathComponent)\(members)")
    }

    /// Forecast plot of the first series.
    public static func forecast(_ m: Ensemble, data: SeriesCollection, forecast f: Forecast, to path: String) throws -> String? {
        guard let first = data.series.first else { throw PlotError.nothingToPlot("no series to plot") }
        return try Plots.forecast(f, series: 0, history: first, timeColumn: data.timeAxis?.column,
                                  season: data.timeAxis?.seasonalPeriod, lookback: m.manifest.windows.lookback, to: path)
    }
}
