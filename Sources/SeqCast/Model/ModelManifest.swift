// ModelManifest: the JSON stored in model.h5's `manifest` dataset — every setting a model was
// trained with, its fitted preprocessing, and each member's training state. Horizon and look-back
// are stored once (`windows`); the network configuration and the pipeline get them from there.
import Foundation

/// One epoch's outcome.
public struct EpochRecord: Codable, Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var validationLoss: Double?
    public var seconds: Double
}

/// Training state of one ensemble member.
public struct MemberState: Codable, Sendable, Equatable {
    public var seed: UInt64
    public var history: [EpochRecord] = []
    public var epochsCompleted = 0
    public var bestEpoch: Int?
    public var bestLoss: Double?
    public var badEpochs = 0
    public var optimizerStep = 0
    public var finished = false
    public var stopReason: String?
    /// Validation loss of the untrained member (its baseline), when it has one.
    public var initialLoss: Double?

    public init(seed: UInt64) { self.seed = seed }
}

/// Configuration and state stored with a model (JSON in model.h5).
public struct ModelManifest: Sendable {
    public var version = seqcastVersion
    /// The network's architecture and dimensions; its look-back and horizon are `windows`'.
    public private(set) var model: ModelConfig
    public var training: TrainingOptions
    /// Series mode: the fitted preprocessing (its window spec is `windows`).
    public private(set) var pipeline: Pipeline?
    /// Supervised HDF5 mode: the fitted scalers and dataset names.
    public var supervised: SupervisedScaling?
    public var selection: DataSelection
    public var channels: [String]
    public var targetCount: Int
    public var timeAxis: TimeAxis?
    public var source: String
    /// `FileDigest` of the source when training started (nil in models from before it existed).
    public var sourceDigest: String?
    public var valFraction: Double
    public var members: [MemberState] = []
    /// A `--per-series` run's model of one series (`DIR/series/<p>`): that series' id, so that
    /// forecasting with it alone reads that series only (nil: a model of its whole data).
    public var seriesId: String?
    /// The settings the run was started with (flags as typed, defaults filled in), which `--resume`
    /// compares the flags typed with it against (`ResumeCheck`); nil in models from before it.
    public var requested: TrainSettings?

    /// Look-back, horizon, window stride and head shape: the one stored copy.
    public var windows: WindowSpec { pipeline?.spec ?? WindowSpec(lookback: model.lookback, horizon: model.horizon, perStep: model.head == .seq2seq) }

    /// A manifest whose network and pipeline agree on the windows (checked: a mismatch is a bug), with
    /// the shard size fixed (`TrainingOptions.resolvingShardSize`): every new model stores the one it trains with.
    public init(model: ModelConfig, training: TrainingOptions, pipeline: Pipeline?, supervised: SupervisedScaling?,
                selection: DataSelection, channels: [String], targetCount: Int, timeAxis: TimeAxis?, source: String,
                valFraction: Double) {
        if let p = pipeline {
            precondition(p.spec.lookback == model.lookback && p.spec.horizon == model.horizon
                         && p.spec.perStep == (model.head == .seq2seq), "pipeline windows differ from the network's")
        }
        self.model = model; self.training = training.resolvingShardSize(for: model); self.pipeline = pipeline; self.supervised = supervised
        self.selection = selection; self.channels = channels; self.targetCount = targetCount; self.timeAxis = timeAxis
        self.source = source; self.valFraction = valFraction
    }

    /// Changes the fitted pipeline (not its windows, which stay the ones stored once).
    public mutating func updatePipeline(_ body: (inout Pipeline) -> Void) {
        guard var p = pipeline else { return }
        let spec = p.spec
        body(&p); p.spec = spec
        pipeline = p
    }

    public var targetNames: [String] { Array(channels.prefix(targetCount)) }
}

extension ModelManifest: Codable {
    enum CodingKeys: String, CodingKey {
        case version, model, training, pipeline, supervised, selection, channels, targetCount, timeAxis, source,
             sourceDigest, valFraction, members, windows, seriesId, requested
    }

    /// Reads this version's layout (`windows` once) and the older one (look-back and horizon in
    /// both `model` and `pipeline.spec`, taken from `model`).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(String.self, forKey: .version)
        training = try c.decode(TrainingOptions.self, forKey: .training)
        supervised = try c.decodeIfPresent(SupervisedScaling.self, forKey: .supervised)
        selection = try c.decode(DataSelection.self, forKey: .selection)
        channels = try c.decode([String].self, forKey: .channels)
        targetCount = try c.decode(Int.self, forKey: .targetCount)
        timeAxis = try c.decodeIfPresent(TimeAxis.self, forKey: .timeAxis)
        source = try c.decode(String.self, forKey: .source)
        sourceDigest = try c.decodeIfPresent(String.self, forKey: .sourceDigest)
        valFraction = try c.decode(Double.self, forKey: .valFraction)
        members = try c.decodeIfPresent([MemberState].self, forKey: .members) ?? []
        seriesId = try c.decodeIfPresent(String.self, forKey: .seriesId)
        requested = try c.decodeIfPresent(TrainSettings.self, forKey: .requested)
        var model = try c.decode(ModelConfig.self, forKey: .model)
        var pipeline = try c.decodeIfPresent(Pipeline.self, forKey: .pipeline)
        let stored = try c.decodeIfPresent(WindowSpec.self, forKey: .windows)
            ?? pipeline?.spec ?? WindowSpec(lookback: model.lookback, horizon: model.horizon, perStep: model.head == .seq2seq)
        guard stored.lookback >= 1, stored.horizon >= 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.windows], debugDescription: "look-back and horizon must be at least 1"))
        }
        model.lookback = stored.lookback; model.horizon = stored.horizon
        pipeline?.spec = stored
        self.model = model; self.pipeline = pipeline
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version); try c.encode(training, forKey: .training)
        try c.encodeIfPresent(supervised, forKey: .supervised); try c.encode(selection, forKey: .selection)
        try c.encode(channels, forKey: .channels); try c.encode(targetCount, forKey: .targetCount)
        try c.encodeIfPresent(timeAxis, forKey: .timeAxis); try c.encode(source, forKey: .source)
        try c.encodeIfPresent(sourceDigest, forKey: .sourceDigest); try c.encode(valFraction, forKey: .valFraction)
        try c.encode(members, forKey: .members); try c.encodeIfPresent(seriesId, forKey: .seriesId)
        try c.encode(windows, forKey: .windows); try c.encodeIfPresent(requested, forKey: .requested)
        try model.encode(to: c.superEncoder(forKey: .model), windows: false)
        if let pipeline { try pipeline.encode(to: c.superEncoder(forKey: .pipeline), windows: false) }
    }
}

/// Scalers of supervised mode: one over the input dims of x, one over the output dims of y.
public struct SupervisedScaling: Codable, Sendable, Equatable {
    public var x: Scaler
    public var y: Scaler
    public var xName: String
    public var yName: String
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
