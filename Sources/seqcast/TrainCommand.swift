// `seqcast train`: fit a recurrent forecaster and write model.h5 + history.csv.
import ArgumentParser
import Foundation
import SeqCast

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a recurrent forecaster on a CSV or HDF5 file.")

    @OptionGroup var data: DataOptions
    @OptionGroup var window: WindowOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var training: TrainingFlags

    @Option(help: "Output directory (model.h5, history.csv; with --per-series an index model.h5 and series/<position>/ per series).") var out: String
    @Flag(help: "Continue an interrupted run in --out (its stored configuration is used, --per-series or not).") var resume = false
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Also write training.png (loss curves) into --out.") var plot = false
    @Option(help: "Folder of the gnuplot plot templates (default: $SEQCAST_PLOTS, else the plots/ installed with seqcast; never the current directory).") var plotTemplates: String?
    @Option(help: .hidden) var stopAfterEpoch: Int?

    func validate() throws {
        _ = try trainRequest(data: data, window: window, model: model, training: training, out: out)
        if plot && training.perSeries {
            throw ValidationError("--plot draws one model's loss curves; with --per-series plot one series' with seqcast plot --from \(out)/series/N --kind training")
        }
    }

    func run() throws {
        PlotOutputs.useTemplates(plotTemplates)
        var r = try trainRequest(data: data, window: window, model: model, training: training, out: out)
        r.run.resume = resume; r.run.stopAfterEpoch = stopAfterEpoch
        r.run.resumeEpochs = resume ? training.epochs : nil
        r.run.typedFlags = resume ? typedFlags() : []
        let progress = ProgressPrinter(quiet: quiet || !r.run.group.isRoot)   // under mpirun: rank 0 alone reports and writes
        let s = try TrainJob.runCalibrated(r, progress: progress.train)
        progress.finish()
        guard r.run.group.isRoot else { return }
        let best = s.bestLoss.map { String(format: "%.5g", $0) } ?? "-"
        // Without validation windows (--val-fraction 0, or too short a series) the loss is the training loss.
        let lossName = s.validationSamples > 0 ? "best validation loss" : "best training loss (no validation windows)"
        if let n = s.series {   // --per-series: one model per series
            let what = s.members > 1 ? "\(s.members)-member ensemble" : "model"
            print(terminalSafe("\(s.finished ? "trained" : "stopped:") one \(what) per series for \(n) series, up to \(s.epochs) epochs, \(lossName) \(best) (\(s.seriesInLoss.map { $0 < n && s.validationSamples > 0 ? "mean over the \($0) series with validation windows" : "mean over series" } ?? "mean over series")) (\(s.stopReason)), \(s.trainSamples) training windows, \(String(format: "%.1f", s.seconds)) s → \(s.modelPath) (index) and \(out)/series/"))
            if plot { print(terminalSafe("note: --plot draws one model's loss curves; plot one series' with seqcast plot --from \(out)/series/N --kind training")) }
            return
        }
        if plot {
            report(try PlotOutputs.training(try ModelFile.load(out), to: out + "/training.png"))
            print(terminalSafe("plot → \(out)/training.png"))
        }
        let what = s.members > 1 ? "\(s.members)-member ensemble" : "model"
        print(terminalSafe("\(s.alreadyFinished ? "already trained, left as it was:" : s.finished ? "trained" : "stopped:") \(what), up to \(s.epochs) epochs, \(lossName) \(best)\(s.members > 1 ? " (member mean)" : "") (\(s.stopReason)), \(s.trainSamples) training windows, \(String(format: "%.1f", s.seconds)) s → \(s.modelPath)"))
    }
}
