// `seqcast forecast`: predict the next horizon steps of every series with a trained model.
import ArgumentParser
import Foundation
import SeqCast

struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast", abstract: "Forecast the next steps of every series with a trained model.")

    @Option(help: "Model directory or model.h5 (a --per-series folder forecasts each series of --data with its own model).") var model: String
    @Option(help: "Input file (CSV or HDF5); read with the model's column selection.") var data: String
    @Option(help: "HDF5 series mode: dataset (default: the model's).") var dataset: String?
    @Option(help: "HDF5 supervised mode: inputs dataset [batch, steps, dim].") var x: String?
    @Option(help: "Output file: .csv (long format) or .h5.") var out: String?
    @Option(help: "Also write a copy of the HDF5 input with the forecast added, at this path.") var writeBack: String?
    @Option(help: "Dataset name for --write-back.") var forecastDataset: String = "forecast"
    @Flag(help: "Also write a plot of the first series' history and forecast beside --out (FILE.png).") var plot = false
    @OptionGroup var intervals: IntervalOptions
    @OptionGroup var threads: ThreadsOption
    @Option(help: "Folder of the gnuplot plot templates (default: $SEQCAST_PLOTS, else the plots/ installed with seqcast; never the current directory).") var plotTemplates: String?

    func validate() throws {
        if out == nil && writeBack == nil { throw ValidationError("give --out FILE.csv|FILE.h5 and/or --write-back FILE.h5") }
        if let out, let writeBack, AtomicFile.sameFile(out, writeBack) {   // the copy replaced the --out file
            throw ValidationError("--out \(out) and --write-back \(writeBack) name the same file; give two paths, or only one of the flags")
        }
        if let writeBack, namedLikeText(writeBack) {
            throw ValidationError("--write-back \(writeBack): writes a copy of the HDF5 input; give it an .h5 name")
        }
    }

    func run() throws {
        PlotOutputs.useTemplates(plotTemplates)
        if let out { try AtomicFile.refuseOverwriting(input: data, with: out, flag: "--out") }
        // The model is an input too (its model.h5 was replaced by the forecast).
        var isFolder: ObjCBool = false
        let modelFile = FileManager.default.fileExists(atPath: model, isDirectory: &isFolder) && isFolder.boolValue ? model + "/model.h5" : model
        for (flag, path) in [("--out", out), ("--write-back", writeBack)] {
            if let path {
                try AtomicFile.refuseOverwriting(input: modelFile, with: path, flag: flag)
                // A per-series run's series models (DIR/series/<p>/model.h5) are inputs as well.
                if isFolder.boolValue, URL(fileURLWithPath: path).lastPathComponent == "model.h5", AtomicFile.isInside(path, model + "/series") {
                    throw DataError.overwritesInput(flag: flag, output: path, input: path)
                }
            }
        }
        if writeBack != nil, FileManager.default.fileExists(atPath: data), !DataSource.isHDF5(data) {
            throw SettingsError.incompatible("--write-back copies an HDF5 input with the forecast added; \(data) is not an HDF5 file (use --out FILE.csv or FILE.h5)")
        }
        let asked = try intervals.settings()
        let forecast: Forecast, collection: SeriesCollection?, dropout: Bool
        var unfinished = false
        let plotModel: () throws -> Ensemble
        if let perSeries = try PerSeriesModel.open(model) {   // one model per series: each series forecast with its own
            if x != nil { throw ValidationError("\(model) holds one model per series; it forecasts series (--data, and --dataset for HDF5), not pre-cut --x samples") }
            let series = try perSeries.read(data, dataset: dataset)
            forecast = try perSeries.forecast(series, intervals: asked, threads: threads.threads)
            if let first = forecast.unfinished.first {
                unfinished = true
                let n = forecast.unfinished.count
                print(terminalSafe("note: \(n) of \(forecast.seriesIds.count) series' models in \(model) are unfinished (\(n == 1 ? "" : "first: ")'\(first)'): forecast with their best weights so far, without intervals (calibrated when training finishes); continue the run with seqcast train --resume --out \(model) --data \(perSeries.settings.data.path)"))
            }
            collection = series
            dropout = perSeries.settings.architecture.dropout > 0 || perSeries.settings.architecture.recurrentDropout > 0
            plotModel = { try perSeries.model(perSeries.ids.firstIndex(of: series.series[0].id) ?? 0) }
        } else {
            let m = try ModelFile.load(model)
            if !m.finished {   // interrupted, or stopped early by --stop-after-epoch: no calibration yet
                unfinished = true
                let done = m.members.map { "\($0.state.epochsCompleted)" }.joined(separator: ", ")
                print(terminalSafe("note: \(model) is an unfinished run (\(m.members.filter(\.state.finished).count) of \(m.members.count) members finished; epochs done: \(done) of \(m.manifest.training.epochs)): forecasting with each member's best weights so far, without intervals (calibrated when training finishes); continue it with seqcast train --resume --out \(m.manifest.seriesId == nil ? model : PerSeriesModel.runFolder(ofSeriesModel: model)) --data \(m.manifest.source)"))
            }
            let input = try ForecastInput.read(data, for: m, dataset: dataset, x: x)
            forecast = try Forecaster.forecast(m, input: input, intervals: asked, threads: threads.threads)
            collection = input.series
            dropout = m.manifest.model.dropout > 0 || m.manifest.model.recurrentDropout > 0
            plotModel = { m }
        }
        for note in forecast.notes.prefix(5) { print(terminalSafe("note: \(model): \(note)")) }
        if forecast.notes.count > 5 { print("note: \(model): and \(forecast.notes.count - 5) more notes of these kinds") }
        if let collection {
            if collection.missingCount > 0 {
                print("note: \(collection.missingCount) missing values in \(data), handled as the model's --missing says (filled: the forecast starts from the filled values; drop: left as gaps, refused in the last window)")
            }
            if asked.method == .mcDropout && !dropout {
                print("note: \(model) was trained without dropout, so Monte-Carlo dropout intervals have zero width; train with --dropout / --recurrent-dropout, or use --interval-method conformal")
            }
            if asked.method == .conformal && forecast.levels.isEmpty && !unfinished {
                print("note: \(model) has no calibration residuals (trained before seqcast had intervals, or with no window to calibrate on); writing point forecasts only — retrain for intervals")
            }
        } else if asked.method != .none && forecast.levels.isEmpty {
            print("note: pre-cut --x samples are forecast as points only: prediction intervals are calibrated on a series' windows (train and forecast from a CSV, or an HDF5 --dataset)")
        }
        let attrs: [(String, AttributeValue)] = [("model", .string(model)), ("source", .string(data)),
                                                 ("created", .string(createdTimestamp()))]
        // What --write-back refuses (a dataset of that name in the input) is checked before --out is
        // written, so a refusal leaves no output behind.
        if let writeBack { try forecast.checkWriteBack(input: data, output: writeBack, name: forecastDataset) }
        if let out { try forecast.write(to: out, attributes: attrs) }
        if let writeBack { try forecast.writeBack(input: data, output: writeBack, name: forecastDataset, attributes: attrs) }
        let written = [out, writeBack].compactMap { $0 }.joined(separator: " and ")
        print(terminalSafe("forecast \(forecast.seriesIds.count) series × \(forecast.horizon) steps × \(forecast.targetNames.count) variables (\(forecast.times.first?.first ?? "") … \(forecast.times.first?.last ?? "")\(Set(forecast.times).count > 1 ? " for the first series; each continues its own dates" : "")) → \(written)"))
        // After the outputs are written: a plot failure is reported (one line, exit 1) but loses nothing.
        if plot, let collection, let base = out ?? writeBack {
            let image = URL(fileURLWithPath: base).deletingPathExtension().path + ".png"
            report(try PlotOutputs.forecast(try plotModel(), data: collection, forecast: forecast, to: image))
            print(terminalSafe("plot → \(image)"))
        }
    }
}

