// Option groups shared by the subcommands: data selection, windows and preprocessing, model,
// training. They only present the library's settings: every default comes from the settings types
// (Sources/SeqCast/Settings), and so does every check but parsing (`validate` below).
import ArgumentParser
import Foundation
import SeqCast

/// Whether `path` is named like a text file (an HDF5 output given such a name is refused).
func namedLikeText(_ path: String) -> Bool { [".csv", ".txt", ".tsv"].contains(where: path.lowercased().hasSuffix) }

/// Splits "a,b" into ["a", "b"].
func names(_ s: String?) -> [String]? {
    s.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
}

private let windowDefaults = WindowSettings(), preprocessingDefaults = PreprocessingSettings()
private let architectureDefaults = ArchitectureSettings(), trainingDefaults = TrainingOptions()

struct DataOptions: ParsableArguments {
    @Option(help: "Input file: CSV, or HDF5 ([steps], [steps, dim] or [batch, steps, dim]).")
    var data: String

    @Option(help: "Target columns, comma-separated (default: every numeric column but time/id/covariates).")
    var target: String?

    @Option(help: "Extra input columns, comma-separated (fed to the model, not predicted).")
    var covariates: String?

    @Option(help: "Time column (default: detected by name or format).")
    var timeColumn: String?

    @Option(help: "Series-id column for long format (one series per id), e.g. unique_id.")
    var idColumn: String?

    @Option(help: "HDF5 series mode: dataset name (default: 'series' or the only dataset).")
    var dataset: String?

    @Option(help: "HDF5 supervised mode (train only; convert writes series): inputs dataset [batch, steps, dim]; look-back, horizon and head come from the shapes.")
    var x: String?

    @Option(help: "HDF5 supervised mode (train only): targets dataset [batch, K, out] (or [batch, steps, K, out] for seq2seq).")
    var y: String?

    @Option(help: "Missing values (empty, NA, NaN, null): error, interpolate, ffill, drop.")
    var missing: MissingPolicy = DataSelection().missing

    var settings: DataSettings {
        var s = DataSettings(path: data)
        s.selection.targets = names(target); s.selection.covariates = names(covariates) ?? []
        s.selection.timeColumn = timeColumn; s.selection.idColumn = idColumn; s.selection.dataset = dataset
        s.selection.missing = missing
        s.x = x; s.y = y
        return s
    }
}

struct WindowOptions: ParsableArguments {
    @Option(help: "Input steps per window (default: two seasons when the frequency has one, else 24; at least 2 × horizon, at most a third of the shortest series).")
    var lookback: Int?

    @Option(help: "Steps to forecast (default: \(windowDefaults.horizon)).")
    var horizon: Int?

    @Option(help: "Steps between consecutive training windows (default: \(windowDefaults.stride)).")
    var windowStride: Int?

    @Option(help: "Fraction of each series (its end) held out for validation.")
    var valFraction: Double = windowDefaults.valFraction

    @Option(help: "Scaling: window (per-window standardisation), standard, minmax, none (default: \(preprocessingDefaults.scaler); standard with --x/--y, which have no series to take windows from).")
    var scaler: ScalerKind?

    @Option(help: "Value transforms before scaling, shared by every variant, in order: auto (log of strictly positive targets), none, or a list of log, boxcox (λ by Guerrero's method), deseasonalise, e.g. log,deseasonalise (default: \(preprocessingDefaults.transform)).")
    var transform: TransformChoice?

    @Option(help: "Ensemble variants, member i using the i-th mod count, comma-separated: a baseline added to the network's output — auto (seasonal naive where the training part is seasonal, else naive; with the window scaler, in a variant not deseasonalised, the window mean where it forecasts the training part better), naive, seasonal, mean (the window's mean) — optionally as deseasonalise+BASELINE; or none (no baseline, no variants) (default: \(preprocessingDefaults.variants.map(\.description).joined(separator: ","))).")
    var baseline: String?

