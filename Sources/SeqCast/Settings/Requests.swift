// Requests: what `train` and `backtest` are asked to do, composed the way model.h5 and
// summary.json store it — `TrainSettings` (persisted hyperparameters: data, windows,
// preprocessing, architecture, training) plus `RunOptions` (runtime knobs: threads, output folder,
// resume), and the backtest's own settings (and its intervals, Settings/IntervalSettings.swift) on top.

/// Everything that decides what a model is (stored, and encoded as summary.json's `config`).
public struct TrainSettings: Codable, Sendable, Equatable {
    public var data: DataSettings
    public var windows = WindowSettings()
    public var preprocessing = PreprocessingSettings()
    public var architecture = ArchitectureSettings()
    public var training = TrainingOptions()
    /// `--per-series`: one model per series id (each with its own seed, `PerSeriesModel.seed`)
    /// instead of one global model. Optional so the encoded settings of global runs stay as they were.
    public var perSeries: Bool?

    public init(dataPath: String) { data = DataSettings(path: dataPath) }

    /// One model per series id?
    public var isPerSeries: Bool { perSeries == true }

    /// Every part's own checks, then the ones between parts.
    public func validate() throws(SettingsError) {
        try data.validate(); try windows.validate(); try preprocessing.validate()
        try architecture.validate(); try training.validate()
        if architecture.head != .encoderDecoder && (training.teacherForcing != nil || training.teacherForcingDecay != nil) {
            throw .incompatible("--teacher-forcing and --teacher-forcing-decay need --head encoder-decoder")
        }
        if architecture.decoderInput == .stateOnly && (training.teacherForcing != nil || training.teacherForcingDecay != nil) {
            throw .incompatible("--teacher-forcing and --teacher-forcing-decay have no effect with --decoder-input state-only (the decoder reads no previous values)")
        }
        if architecture.head == .seq2seq, let flag = preprocessing.fixedWeightFlag {
            throw .incompatible("\(flag) weighs a member against the baseline variants, and --head seq2seq has none: leave \(flag) out, or use --head seq2vec or encoder-decoder")
        }
        // Dropout acts between stacked layers (of the encoder, and of an encoder–decoder's decoder):
        // with one layer it did nothing, and Monte-Carlo dropout intervals were then zero-width.
        let a = architecture
        if a.dropout > 0 && a.layers < 2 && (a.head != .encoderDecoder || (a.decoderLayers ?? a.layers) < 2) {
            throw .incompatible("--dropout acts between stacked layers, and one layer has none: use --layers 2 or more, or --recurrent-dropout (on each step's h(t-1)) for one layer")
        }
        if data.supervised && isPerSeries {
            throw .incompatible("--per-series fits one model per series; pre-cut --x/--y samples have no series ids (use --dataset, or a CSV with --id-column)")
        }
        if data.supervised && preprocessing.scaler == .window {
            throw .incompatible("--scaler window needs series mode (--dataset or CSV); use standard, minmax or none with --x/--y")
        }
    }
}

/// Runtime knobs: how a run executes, not what it computes (never stored with the model).
public struct RunOptions: Sendable, Equatable {
    /// Worker threads (results do not depend on it).
    public var threads = 1
    public var outDir: String
    public var resume = false
    /// With `resume`: the epoch limit asked for explicitly (extends a finished run); nil continues
    /// the stored run as it was configured.
    public var resumeEpochs: Int?
    /// With `resume`: the flags typed on the command line (`--hidden`, …), whose values must be the
    /// stored run's (`ResumeCheck`).
    public var typedFlags: [String] = []
    /// Test hook: stop (as if killed) right after this epoch's checkpoint.
    public var stopAfterEpoch: Int?
    /// The processes sharing the work (`mpirun -n N`: every rank; else this one). Results do not
    /// depend on it; only rank 0 writes.
    public var group = ProcessGroup.single

    public init(outDir: String, threads: Int = 1) { self.outDir = outDir; self.threads = max(1, threads) }
}

