// `seqcast plot`: a forecast, backtest or training plot from a model or a backtest folder.
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
        PlotOutputs.useTemplates(plotTemplates)
        try PlotOutputs.checkSource(from, kind: kind)
        switch kind {
        case .training:
            let m = try ModelFile.load(from)
            report(try PlotOutputs.training(m, to: out))
        case .forecast:
            let (m, series) = try PlotOutputs.forecastInput(from: from, data: data)
            let forecast = try Forecaster.forecast(m, data: series)
            for note in forecast.notes { print(terminalSafe("note: \(from): \(note)")) }   // what `forecast` prints
            report(try PlotOutputs.forecast(m, data: series, forecast: forecast, to: out))
        case .backtest:
            report(try Plots.backtest(BacktestPlotData(directory: from), to: out, title: "backtest: \(from)"))
        }
        print(terminalSafe("plot → \(out)"))
    }
}

/// Prints gnuplot's warnings, if any.
func report(_ warnings: String?) {
    if let line = PlotOutputs.warningLine(warnings) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}
