// `seqcast plot`, and the `--plot` helpers used by train, forecast and backtest.
import ArgumentParser
import Foundation
import SeqCast

extension PlotKind: ExpressibleByArgument {}

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot", abstract: "Render a forecast, backtest or training plot (PNG or SVG) with gnuplot.")

    @Option(help: "A model directory / model.h5 (forecast, training) or a backtest output directory (backtest).")
    var from: String
    @Option(help: "forecast, backtest or training.") var kind: PlotKind
    @Option(help: "Image file: .png or .svg.") var out: String
    @Option(help: "Forecast plots: data file to forecast from (default: the model's training data).") var data: String?
    @Option(help: "Folder of the gnuplot plot templates (default: $SEQCAST_PLOTS, else the plots/ installed with seqcast; never the current directory).") var plotTemplates: String?

    func validate() throws {
        let ext = URL(fileURLWithPath: out).pathExtension.lowercased()
        if ext != "png" && ext != "svg" { throw ValidationError("--out must end in .png or .svg") }
    }

    func run() throws {
        usePlotTemplates(plotTemplates)
        switch kind {
        case .training:
            let m = try ModelFile.load(from)
            report(try PlotOutputs.training(m, to: out))
        case .forecast:
            let m = try ModelFile.load(from)
            let collection = try DataSource.load(data ?? m.manifest.source, selection: m.manifest.selection)
            report(try PlotOutputs.forecast(m, data: collection, forecast: try Forecaster.forecast(m, data: collection), to: out))
        case .backtest:
            report(try Plots.backtest(BacktestPlotData(directory: from), to: out, title: "backtest: \(from)"))
        }
        print(terminalSafe("plot → \(out)"))
    }
}

/// --plot-templates DIR: the renderer reads the templates from $SEQCAST_PLOTS, so the flag sets it.
func usePlotTemplates(_ dir: String?) {
    if let dir { setenv("SEQCAST_PLOTS", dir, 1) }
}

/// Prints gnuplot's warnings, if any.
func report(_ warnings: String?) {
    if let warnings { FileHandle.standardError.write(Data("warning: gnuplot: \(terminalSafe(warnings.replacingOccurrences(of: "\n", with: " | ")))\n".utf8)) }
}

enum PlotOutputs {
    static func training(_ m: ModelFile, to path: String) throws -> String? {
        let c = m.manifest.model
        let members = m.members.count > 1 ? " (member 1 of \(m.members.count))" : ""
        return try Plots.training(m.members[0].state.history, loss: m.manifest.training.loss, to: path,
                                  title: "\(c.cell) \(c.layers)×\(c.hidden) on \(URL(fileURLWithPath: m.manifest.source).lastPathComponent)\(members)")
    }

    /// Forecast plot of the first series.
    static func forecast(_ m: ModelFile, data: SeriesCollection, forecast f: Forecast, to path: String) throws -> String? {
        guard let first = data.series.first else { throw PlotError.nothingToPlot("no series to plot") }
        return try Plots.forecast(f, series: 0, history: first, timeColumn: data.timeAxis?.column,
                                  season: data.timeAxis?.seasonalPeriod, lookback: m.manifest.model.lookback, to: path)
    }
}
