// TrainJob: the `train` job — load data, cut windows, build the network, run epochs with a
// checkpoint (model.h5 + history.csv, both atomic) after each, early stopping that restores the
// best weights, and `--resume` that continues an interrupted run to the same final weights.
import Dispatch
import Foundation

/// Everything `seqcast train` needs (the CLI fills it from flags).
public struct TrainRequest: Sendable {
    public var dataPath: String
    public var selection = DataSelection()
    /// Supervised HDF5 mode: dataset names of pre-cut inputs and targets.
    public var supervisedX: String?, supervisedY: String?
    public var lookback: Int?
    public var horizon = 1
    public var stride = 1
    public var cell = CellKind.lstm
    public var hidden = 32
    public var layers = 1
    public var head = HeadKind.seq2vec
    public var layerNorm = false
    public var dropout: Float = 0
    public var recurrentDropout: Float = 0
    public var gateInit = GateInit.chrono
    public var scaler = ScalerKind.window
    /// Value transform (log …) before scaling; see Preprocessing/SeriesTransform.swift.
    public var transform = TransformChoice.auto
    /// Ensemble variants (member i uses variant i mod count), each with its baseline; empty for none.
    public var variants = [VariantSpec(.auto), VariantSpec(.auto, deseasonalise: true)]
    /// Weight of the plain seasonal-naive forecast in the final combination (with variants); negative
    /// for auto (from the validation windows, `Forecaster.baselineWeight`).
    public var baselineWeight: Float = -1
    /// Seasonal period; nil = from the time column, else the autocorrelation peak of the first series.
    public var season: Int?
    public var valFraction = 0.2
    public var training = TrainingOptions()
    public var outDir: String
    public var resume = false
    /// With `resume`: the epoch limit asked for explicitly (extends a finished run); nil continues
    /// the stored run as it was configured.
    public var resumeEpochs: Int?
    /// Test hook: stop (as if killed) right after this epoch's checkpoint.
    public var stopAfterEpoch: Int?

    public init(dataPath: String, outDir: String) { self.dataPath = dataPath; self.outDir = outDir }

    /// The defaults of every setting (the CLI presents these).
    public static let defaults = TrainRequest(dataPath: "", outDir: "")
}

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
}

public enum TrainJob {
    /// The seasonal period of `data`: from its time axis, else the autocorrelation peak of the first
    /// series' rows before `origin`, else 1; with where it came from.
    public static func season(of data: SeriesCollection, before origin: Int) -> (period: Int, source: String) {
        if let axis = data.timeAxis, let m = axis.seasonalPeriod { return (m, "from the \(axis.frequencyName) time column") }
        if let s = data.series.first, let m = Baselines.detectSeason(s.matrix, channel: 0, range: 0..<min(origin, s.length)) {
            return (m, "autocorrelation peak")
        }
        return (1, "no seasonality found; seasonal naive = naive")
    }

    /// Default look-back: two seasons when the frequency has one, else 24, and at least 2·horizon.
    public static func defaultLookback(axis: TimeAxis?, horizon: Int, shortest: Int) -> Int {
        let base = axis?.seasonalPeriod.map { 2 * $0 } ?? 24
        return max(2, min(max(base, 2 * horizon), max(shortest / 3, 2)))
    }

