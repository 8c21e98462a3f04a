// TrainJob: the `train` job — from a request to a model: read the data, fit the preprocessing,
// build the ensemble (or resume the stored one), fit it (EnsembleFitter.swift) with a checkpoint
// (model.h5 + history.csv, both atomic) at its pace, and `--resume` that continues an interrupted
// run to the same final weights. Under `mpirun` every rank runs the job (RunOptions.group) and rank
// 0 alone writes.
import Dispatch
import Foundation

/// Progress reported while training.
public enum TrainEvent: Sendable {
    case started(String)
    case batch(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double, sequencesPerSecond: Double)
    case epoch(EpochRecord, epochs: Int, best: Bool, member: Int, members: Int)
    case note(String)
}

/// Outcome of a training run.
public struct TrainSummary: Sendable {
    public var modelPath: String
    public var members: Int
    /// Most epochs any member ran.
    public var epochs: Int
    /// Mean over members of their best validation (or training) loss.
    public var bestLoss: Double?
    public var trainSamples: Int
    public var validationSamples: Int
    public var seconds: Double
    public var stopReason: String
    public var finished: Bool
    /// `--resume` of a run that had finished already: nothing was trained and model.h5 was not written.
    public var alreadyFinished = false
    /// `--per-series`: how many series, each with its own model (the counts above are summed or
    /// averaged over them); nil for one global model.
    public var series: Int? = nil
    /// --per-series: how many series `bestLoss` is the mean over — those with validation windows
    /// (a series too short for any has only a training loss, not averaged in), or all when none has.
    public var seriesInLoss: Int? = nil
}

public enum TrainJob {
    /// The files `train` writes into its `--out` folder (training.png with `--plot`; a per-series
    /// run's index is its model.h5).
    public static let outputNames = ["model.h5", "history.csv", "training.png"]

    public static func run(_ r: TrainRequest, progress: @escaping @Sendable (TrainEvent) -> Void = { _ in }) throws -> TrainSummary {
        let clock = Date()
        let group = r.run.group
        try AtomicFile.refuseOverwriting(input: r.settings.data.path, folder: r.run.outDir, names: outputNames)
        // Every rank reads the data (and a resumed run's model.h5) itself; a failure on any rank stops all.
        let (model, train, validation) = try group.agree { () throws -> (Ensemble, [any WindowSource], [any WindowSource]) in
            try r.settings.validate()
            let modelPath = r.run.outDir + "/model.h5"
            let model: Ensemble
            var data: SeriesCollection? = nil   // a new series-mode run's data, read once for the model and its windows
            if r.run.resume, FileManager.default.fileExists(atPath: modelPath) {
                model = try resumed(modelPath, data: r.settings.data.path, epochs: r.run.resumeEpochs, asked: r.settings,
                                    typed: r.run.typedFlags, progress: progress)
            } else {
                if r.run.resume { progress(.note("no checkpoint at \(modelPath); starting a new run")) }
                (model, data) = try newModel(r.settings)
                model.manifest.sourceDigest = FileDigest.of(r.data.path)   // what --resume checks (not per backtest fit)
                model.manifest.requested = r.settings
            }
            let (train, validation, missing) = try samples(for: model, data: consume data, threads: r.run.threads)
            if missing > 0 {
                progress(.note(model.manifest.selection.missing.trainingNote(missing)))
            }
            return (model, train, validation)
        }
        let modelPath = r.run.outDir + "/model.h5"
        let alreadyFinished = r.run.resume && model.finished   // (an extension by --epochs reopened it)
        try group.onRoot { try AtomicFile.makeDirectory(r.run.outDir) }   // only once the data and settings are known to be good
        let c = model.manifest.model
        if !alreadyFinished { progress(.started("\(c.architecture.summary)\(model.members.count > 1 ? " ×\(model.members.count) ensemble" : "") on \(model.manifest.source): \(train[0].count) training / \(validation[0].count) validation windows, lookback \(c.lookback), horizon \(c.horizon), \(model.network.parameterCount) parameters\(model.members.count > 1 ? " per member" : "")\(model.manifest.pipeline.map { "; " + $0.summary(names: model.manifest.channels) } ?? "")")) }
        try group.agree {   // a finished run's files are left as they are
            guard !alreadyFinished else { return }
            try EnsembleFitter.fit(model, train: train, validation: validation, threads: r.run.threads, group: group,
                                   stopAfterEpoch: r.run.stopAfterEpoch, progress: progress) {
                try ModelFile.save(model, to: modelPath)
                try HistoryFile.write(model.recordedStates().map(\.history), to: r.run.outDir + "/history.csv")
            }
        }
        let states = model.members.map(\.state)
        let bests = states.compactMap(\.bestLoss)
        return TrainSummary(modelPath: modelPath, members: states.count, epochs: states.map(\.epochsCompleted).max() ?? 0,
                            bestLoss: bests.isEmpty ? nil : bests.reduce(0, +) / Double(bests.count),
                            trainSamples: train[0].count, validationSamples: validation[0].count,
                            seconds: Date().timeIntervalSince(clock),
                            stopReason: states.count == 1 ? (states[0].stopReason ?? "interrupted")
                                : "\(states.filter(\.finished).count) of \(states.count) members finished",
                            finished: model.finished, alreadyFinished: alreadyFinished)
    }