/// Everything `seqcast train` needs: the settings and how to run them. Reads and writes the
/// settings' parts directly (`request.windows.horizon`).
@dynamicMemberLookup
public struct TrainRequest: Sendable {
    public var settings: TrainSettings
    public var run: RunOptions

    public init(dataPath: String, outDir: String) {
        settings = TrainSettings(dataPath: dataPath); run = RunOptions(outDir: outDir)
    }

    public subscript<T>(dynamicMember path: WritableKeyPath<TrainSettings, T>) -> T {
        get { settings[keyPath: path] }
        set { settings[keyPath: path] = newValue }
    }
}

/// Where the first forecast starts.
public enum BacktestStart: Sendable, Equatable, CustomStringConvertible {
    /// Fraction of the series before the first forecast point: index = Int((n − 1) · f), as Darts.
    case fraction(Double)
    case index(Int)

    public init?(argument s: String) {
        if s.contains("."), let f = Double(s), (0...1).contains(f) { self = .fraction(f) }
        else if let i = Int(s), i >= 0 { self = .index(i) }
        else { return nil }
    }

    public var description: String {
        switch self { case .fraction(let f): "\(f)"; case .index(let i): "\(i)" }
    }
}

/// How often the model is refitted.
public enum RetrainPolicy: Sendable, Equatable, CustomStringConvertible {
    case always
    case never
    case every(Int)

    public init?(argument s: String) {
        switch s {
        case "always": self = .always
        case "never": self = .never
        default: if let n = Int(s), n >= 1 { self = n == 1 ? .always : .every(n) } else { return nil }
        }
    }

    public var description: String {
        switch self { case .always: "always"; case .never: "never"; case .every(let n): "every \(n)" }
    }
}


extension BacktestStart: StoredAsArgument {
    public init?(storedArgument s: String) { self.init(argument: s) }
}

extension RetrainPolicy: StoredAsArgument {
    /// Reads `description`'s "every N" as well as the flag's "N".
    public init?(storedArgument s: String) { self.init(argument: s.replacingOccurrences(of: "every ", with: "")) }
}

/// The backtest's own settings: where origins start, their spacing (Darts' `stride`), refits.
public struct BacktestSettings: Codable, Sendable, Equatable {
    public var start = BacktestStart.fraction(0.8)
    /// Steps between origins; nil = the horizon.
    public var stride: Int?
    public var retrain = RetrainPolicy.always
    /// Sliding training window of N steps; nil = expanding from the start.
    public var trainLength: Int?

    public init() {}

    public func validate() throws(SettingsError) {
        if let s = stride, s < 1 { throw .outOfRange("--stride must be at least 1, got \(s)") }
        if let n = trainLength, n < 1 { throw .outOfRange("--train-length must be at least 1, got \(n)") }
    }
}

/// Everything `seqcast backtest` needs: the training request every fit uses, and the backtest's own settings.
public struct BacktestRequest: Sendable {
    public var train: TrainRequest
    public var backtest = BacktestSettings()
    /// The prediction intervals scored beside the point forecasts.
    public var intervals = IntervalSettings()

    public init(train: TrainRequest) { self.train = train }

    /// The settings, as summary.json's `config` stores them.
    public struct Config: Codable, Sendable, Equatable {
        public var train: TrainSettings
        public var backtest: BacktestSettings
        public var intervals: IntervalSettings
    }
    public var config: Config { Config(train: train.settings, backtest: backtest, intervals: intervals) }

    /// The request as it runs: `--interval-method quantile` without `--quantile-levels` trains the
    /// quantile head for the interval levels; checked (intervals, and levels the head has).
    public func resolved() throws(SettingsError) -> BacktestRequest {
        var r = self
        try intervals.validate()
        if intervals.method == .quantile {
            if r.train.architecture.quantileLevels.isEmpty { r.train.architecture.quantileLevels = intervals.levels }
            let trained = Set(r.train.architecture.quantileLevels)
            if let l = intervals.levels.first(where: { !trained.contains($0) }) {
                throw .incompatible("--levels \(IntervalSettings.label(l)) is not among --quantile-levels \(r.train.architecture.quantileLevels.map(IntervalSettings.label).joined(separator: ","))")
            }
        }
        return r
    }
}