    public static func run(_ r: TrainRequest, progress: @escaping @Sendable (TrainEvent) -> Void = { _ in }) throws -> TrainSummary {
        let clock = Date()
        let modelPath = r.outDir + "/model.h5"
        let model: ModelFile
        if r.resume, FileManager.default.fileExists(atPath: modelPath) {
            model = try ModelFile.load(modelPath, current: true)
            let m = model.manifest
            if let stored = m.sourceDigest, let now = FileDigest.of(m.source), now != stored {
                throw DataError.invalidArgument("\(m.source) has changed since this run started (size:hash \(stored), now \(now)); resuming would train on other data — restore the file or start a new run without --resume")
            }
            if let e = r.resumeEpochs, e != m.training.epochs {
                guard e > m.training.epochs else {
                    throw DataError.invalidArgument("--epochs \(e) with --resume: the stored run trains up to \(m.training.epochs) epochs and cannot be shortened; leave out --epochs to continue it")
                }
                model.manifest.training.epochs = e
                for m in model.members where m.state.finished && m.state.stopReason?.hasPrefix("completed") == true {
                    m.state.finished = false   // more epochs were asked for
                }
                progress(.note("extending the stored run from \(m.training.epochs) to \(e) epochs"))
            }
            model.manifest.training.threads = r.training.threads
            if model.manifest.finished {
                progress(.note("\(modelPath) already finished training; nothing to resume"))
            } else {
                let done = model.members.map { "\($0.state.epochsCompleted)" }.joined(separator: ", ")
                progress(.note("resuming \(modelPath) after epoch \(done)"))
            }
        } else {
            if r.resume { progress(.note("no checkpoint at \(modelPath); starting a new run")) }
            model = try newModel(r)
            model.manifest.sourceDigest = FileDigest.of(r.dataPath)   // what --resume checks (not per backtest fit)
        }
        let (train, validation, missing) = try samples(for: model.manifest)
        if missing > 0 {
            progress(.note("\(missing) missing values \(model.manifest.selection.missing == .drop ? "left as gaps; windows touching them dropped" : "filled (\(model.manifest.selection.missing.rawValue))")"))
        }
        try AtomicFile.makeDirectory(r.outDir)   // only once the data and settings are known to be good
        let c = model.manifest.model
        progress(.started("\(c.cell) \(c.layers)×\(c.hidden)\(model.members.count > 1 ? " ×\(model.members.count) ensemble" : "") on \(model.manifest.source): \(train[0].count) training / \(validation[0].count) validation windows, lookback \(c.lookback), horizon \(c.horizon), \(model.network.parameterCount) parameters\(model.members.count > 1 ? " per member" : "")\(model.manifest.pipeline.map { "; " + $0.summary(names: model.manifest.channels) } ?? "")"))
        try fitAll(model, train: train, validation: validation, threads: model.manifest.training.threads,
                   stopAfterEpoch: r.stopAfterEpoch, progress: progress) {
            try model.save(to: modelPath)
            try writeHistory(model.recordedStates().map(\.history), to: r.outDir + "/history.csv")
        }
        let states = model.members.map(\.state)
        let bests = states.compactMap(\.bestLoss)
        return TrainSummary(modelPath: modelPath, members: states.count, epochs: states.map(\.epochsCompleted).max() ?? 0,
                            bestLoss: bests.isEmpty ? nil : bests.reduce(0, +) / Double(bests.count),
                            trainSamples: train[0].count, validationSamples: validation[0].count,
                            seconds: Date().timeIntervalSince(clock),
                            stopReason: states.count == 1 ? (states[0].stopReason ?? "interrupted")
                                : "\(states.filter(\.finished).count) of \(states.count) members finished",
                            finished: model.manifest.finished)
    }