    /// The stored run at `modelPath`, to continue exactly as it was configured (or with a larger
    /// epoch limit, when one is asked for) on `data`, the file the request names: refused unless its
    /// bytes are the ones the run started on (`checkResumeData`; `digest`: data's digest, when the
    /// caller computed it already). A moved or renamed copy is fine, and becomes the model's source.
    static func resumed(_ modelPath: String, data: String, epochs: Int?, asked: TrainSettings? = nil, typed: [String] = [],
                        digest: String? = nil, progress: @Sendable (TrainEvent) -> Void) throws -> Ensemble {
        let model = try ModelFile.load(modelPath, current: true)
        let m = model.manifest
        // One series' model of a per-series run is resumed with its run (which trains it on its
        // series alone); on its own it would train on every series of the file.
        if asked != nil, let id = m.seriesId {
            throw TrainingError.resume("\((modelPath as NSString).deletingLastPathComponent) is series '\(id)''s model of a per-series run; resume the run with seqcast train --resume --out \(PerSeriesModel.runFolder(ofSeriesModel: modelPath))")
        }
        if let asked, let stored = m.requested {
            try ResumeCheck.check(typed: typed, asked: asked, stored: stored, resolved: ResumeCheck.resolved(m),
                                  out: (modelPath as NSString).deletingLastPathComponent)
        } else if asked != nil && !ResumeCheck.compared(typed).isEmpty {
            progress(.note("\(modelPath) was stored before seqcast kept the settings a run started with, so the flags typed with --resume are not checked: it continues as stored"))
        }
        try checkResumeData(data, digest: digest ?? FileDigest.of(data), storedPath: m.source, storedDigest: m.sourceDigest)
        if data != m.source {
            progress(.note("resuming on \(data): the same bytes as \(m.source), which the run started on"))
            model.manifest.source = data
        }
        if let e = epochs, e != m.training.epochs {
            guard e > m.training.epochs else {
                throw TrainingError.resume("--epochs \(e) with --resume: the stored run trains up to \(m.training.epochs) epochs and cannot be shortened; leave out --epochs to continue it")
            }
            model.manifest.training.epochs = e
            for m in model.members where m.state.finished && m.state.stopReason?.hasPrefix("completed") == true {
                m.reopen()   // more epochs were asked for: on from the last epoch's weights
            }
            if !model.finished {   // what followed the fit is chosen again when it finishes
                model.calibration = nil
                model.manifest.updatePipeline { $0.theta?.resetChoice() }
            }
            progress(.note("extending the stored run from \(m.training.epochs) to \(e) epochs"))
        }
        if model.finished {
            progress(.note("\(modelPath) already finished training; nothing to resume"))
        } else {
            let done = model.members.map { "\($0.state.epochsCompleted)" }.joined(separator: ", ")
            progress(.note("resuming \(modelPath) after epoch \(done)"))
        }
        return model
    }

    /// Refuses to resume a run that started on `storedPath` (whose size:hash was `storedDigest`) on
    /// `data` (size:hash `now`, nil when unreadable: then reading it reports why) unless they are the
    /// same bytes, naming which of the two happened: the file changed, or another file was named.
    static func checkResumeData(_ data: String, digest now: String?, storedPath: String, storedDigest: String?) throws(TrainingError) {
        guard let now else { return }
        guard let stored = storedDigest else {
            guard data == storedPath else {
                throw .resume("this run stored no digest of its data, so it can only resume on \(storedPath) itself, not \(data); resume with --data \(storedPath)")
            }
            return
        }
        guard now != stored else { return }
        throw .resume(data == storedPath
            ? "\(data) has changed since this run started (size:hash \(stored), now \(now)); resuming would train on other data — restore the file or start a new run without --resume"
            : "\(data) is not the data this run started on (\(storedPath), size:hash \(stored); \(data) is \(now)); resume with --data \(storedPath), or start a new run without --resume")
    }

    /// A fresh model for the settings: data read, windows checked, network initialised from the seed;
    /// in series mode also the data it was built from (nil for supervised samples).
    static func newModel(_ s: TrainSettings) throws -> (Ensemble, SeriesCollection?) {
        guard let xName = s.data.x, let yName = s.data.y else {
            let data = try DataSource.load(s.data.path, selection: s.data.selection)
            return (try seriesEnsemble(s, data: data).model, data)
        }
        let (set, k, o) = try HDF5File.open(s.data.path).supervised(x: xName, y: yName)
        let config = try s.architecture.config(inputDim: set.inputDim, outputDim: o, lookback: set.steps, horizon: k,
                                               head: set.perStep ? .seq2seq : .seq2vec)
        // Scalers are fitted on the training samples only (the first 1 − valFraction of them).
        let cut = SampleSet.validationCut(count: set.count, valFraction: s.windows.valFraction)
        let xs = SeriesMatrix(steps: cut * set.steps, channels: set.inputDim, values: Array(set.x.prefix(cut * set.inputRowWidth)))
        let ys = SeriesMatrix(steps: cut * set.targetRowWidth / o, channels: o, values: Array(set.y.prefix(cut * set.targetRowWidth)))
        let scaling = SupervisedScaling(x: Scaler.fit(s.preprocessing.scaler, channels: set.inputDim, parts: [xs]),
                                        y: Scaler.fit(s.preprocessing.scaler, channels: o, parts: [ys]), xName: xName, yName: yName)
        let manifest = ModelManifest(model: config, training: s.training, pipeline: nil, supervised: scaling,
                                     selection: s.data.selection, channels: (0..<o).map { "y\($0)" }, targetCount: o,
                                     timeAxis: nil, source: s.data.path, valFraction: s.windows.valFraction)
        return (try Ensemble(manifest: manifest, count: s.training.ensemble, seed: s.training.seed), nil)
    }

