// `seqcast backtest`: rolling-origin evaluation against naive and seasonal-naive baselines.
import ArgumentParser
import Foundation
import SeqCast

extension BacktestStart: ExpressibleByArgument {}
extension RetrainPolicy: ExpressibleByArgument {}

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest", abstract: "Rolling-origin backtest with metrics and naive / seasonal-naive baselines.")

    @OptionGroup var data: DataOptions
    @OptionGroup var window: WindowOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var training: TrainingFlags
    @OptionGroup var intervals: IntervalOptions

    @Option(help: "First forecast point: a fraction of the series (0.8) or an index.") var start: BacktestStart = BacktestSettings().start
    @Option(name: [.customLong("stride"), .customLong("origin-stride")], help: "Steps between forecast origins, as Darts' stride (default: the horizon); --origin-stride is the same.") var stride: Int?
    @Option(help: "Refit: always, never, or every N origins.") var retrain: RetrainPolicy = BacktestSettings().retrain
    @Option(help: "Sliding training window of N steps (default: expanding from the start).") var trainLength: Int?
    @Option(help: "Output directory.") var out: String
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Also write backtest.png into --out.") var plot = false
    @Option(help: "Folder of the gnuplot plot templates (default: $SEQCAST_PLOTS, else the plots/ installed with seqcast; never the current directory).") var plotTemplates: String?

    func request() throws -> BacktestRequest {
        if data.x != nil { throw ValidationError("backtest works on series (CSV or HDF5 --dataset), not pre-cut --x/--y samples") }
        var r = BacktestRequest(train: try trainRequest(data: data, window: window, model: model, training: training, out: out))
        r.backtest.start = start; r.backtest.stride = stride; r.backtest.retrain = retrain; r.backtest.trainLength = trainLength
        r.intervals = try intervals.settings()
        do { try r.backtest.validate(); r = try r.resolved() } catch { throw ValidationError(error.description) }
        return r
    }

    func validate() throws {
        // Two spellings of one flag: the last would win silently when they disagree.
        let strides = typedValues("--stride") + typedValues("--origin-stride")
        if Set(strides).count > 1 {
            throw ValidationError("--stride (also spelled --origin-stride) given different values (\(strides.joined(separator: ", "))); give one")
        }
        _ = try request()
    }

    func run() throws {
        PlotOutputs.useTemplates(plotTemplates)
        let r = try request()
        let root = r.train.run.group.isRoot   // under mpirun: rank 0 alone reports and writes
        let progress = ProgressPrinter(quiet: quiet || !root)
        if root && r.intervals.method == .mcDropout && model.dropout == 0 && model.recurrentDropout == 0 {
            print("note: no --dropout or --recurrent-dropout, so Monte-Carlo dropout intervals have zero width")
        }
        let result = try BacktestJob.run(r, progress: progress.backtest)
        progress.finish()
        // A backtest.png beside an earlier run's summary.json is that run's plot: it goes (a plot
        // that fails leaves none rather than the old one); elsewhere a file of that name is left.
        let stalePlot = out + "/backtest.png", earlierRun = FileManager.default.fileExists(atPath: out + "/summary.json")
        try r.train.run.group.onRoot { try result.write(to: out, config: r.config) }
        guard root else { return }
        if earlierRun, FileManager.default.fileExists(atPath: stalePlot), (try? FileManager.default.removeItem(atPath: stalePlot)) != nil, !plot {
            print(terminalSafe("note: removed \(stalePlot), an earlier run's plot (this run has no --plot)"))
        }
        print(terminalSafe("backtest of \(data.data): \(result.windows.count) window\(result.windows.count == 1 ? "" : "s")\(result.skipped > 0 ? " (\(result.skipped) left out\(quiet ? ": their rows touch a gap, or values the log transform cannot take; the notes without --quiet say which" : ", see the notes"))" : ""), horizon \(result.horizon), season \(result.season) (\(result.seasonSource)), \(result.fits) fit\(result.fits == 1 ? "" : "s"), \(String(format: "%.1f", result.seconds)) s → \(out)"))
        let distinct = result.configurations
        print(terminalSafe("configuration: \(r.train.architecture.summary) ×\(training.ensemble), lookback \(result.lookbackText); \(distinct.joined(separator: " / "))\(distinct.count > 1 ? " (differs between fits)" : "")"))
        print(result.table, terminator: "")
        if plot {
            report(try Plots.backtest(BacktestPlotData(result), to: out + "/backtest.png",
                                      title: "backtest of \(URL(fileURLWithPath: data.data).lastPathComponent): \(result.windows.count) window\(result.windows.count == 1 ? "" : "s"), horizon \(result.horizon)"))
            print(terminalSafe("plot → \(out)/backtest.png"))
        }
    }
}
