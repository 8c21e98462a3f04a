// Option groups shared by the subcommands: data selection, windows, model, training.
import ArgumentParser
import Foundation
import SeqCast

/// Splits "a,b" into ["a", "b"].
func names(_ s: String?) -> [String]? {
    s.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
}

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

    @Option(help: "HDF5 supervised mode: inputs dataset [batch, steps, dim].")
    var x: String?

    @Option(help: "HDF5 supervised mode: targets dataset [batch, K, out] (or [batch, steps, K, out] for seq2seq).")
    var y: String?

    @Option(help: "Missing values (empty, NA, NaN, null): error, interpolate, ffill, drop.")
    var missing: MissingPolicy = .interpolate

    var selection: DataSelection {
        var s = DataSelection()
        s.targets = names(target); s.covariates = names(covariates) ?? []
        s.timeColumn = timeColumn; s.idColumn = idColumn; s.dataset = dataset; s.missing = missing
        return s
    }

    func validate() throws {
        if (x == nil) != (y == nil) { throw ValidationError("--x and --y go together (supervised HDF5 mode)") }
    }
}

struct WindowOptions: ParsableArguments {
    @Option(help: "Input steps per window (default: two seasons when the frequency has one, else 24).")
    var lookback: Int?

    @Option(help: "Steps to forecast.")
    var horizon: Int = 1

    @Option(help: "Steps between consecutive training windows.")
    var stride: Int = 1

    @Option(help: "Fraction of each series (its end) held out for validation.")
    var valFraction: Double = 0.2

    @Option(help: "Scaling: window (per-window standardisation), standard, minmax, none.")
    var scaler: ScalerKind = .window

    @Option(help: "Value transforms before scaling, shared by every variant, in order: auto (log of strictly positive targets), none, or a list such as log,deseasonalise.")
    var transform: TransformChoice = TrainRequest.defaults.transform

    @Option(help: "Ensemble variants, member i using the i-th mod count, comma-separated: a baseline added to the network's output — auto (seasonal naive where the training part is seasonal, else naive), naive, seasonal, mean (the window's mean) — optionally as deseasonalise+BASELINE; or none (no baseline, no variants).")
    var baseline: String = TrainRequest.defaults.variants.map(\.description).joined(separator: ",")

    @Option(help: "Weight of the plain seasonal-naive forecast in the final combination with the variants: 0 to 1, or auto (from the validation windows: how much training beat the baselines).")
    var baselineWeight: String = TrainRequest.defaults.baselineWeight < 0 ? "auto" : "\(TrainRequest.defaults.baselineWeight)"

    var variants: [VariantSpec] { names(baseline)?.compactMap(VariantSpec.init(argument:)) ?? [] }

    func validate() throws {
        if horizon < 1 { throw ValidationError("--horizon must be at least 1") }
        if stride < 1 { throw ValidationError("--stride must be at least 1") }
        if let l = lookback, l < 1 { throw ValidationError("--lookback must be at least 1") }
        if !(0..<1).contains(valFraction) { throw ValidationError("--val-fraction must be in [0, 1)") }
        if baselineWeight != "auto" && !(0...1).contains(Float(baselineWeight) ?? -1) {
            throw ValidationError("--baseline-weight must be auto or a number in [0, 1]")
        }
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
    @Option(help: "Recurrent cell: lstm, gru, rnn.") var cell: CellKind = .lstm
    @Option(help: "Hidden units per layer.") var hidden: Int = 32
    @Option(help: "Stacked recurrent layers.") var layers: Int = 1
    @Option(help: "Head: seq2vec (last state → horizon) or seq2seq (every step → horizon).") var head: HeadKind = .seq2vec
    @Flag(help: "Layer normalisation inside the cells.") var layerNorm = false
    @Option(help: "Dropout between stacked layers.") var dropout: Float = 0
    @Option(help: "Recurrent (variational) dropout on h(t-1).") var recurrentDropout: Float = 0
    @Option(help: "Forget/update-gate bias init: chrono or a constant such as 1.") var forgetInit: GateInit = .chrono

    func validate() throws {
        if hidden < 1 { throw ValidationError("--hidden must be at least 1") }
        if layers < 1 { throw ValidationError("--layers must be at least 1") }
        if !(0..<1).contains(dropout) { throw ValidationError("--dropout must be in [0, 1)") }
        if !(0..<1).contains(recurrentDropout) { throw ValidationError("--recurrent-dropout must be in [0, 1)") }
    }
}

struct TrainingFlags: ParsableArguments {
    @Option(help: "Loss: mse or mae.") var loss: LossKind = .mse
    @Option(help: "Optimizer: adam or sgd (with momentum 0.9).") var optimizer: OptimizerKind = .adam
    @Option(help: "Learning rate.") var lr: Float = TrainingOptions().learningRate
    @Option(help: "Sequences per mini-batch.") var batchSize: Int = TrainingOptions().batchSize
    @Option(help: "Maximum epochs (default \(TrainingOptions().epochs)); with --resume, extends a stored run.") var epochs: Int?
    @Option(help: "Early stopping: epochs without validation improvement (0 = off); best weights are restored.")
    var patience: Int = TrainingOptions().patience
    @Option(help: "Clip gradients to this global norm (0 = off).") var clip: Float = TrainingOptions().clip
    @Option(help: "Random seed (weights, shuffling, dropout); ensemble member i uses seed + i.") var seed: UInt64 = TrainingOptions().seed
    @Option(help: "Ensemble size: independently seeded models whose forecasts are averaged.") var ensemble: Int = TrainingOptions().ensemble
    @Option(help: "Worker threads (results do not depend on it).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    var options: TrainingOptions {
        var o = TrainingOptions()
        o.loss = loss; o.optimizer = optimizer; o.learningRate = lr; o.batchSize = batchSize; o.epochs = epochs ?? o.epochs
        o.patience = patience; o.clip = clip; o.seed = seed; o.threads = max(1, threads); o.ensemble = ensemble
        return o
    }

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let e = epochs, e < 1 { throw ValidationError("--epochs must be at least 1") }
        if !(lr > 0) { throw ValidationError("--lr must be positive") }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if ensemble < 1 { throw ValidationError("--ensemble must be at least 1") }
    }
}

/// The library request for `train` and `backtest`, from their shared option groups.
func trainRequest(data: DataOptions, window: WindowOptions, model: ModelOptions, training: TrainingFlags,
                  out: String) -> TrainRequest {
    var r = TrainRequest(dataPath: data.data, outDir: out)
    r.selection = data.selection
    r.supervisedX = data.x; r.supervisedY = data.y
    r.lookback = window.lookback; r.horizon = window.horizon; r.stride = window.stride
    r.valFraction = window.valFraction; r.scaler = window.scaler
    r.transform = window.transform; r.variants = window.variants; r.baselineWeight = Float(window.baselineWeight) ?? -1
    r.cell = model.cell; r.hidden = model.hidden; r.layers = model.layers; r.head = model.head
    r.layerNorm = model.layerNorm; r.dropout = model.dropout; r.recurrentDropout = model.recurrentDropout
    r.gateInit = model.forgetInit
    r.training = training.options
    return r
}