    /// A fresh series-mode model for `data` (already loaded, possibly truncated by a backtest) and
    /// its training / validation windows.
    public static func seriesModel(_ s: TrainSettings, data: SeriesCollection) throws -> (model: Ensemble, samples: SplitSamples) {
        let (model, pipeline) = try seriesEnsemble(s, data: data)
        return (model, try data.split(pipeline: pipeline, valFraction: s.windows.valFraction))
    }

    /// A fresh series-mode model for `data` with its fitted pipeline; checks that it has a training
    /// window (without preparing any).
    static func seriesEnsemble(_ s: TrainSettings, data: SeriesCollection) throws -> (model: Ensemble, pipeline: Pipeline) {
        let shortest = data.series.map(\.length).min() ?? 0
        let lookback = s.windows.resolvedLookback(season: data.timeAxis?.seasonalPeriod, shortest: shortest)
        let spec = WindowSpec(lookback: lookback, horizon: s.windows.horizon, stride: s.windows.stride,
                              perStep: s.architecture.head == .seq2seq)
        let season = s.preprocessing.season ?? Baselines.season(of: data, before: shortest).period
        let config = try s.architecture.config(inputDim: data.channels.count, outputDim: data.targetCount,
                                               lookback: lookback, horizon: s.windows.horizon)
        // seq2seq has no baseline: the default variants give way; asked-for ones are an error (fitPipeline).
        let defaults = s.preprocessing.variants == PreprocessingSettings().variants
        var choice = PreprocessingChoice(scaler: s.preprocessing.scaler, transform: s.preprocessing.transform,
                                         variants: spec.perStep && defaults ? [] : s.preprocessing.variants, season: season)
        choice.baselineWeight = s.preprocessing.baselineWeight.stored
        choice.thetaWeight = s.preprocessing.thetaWeight?.stored ?? 0
        try data.checkLength(lookback: spec.lookback, horizon: spec.horizon, valFraction: s.windows.valFraction)
        let pipeline = try data.fitPipeline(spec: spec, choice: choice, valFraction: s.windows.valFraction)
        _ = try data.windowPlan(pipeline: pipeline, valFraction: s.windows.valFraction)
        let manifest = ModelManifest(model: config, training: s.training, pipeline: pipeline, supervised: nil,
                                     selection: s.data.selection, channels: data.channels, targetCount: data.targetCount,
                                     timeAxis: data.timeAxis, source: s.data.path, valFraction: s.windows.valFraction)
        return (try Ensemble(manifest: manifest, count: s.training.ensemble, seed: s.training.seed), pipeline)
    }

    /// Training and validation windows of a model's data (`data` when the caller has just read it from
    /// the model's source, else read again), refused before they are prepared when the run would not
    /// fit in memory (MemoryEstimate.swift). Also returns how many values were missing in the data.
    static func samples(for model: Ensemble, data given: consuming SeriesCollection? = nil,
                        threads: Int) throws -> ([any WindowSource], [any WindowSource], Int) {
        let m = model.manifest
        if let s = m.supervised {
            var (set, _, _) = try HDF5File.open(m.source).supervised(x: s.xName, y: s.yName)
            s.scale(&set)
            let cut = SampleSet.validationCut(count: set.count, valFraction: m.valFraction)
            return ([SampleSlice(set, 0..<cut)], [SampleSlice(set, cut..<set.count)], 0)
        }
        let data = try given ?? DataSource.load(m.source, selection: m.selection)
        let missing = data.missingCount
        let plan = try data.windowPlan(pipeline: m.pipeline!, valFraction: m.valFraction)
        try MemoryEstimate.check(data: data, plan: plan, model: model, threads: threads)
        let split = try (consume data).split(pipeline: m.pipeline!, valFraction: m.valFraction)
        return (split.trains, split.validations, missing)
    }
}

extension SupervisedScaling {
    /// Scales x per input dim and y per output dim, in place (the samples are not copied).
    func scale(_ set: inout SampleSet) {
        set.modifyValues(x: { v in
            let m = x, d = m.offset.count
            v.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = m.apply(p[i], channel: i % d) } }
        }, y: { v in
            let m = y, o = m.offset.count
            v.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = m.apply(p[i], channel: i % o) } }
        })
    }
}