    /// Trains every unfinished member, member i on the samples of its pipeline variant
    /// (`train[i % train.count]`). With several members and threads, members train
    /// concurrently, each single-threaded; otherwise one after another with all threads. Either way
    /// each member's result is the same (training does not depend on the thread count).
    /// `checkpoint` runs after every `workers` member-epochs (every epoch for one model), when a member
    /// finishes, and once at the end; it sees the members' recorded snapshots.
    public static func fitAll(_ model: ModelFile, train: [SampleSet], validation: [SampleSet], threads: Int,
                              stopAfterEpoch: Int? = nil, progress: @escaping @Sendable (TrainEvent) -> Void = { _ in },
                              checkpoint: @escaping () throws -> Void = {}) throws {
        let pending = model.members.indices.filter { !model.members[$0].state.finished }
        let concurrent = pending.count > 1 && threads > 1
        var options = model.manifest.training
        options.threads = concurrent ? 1 : max(threads, 1)
        let trainers = Dictionary(uniqueKeysWithValues: pending.map { i in
            (i, Trainer(network: model.members[i].network, options: options))
        })
        // A model that starts as its baseline scores that start first: when no epoch beats it on the
        // validation windows, the member keeps it (best epoch 0) and forecasts the baseline.
        if model.manifest.pipeline?.hasBaseline == true && validation[0].count > 0 {
            for (i, t) in trainers where model.members[i].state.epochsCompleted == 0 && model.members[i].state.bestLoss == nil {
                let m = model.members[i]
                m.state.bestLoss = t.evaluate(validation[i % validation.count]); m.state.bestEpoch = 0
                m.state.initialLoss = m.state.bestLoss
                m.best.copy(from: m.network.params)
            }
        }
        for (i, t) in trainers {
            if let mo = model.members[i].moments, mo.m.count == t.optimizer.m.count, mo.v.count == t.optimizer.v.count {
                for k in 0..<mo.m.count { t.optimizer.m[k] = mo.m[k] }
                for k in 0..<mo.v.count { t.optimizer.v[k] = mo.v[k] }
                t.optimizer.step = model.members[i].state.optimizerStep
            }
        }
        for i in model.members.indices { model.record(i, optimizer: trainers[i]?.optimizer) }
        final class Failure: @unchecked Sendable { var error: Error?; let lock = NSLock() }
        let failure = Failure()
        // Checkpoint after every `workers` member-epochs (one epoch of each concurrently training
        // member; every epoch for a single model) and whenever a member finishes.
        let workers = concurrent ? min(threads, pending.count) : 1
        final class Pace: @unchecked Sendable { var sinceSave = 0, finished = -1; let lock = NSLock() }
        let pace = Pace()
        let maybeCheckpoint: () throws -> Void = {
            pace.lock.lock(); defer { pace.lock.unlock() }
            pace.sinceSave += 1
            let finished = model.recordedStates().filter(\.finished).count
            guard pace.sinceSave >= workers || finished != pace.finished else { return }
            pace.sinceSave = 0; pace.finished = finished
            try checkpoint()
        }
        let runOne: (Int) -> Void = { i in
            do {
                try fit(model.members[i], trainer: trainers[i]!, options: model.manifest.training,
                        train: train[i % train.count], validation: validation[i % validation.count], stopAfterEpoch: stopAfterEpoch, batchProgress: !concurrent,
                        member: i, members: model.members.count, progress: progress) {
                    model.record(i, optimizer: trainers[i]!.optimizer)
                    try maybeCheckpoint()
                }
            } catch {
                failure.lock.lock(); if failure.error == nil { failure.error = error }; failure.lock.unlock()
            }
        }
        concurrentWorkers(pending.count, threads: workers) { _, ks in
            for k in ks {
                runOne(pending[k])
                failure.lock.lock(); let failed = failure.error != nil; failure.lock.unlock()
                if failed { break }
            }
        }
        if let e = failure.error { throw e }
        for m in model.members { m.moments = nil }
        try checkpoint()   // the final state, whatever the last round saved
    }