    @Option(help: "Weight of the plain seasonal-naive forecast (the window mean for a mean-reverting target) in the final combination with the variants: 0 to 1, or auto (from the validation windows: how much training beat the baselines) (default: \(preprocessingDefaults.baselineWeight)).")
    var baselineWeight: String?

    @Option(help: "Weight of Theta's forecast (simple exponential smoothing with drift, on the history before each forecast; strictly positive series) in the final combination with the variants: 0 (none) to 1, or auto (from the validation windows: inverse-MAE against the network's combination) (default: \(preprocessingDefaults.thetaWeight.map(\.description) ?? "0")).")
    var thetaWeight: String?

    @Option(help: "Seasonal period (seasonal naive, deseasonalisation, MASE), or auto (the time column's frequency, none for a yearly one; without a time column the autocorrelation peak).")
    var season: String = "auto"

    /// Flags given that only series mode honours (supervised --x/--y takes these from the shapes).
    var seriesOnlyFlags: [String] {
        [(lookback != nil, "--lookback"), (horizon != nil, "--horizon"), (windowStride != nil, "--window-stride"),
         (transform != nil, "--transform"), (baseline != nil, "--baseline"), (baselineWeight != nil, "--baseline-weight"), (thetaWeight != nil, "--theta-weight"),
         (season != "auto", "--season")].filter(\.0).map(\.1)
    }

    func apply(to s: inout TrainSettings) {
        s.windows.lookback = lookback
        s.windows.horizon = horizon ?? windowDefaults.horizon
        s.windows.stride = windowStride ?? windowDefaults.stride
        s.windows.valFraction = valFraction
        s.preprocessing.scaler = scaler ?? (s.data.supervised ? .standard : preprocessingDefaults.scaler)
        s.preprocessing.transform = transform ?? preprocessingDefaults.transform
        if let baseline {
            s.preprocessing.variants = names(baseline)?.compactMap(VariantSpec.init(argument:)) ?? []
        }
        if let w = baselineWeight.flatMap(CombinationWeight.init(argument:)) { s.preprocessing.baselineWeight = w }
        // A number out of [0, 1] is kept for the settings' own range check (its message names the flag).
        if let w = thetaWeight { s.preprocessing.thetaWeight = w == "auto" ? .auto : Float(w).map { .fixed($0) } }
        s.preprocessing.season = Int(season)
    }

    func validate() throws {
        if season != "auto" && (Int(season) ?? 0) < 1 { throw ValidationError("--season must be auto or a positive integer") }
        if let w = baselineWeight, CombinationWeight(argument: w) == nil {
            throw ValidationError("--baseline-weight must be auto or a number in [0, 1]")
        }
        if let w = thetaWeight, w != "auto", Float(w) == nil {
            throw ValidationError("--theta-weight must be auto or a number in [0, 1], got '\(w)'")
        }
        guard let baseline else { return }
        let list = names(baseline) ?? []
        if let bad = list.first(where: { VariantSpec(argument: $0) == nil && $0 != "none" }) {
            throw ValidationError("--baseline: '\(bad)' is not one of \(BaselineChoice.allCases.map(\.rawValue).joined(separator: ", ")) (optionally deseasonalise+NAME)")
        }
        if list.isEmpty || (list.contains("none") && list.count > 1) {
            throw ValidationError("--baseline takes a comma-separated list of baselines, or none alone")
        }
    }
}

