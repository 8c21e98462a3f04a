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

    @Option(help: "First forecast point: a fraction of the series (0.8) or an index.") var start: BacktestStart = .fraction(0.8)
    @Option(name: .customLong("origin-stride"), help: "Steps between forecast origins (default: the horizon).") var originStride: Int?
    @Option(help: "Refit: always, never, or every N origins.") var retrain: RetrainPolicy = .always
    @Option(help: "Sliding training window of N steps (default: expanding from the start).") var trainLength: Int?
    @Option(help: "Seasonal period for seasonal naive and MASE, or auto.") var season: String = "auto"
    @Option(help: "Output directory.") var out: String
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Also write backtest.png into --out.") var plot = false
    @Option(help: "Folder of the gnuplot plot templates (default: $SEQCAST_PLOTS, else the plots/ installed with seqcast; never the current directory).") var plotTemplates: String?

    func validate() throws {
        if season != "auto" && (Int(season) ?? 0) < 1 { throw ValidationError("--season must be auto or a positive integer") }
        if let s = originStride, s < 1 { throw ValidationError("--origin-stride must be at least 1") }
        if data.x != nil { throw ValidationError("backtest works on series (CSV or HDF5 --dataset), not pre-cut --x/--y samples") }
    }

    func run() throws {
        usePlotTemplates(plotTemplates)
        var r = BacktestRequest(train: trainRequest(data: data, window: window, model: model, training: training, out: out))
        r.start = start; r.stride = originStride; r.retrain = retrain; r.trainLength = trainLength
        r.season = Int(season)
        let live = isatty(STDERR_FILENO) != 0, quiet = quiet
        let result = try BacktestJob.run(r) { e in
            guard !quiet else { return }
            switch e {
            case .started(let s): FileHandle.standardError.write(Data("backtest \(terminalSafe(s))\n".utf8))
            case .note(let s): FileHandle.standardError.write(Data("\(live ? "\r\u{1B}[K" : "")note: \(terminalSafe(s))\n".utf8))
            case .origin(let done, let total, let elapsed):
                let eta = elapsed / Double(done) * Double(total - done)
                let line = String(format: "origin %d of %d  %.1fs elapsed  ETA %.0fs", done, total, elapsed, eta)
                FileHandle.standardError.write(Data((live ? "\r\u{1B}[K" + line : line + "\n").utf8))
            }
        }
        if live && !quiet { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let config: [String: Any] = [
            "data": data.data, "cell": model.cell.rawValue, "hidden": model.hidden, "layers": model.layers,
            "head": model.head.rawValue, "lookback": result.lookback, "horizon": window.horizon, "scaler": window.scaler.rawValue,
            "epochs": training.options.epochs, "patience": training.patience, "lr": Double(training.lr), "seed": training.seed,
            "start": start.description, "origin_stride": originStride ?? window.horizon, "retrain": retrain.description,
            "train_length": trainLength as Any? ?? NSNull(), "season": result.season, "layer_norm": model.layerNorm,
            "transform": window.transform.description, "baseline": window.baseline, "baseline_weight": window.baselineWeight,
            "ensemble": training.ensemble, "loss": training.loss.rawValue, "optimizer": training.optimizer.rawValue,
            "clip": Double(training.clip), "val_fraction": window.valFraction, "window_stride": window.stride,
            "forget_init": model.forgetInit.description, "target": data.target as Any? ?? NSNull(),
            "pipelines": result.pipelines,
            "dropout": Double(model.dropout), "recurrent_dropout": Double(model.recurrentDropout), "batch_size": training.batchSize,
        ]
        try result.write(to: out, config: config)
        print(terminalSafe("backtest of \(data.data): \(result.windows.count) windows\(result.skipped > 0 ? " (\(result.skipped) left out, see the notes)" : ""), horizon \(result.horizon), season \(result.season) (\(result.seasonSource)), \(result.fits) fits, \(String(format: "%.1f", result.seconds)) s → \(out)"))
        let distinct = result.pipelines.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        print(terminalSafe("configuration: \(model.cell.rawValue) \(model.layers)×\(model.hidden) ×\(training.ensemble), lookback \(result.lookback); \(distinct.joined(separator: " / "))\(distinct.count > 1 ? " (differs between fits)" : "")"))
        print(result.table, terminator: "")
        if plot {
            report(try Plots.backtest(BacktestPlotData(result), to: out + "/backtest.png",
                                      title: "backtest of \(URL(fileURLWithPath: data.data).lastPathComponent): \(result.windows.count) windows, horizon \(result.horizon)"))
            print(terminalSafe("plot → \(out)/backtest.png"))
        }
    }
}