    /// Runs one member's epochs from its `epochsCompleted` until the epoch limit or early stopping,
    /// tracking the best validation loss (the training loss when there is no validation set) and its
    /// weights; `checkpoint` runs after every epoch. When the member finishes, its best weights
    /// become its current weights.
    static func fit(_ member: Member, trainer: Trainer, options opts: TrainingOptions, train: SampleSet,
                    validation: SampleSet, stopAfterEpoch: Int?, batchProgress: Bool, member index: Int, members: Int,
                    progress: @escaping @Sendable (TrainEvent) -> Void, checkpoint: () throws -> Void) throws {
        var epoch = member.state.epochsCompleted
        while !member.state.finished && epoch < opts.epochs {
            let start = Date()
            let trainLoss = try trainer.trainEpoch(train, epoch: epoch, seed: member.state.seed) { b, n, loss in
                guard batchProgress else { return }
                let seconds = Date().timeIntervalSince(start)
                progress(.batch(epoch: epoch + 1, epochs: opts.epochs, batch: b, batches: n, loss: loss,
                                sequencesPerSecond: Double(min(b * opts.batchSize, train.count)) / max(seconds, 1e-9)))
            }
            let valLoss = validation.count > 0 ? trainer.evaluate(validation) : nil
            let monitored = valLoss ?? trainLoss
            guard monitored.isFinite else { throw TrainingError.nonFinite(epoch: epoch + 1, batch: nil) }
            var m = member.state
            let improved = m.bestLoss.map { monitored < $0 } ?? true
            if improved {
                m.bestLoss = monitored; m.bestEpoch = epoch + 1; m.badEpochs = 0
                member.best.copy(from: member.network.params)
            } else {
                m.badEpochs += 1
            }
            let record = EpochRecord(epoch: epoch + 1, trainLoss: trainLoss, validationLoss: valLoss,
                                     seconds: Date().timeIntervalSince(start))
            m.history.append(record)
            m.epochsCompleted = epoch + 1
            m.optimizerStep = trainer.optimizer.step
            if opts.patience > 0 && m.badEpochs >= opts.patience {
                m.finished = true
                m.stopReason = "early stop: no validation improvement for \(opts.patience) epochs; best epoch \(m.bestEpoch!)"
            } else if epoch + 1 >= opts.epochs {
                m.finished = true
                m.stopReason = "completed \(opts.epochs) epochs; best epoch \(m.bestEpoch!)"
            }
            if m.finished { member.network.params.copy(from: member.best) }   // forecasts use the best weights
            member.state = m
            try checkpoint()
            progress(.epoch(record, epochs: opts.epochs, best: improved, member: index, members: members))
            epoch += 1
            if let stop = stopAfterEpoch, epoch >= stop, !m.finished { break }
        }
    }

    /// A fresh model for the request: data read, windows checked, network initialised from the seed.
    static func newModel(_ r: TrainRequest) throws -> ModelFile {
        guard let xName = r.supervisedX, let yName = r.supervisedY else {
            return try seriesModel(r, data: try DataSource.load(r.dataPath, selection: r.selection)).model
        }
        let (set, k, o) = try HDF5File.open(r.dataPath).supervised(x: xName, y: yName)
        guard r.scaler != .window else {
            throw DataError.invalidArgument("--scaler window needs series mode (--dataset or CSV); use standard, minmax or none with --x/--y")
        }
        let config = ModelConfig(cell: r.cell, inputDim: set.inputDim, hidden: r.hidden, layers: r.layers,
                                 head: set.perStep ? .seq2seq : .seq2vec, horizon: k, outputDim: o, lookback: set.steps,
                                 layerNorm: r.layerNorm, dropout: r.dropout, recurrentDropout: r.recurrentDropout,
                                 gateInit: r.gateInit)
        do { try config.validate() } catch { throw DataError.invalidArgument(error.description) }
        // Scalers are fitted on the training samples only (the first 1 − valFraction of them).
        let cut = set.count - Int((Double(set.count) * r.valFraction).rounded())
        let xs = SeriesMatrix(steps: cut * set.steps, channels: set.inputDim, values: Array(set.x.prefix(cut * set.inputRowWidth)))
        let ys = SeriesMatrix(steps: cut * set.targetRowWidth / o, channels: o, values: Array(set.y.prefix(cut * set.targetRowWidth)))
        let scaling = SupervisedScaling(x: Scaler.fit(r.scaler, channels: set.inputDim, parts: [xs]),
                                        y: Scaler.fit(r.scaler, channels: o, parts: [ys]), xName: xName, yName: yName)
        let manifest = ModelManifest(model: config, training: r.training, pipeline: nil, supervised: scaling,
                                     selection: r.selection, channels: (0..<o).map { "y\($0)" }, targetCount: o,
                                     timeAxis: nil, source: r.dataPath, valFraction: r.valFraction)
        return try ModelFile(manifest: manifest, count: r.training.ensemble, seed: r.training.seed)
    }