struct ModelOptions: ParsableArguments {
    @Option(help: "Recurrent cell: lstm, gru, rnn.") var cell: CellKind = architectureDefaults.cell
    @Option(help: "Hidden units per layer.") var hidden: Int = architectureDefaults.hidden
    @Option(help: "Stacked recurrent layers.") var layers: Int = architectureDefaults.layers
    @Option(help: "Head: seq2vec (last state → horizon), seq2seq (every step → horizon) or encoder-decoder (the encoder's final states start a decoder unrolled over the horizon) (default: \(architectureDefaults.head)).") var head: HeadKind?
    @Flag(help: "Layer normalisation inside the cells.") var layerNorm = architectureDefaults.layerNorm
    @Option(help: "Dropout between stacked layers (of the encoder and of an encoder-decoder's decoder; needs two layers or more).") var dropout: Float = architectureDefaults.dropout
    @Option(help: "Recurrent (variational) dropout on h(t-1).") var recurrentDropout: Float = architectureDefaults.recurrentDropout
    @Option(help: "Forget/update-gate bias init: chrono or a constant such as 1.") var forgetInit: GateInit = architectureDefaults.gateInit
    @Option(help: "Train a quantile head (pinball loss) for these interval levels in percent plus the median, e.g. 80,95, for --interval-method quantile (default: a point head).") var quantileLevels: String?
    @Flag(help: "Bidirectional encoder: forward and backward recurrences over the look-back (seq2vec and encoder-decoder heads).")
    var bidirectional = architectureDefaults.bidirectional
    @Option(help: "How --bidirectional combines the two directions: concat or sum (default: \(architectureDefaults.merge)).") var merge: MergeKind?
    @Option(help: "Encoder-decoder: the decoder's cell (default: --cell).") var decoderCell: CellKind?
    @Option(help: "Encoder-decoder: the decoder's hidden units (default: --hidden; when the encoder's final state is wider or narrower, a learned linear bridge maps it).") var decoderHidden: Int?
    @Option(help: "Encoder-decoder: the decoder's layers (default: --layers; when they differ, every decoder layer starts from the top encoder layer).") var decoderLayers: Int?
    @Option(help: "Encoder-decoder: the decoder's input at each step: previous (the previous target; the last observed value at step 0) or state-only (the encoder's final state, vector-to-sequence) (default: \(architectureDefaults.decoderInput.rawValue)).") var decoderInput: DecoderInput?

    func apply(to s: inout ArchitectureSettings) throws {
        s.cell = cell; s.hidden = hidden; s.layers = layers; s.head = head ?? architectureDefaults.head
        s.layerNorm = layerNorm; s.dropout = dropout; s.recurrentDropout = recurrentDropout; s.gateInit = forgetInit
        if let quantileLevels {
            do { s.quantileLevels = try IntervalSettings.parseLevels(quantileLevels) } catch { throw ValidationError(error.description.replacingOccurrences(of: "--levels", with: "--quantile-levels")) }
        }
        s.bidirectional = bidirectional; s.merge = merge ?? architectureDefaults.merge
        s.decoderCell = decoderCell; s.decoderHidden = decoderHidden; s.decoderLayers = decoderLayers
        s.decoderInput = decoderInput ?? architectureDefaults.decoderInput
    }
}

struct TrainingFlags: ParsableArguments {
    @Option(help: "Loss: mse or mae.") var loss: LossKind = trainingDefaults.loss
    @Option(help: "Optimizer: adam or sgd (with momentum 0.9).") var optimizer: OptimizerKind = trainingDefaults.optimizer
    @Option(help: "Learning rate.") var lr: Float = trainingDefaults.learningRate
    @Option(help: "Sequences per mini-batch.") var batchSize: Int = trainingDefaults.batchSize
    @Option(help: "Maximum epochs (default \(trainingDefaults.epochs)); with --resume, extends a stored run.") var epochs: Int?
    @Option(help: "Early stopping: epochs without validation improvement (0 = off); best weights are restored.")
    var patience: Int = trainingDefaults.patience
    @Option(help: "Clip gradients to this global norm (0 = off).") var clip: Float = trainingDefaults.clip
    @Option(help: "Random seed (weights, shuffling, dropout); ensemble member i uses seed + i.") var seed: UInt64 = trainingDefaults.seed
    @Option(help: "Ensemble size: independently seeded models whose forecasts are averaged.") var ensemble: Int = trainingDefaults.ensemble
    @Option(help: "Encoder-decoder: probability of feeding the decoder the true previous value in training (1 = teacher forcing, 0 = free-running; inference always feeds back its own predictions) (default: \(TrainingOptions.defaultTeacherForcing)).")
    var teacherForcing: Float?
    @Option(help: "Encoder-decoder: scheduled sampling, the teacher-forcing probability's factor per epoch (P at epoch e = P·decay^e) (default: 1).")
    var teacherForcingDecay: Float?
    @Option(help: "Sequences per parallel shard of a mini-batch (default: two shards per batch, max(8, ⌈batch/2⌉), or more, equal ones when a shard's backward-pass cache would exceed 32 MiB). Stored with the model: it fixes the order gradients are summed in, and under mpirun a batch's shards are what the ranks share (README \"Running on a cluster\").")
    var shardSize: Int?
    @Flag(help: "One model per series id (a long-format CSV with --id-column, or an HDF5 [batch, steps, dim] dataset: one series per batch row) instead of one global model: each fitted as that series alone would be, with its own seed (from --seed and the id). Under mpirun the series are dealt to the ranks in contiguous blocks and each rank reads and trains only its own (README \"Running on a cluster\").")
    var perSeries = false
    @OptionGroup var threads: ThreadsOption

    var options: TrainingOptions {
        var o = TrainingOptions()
        o.loss = loss; o.optimizer = optimizer; o.learningRate = lr; o.batchSize = batchSize; o.epochs = epochs ?? o.epochs
        o.patience = patience; o.clip = clip; o.seed = seed; o.ensemble = ensemble
        o.teacherForcing = teacherForcing; o.teacherForcingDecay = teacherForcingDecay; o.shardSize = shardSize
        return o
    }
}

extension IntervalMethod: ExpressibleByArgument {}
extension ConformalScale: ExpressibleByArgument {}

private let intervalDefaults = IntervalSettings()

/// Prediction intervals of `forecast` and `backtest`.
struct IntervalOptions: ParsableArguments {
    @Option(help: "Prediction interval levels in percent, comma-separated (default: \(intervalDefaults.levels.map(IntervalSettings.label).joined(separator: ","))).")
    var levels: String?

    @Option(help: "Interval method: \(IntervalMethod.allCases.map(\.rawValue).joined(separator: ", ")) (default: \(intervalDefaults.method.rawValue)).")
    var intervalMethod: IntervalMethod = intervalDefaults.method

    @Option(help: "Conformal residuals in original units (none) or relative to each window's mean absolute step change (window) (default: \(intervalDefaults.conformalScale.rawValue)).")
    var intervalScale: ConformalScale = intervalDefaults.conformalScale

    @Option(help: "Monte-Carlo dropout draws for --interval-method mc-dropout (default: \(intervalDefaults.samples)).")
    var samples: Int = intervalDefaults.samples

    /// The settings, checked by their own validation (one line naming the flag).
    func settings() throws -> IntervalSettings {
        var s = IntervalSettings()
        do {
            if let levels { s.levels = try IntervalSettings.parseLevels(levels) }
            s.method = intervalMethod; s.conformalScale = intervalScale; s.samples = samples
            try s.validate()
        } catch { throw ValidationError(error.description) }
        return s
    }

    func validate() throws { _ = try settings() }
}

struct ThreadsOption: ParsableArguments {
    @Option(help: "Worker threads (results do not depend on it).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
    }
}

/// The library request for `train` and `backtest`, from their shared option groups; checked by the
/// settings' own validation (the messages name the flags).
func trainRequest(data: DataOptions, window: WindowOptions, model: ModelOptions, training: TrainingFlags,
                  out: String) throws -> TrainRequest {
    var r = TrainRequest(dataPath: data.data, outDir: out)
    r.data = data.settings
    window.apply(to: &r.settings)
    try model.apply(to: &r.architecture)
    r.training = training.options
    r.settings.perSeries = training.perSeries ? true : nil
    r.run.threads = training.threads.threads
    r.run.group = ProcessGroup.world
    if data.x != nil {
        let ignored = window.seriesOnlyFlags + (model.head != nil ? ["--head"] : [])
        if !ignored.isEmpty {
            throw ValidationError("supervised HDF5 mode (--x/--y) takes look-back, horizon and head from the datasets' shapes and has no series to preprocess; leave out \(ignored.joined(separator: ", "))")
        }
    }
    do { try r.settings.validate() } catch { throw ValidationError(error.description) }
    return r
}