    /// A fresh series-mode model for `data` (already loaded, possibly truncated by a backtest) and
    /// its training / validation samples.
    public static func seriesModel(_ r: TrainRequest, data: SeriesCollection) throws -> (model: ModelFile, samples: SplitSamples) {
        let shortest = data.series.map(\.length).min() ?? 0
        let lookback = r.lookback ?? defaultLookback(axis: data.timeAxis, horizon: r.horizon, shortest: shortest)
        let spec = WindowSpec(lookback: lookback, horizon: r.horizon, stride: r.stride, perStep: r.head == .seq2seq)
        let season = r.season ?? Self.season(of: data, before: shortest).period
        // seq2seq has no baseline: the default variants give way; asked-for ones are an error (fitPipeline).
        let defaults = r.variants == TrainRequest.defaults.variants
        var choice = PreprocessingChoice(scaler: r.scaler, transform: r.transform,
                                         variants: r.head == .seq2seq && defaults ? [] : r.variants, season: season)
        choice.baselineWeight = r.baselineWeight
        let split = try data.split(spec: spec, choice: choice, valFraction: r.valFraction)
        let config = ModelConfig(cell: r.cell, inputDim: data.channels.count, hidden: r.hidden, layers: r.layers,
                                 head: r.head, horizon: r.horizon, outputDim: data.targetCount, lookback: lookback,
                                 layerNorm: r.layerNorm, dropout: r.dropout, recurrentDropout: r.recurrentDropout,
                                 gateInit: r.gateInit)
        do { try config.validate() } catch { throw DataError.invalidArgument(error.description) }
        let manifest = ModelManifest(model: config, training: r.training, pipeline: split.pipeline, supervised: nil,
                                     selection: r.selection, channels: data.channels, targetCount: data.targetCount,
                                     timeAxis: data.timeAxis, source: r.dataPath, valFraction: r.valFraction)
        return (try ModelFile(manifest: manifest, count: r.training.ensemble, seed: r.training.seed), split)
    }

    /// Training and validation samples of a manifest's data (re-read from its source).
    /// Also returns how many values were missing in the data.
    static func samples(for m: ModelManifest) throws -> ([SampleSet], [SampleSet], Int) {
        if let s = m.supervised {
            let (set, _, _) = try HDF5File.open(m.source).supervised(x: s.xName, y: s.yName)
            let scaled = s.scale(set)
            let cut = set.count - Int((Double(set.count) * m.valFraction).rounded())
            return ([scaled.subset(0..<cut)], [scaled.subset(cut..<set.count)], 0)
        }
        let data = try DataSource.load(m.source, selection: m.selection)
        let split = try data.split(pipeline: m.pipeline!, valFraction: m.valFraction)
        return (split.trains, split.validations, data.missingCount)
    }

    /// history.csv: one row per member and epoch (members in order, then epochs).
    static func writeHistory(_ members: [[EpochRecord]], to path: String) throws {
        var text = "epoch,train_loss,val_loss,seconds,member\n"
        for (m, h) in members.enumerated() {
            for r in h {
                text += "\(r.epoch),\(r.trainLoss),\(r.validationLoss.map { "\($0)" } ?? ""),\(String(format: "%.4f", r.seconds)),\(m + 1)\n"
            }
        }
        try AtomicFile.write(text, to: path)
    }
}

extension SupervisedScaling {
    /// Scales x per input dim and y per output dim.
    func scale(_ set: SampleSet) -> SampleSet {
        let xs = x.apply(SeriesMatrix(steps: set.x.count / set.inputDim, channels: set.inputDim, values: set.x))
        let o = y.offset.count
        let ys = y.apply(SeriesMatrix(steps: set.y.count / o, channels: o, values: set.y))
        return SampleSet(steps: set.steps, inputDim: set.inputDim, targetWidth: set.targetWidth, perStep: set.perStep,
                         x: xs.values, y: ys.values)
    }
}

extension SampleSet {
    /// Samples `range` as a new set.
    public func subset(_ range: Range<Int>) -> SampleSet {
        SampleSet(steps: steps, inputDim: inputDim, targetWidth: targetWidth, perStep: perStep,
                  x: Array(x[(range.lowerBound * inputRowWidth)..<(range.upperBound * inputRowWidth)]),
                  y: Array(y[(range.lowerBound * targetRowWidth)..<(range.upperBound * targetRowWidth)]))
    }
}
