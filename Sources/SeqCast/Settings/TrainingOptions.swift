// TrainingOptions: how a model trains — optimizer, loss, epochs, early stopping, seed, ensemble
// size — with the CLI's defaults and their validation. Stored with the model.
import Foundation

/// How a model trains (stored with the model). The defaults are the CLI's; they were chosen by
/// backtests (README, "Defaults"; ACCURACY.md). The thread count is not here: it is a runtime knob
/// (`RunOptions`), and results do not depend on it.
public struct TrainingOptions: Codable, Sendable, Equatable {
    public var epochs = 100
    public var batchSize = 16
    public var learningRate: Float = 3e-3
    public var optimizer: OptimizerKind = .adam
    public var loss: LossKind = .mse
    /// Global-norm gradient clipping threshold (0 = off).
    public var clip: Float = 1
    /// Epochs without validation improvement before stopping (0 = never stop early).
    public var patience = 30
    public var seed: UInt64 = 42
    /// Sequences per parallel shard. It fixes the order of the gradient sum, so it is part of the run:
    /// every new model stores the one it trains with (`resolvingShardSize`, the default rule when
    /// `--shard-size` is not given). nil only in models stored before that: they keep the rule they
    /// were trained with (`legacyShardSize`), so `--resume` continues them exactly. Never derived
    /// from the thread count, so results do not depend on it.
    public var shardSize: Int? = nil
    /// Ensemble members (independently seeded models whose forecasts are averaged).
    public var ensemble = 5
    /// Encoder–decoder: probability of feeding the decoder the true previous value in training
    /// (1 = teacher forcing, 0 = free-running; nil: `defaultTeacherForcing`), and its factor per
    /// epoch (scheduled sampling, Bengio et al. 2015: P_e = P · decay^e; nil: 1). Optional so
    /// manifests of runs without a decoder stay as they were.
    public var teacherForcing: Float? = nil
    public var teacherForcingDecay: Float? = nil
    /// Free-running by default: with the baseline variants (the default preprocessing) it scored best
    /// on the airline and uschange backtests (README, "Encoder–decoder").
    public static let defaultTeacherForcing: Float = 0

    public init() {}

    /// The teacher-forcing probability at (0-based) epoch `e`.
    public func teacherForcing(epoch e: Int) -> Float {
        let p = teacherForcing ?? Self.defaultTeacherForcing, d = teacherForcingDecay ?? 1
        return d == 1 ? p : p * Float(pow(Double(d), Double(e)))
    }

    /// The shard size in effect.
    public var effectiveShardSize: Int { shardSize ?? Self.legacyShardSize(batch: batchSize) }

    /// Shards per full mini-batch (the last may be smaller).
    public var shardCount: Int { (batchSize + effectiveShardSize - 1) / effectiveShardSize }

    /// Sequences a shard's workspace holds: the shard size, or the whole batch when that is smaller.
    public var shardWidth: Int { min(effectiveShardSize, batchSize) }

    /// The rule of models stored without a shard size: two shards per batch, at least 8 sequences each.
    public static func legacyShardSize(batch: Int) -> Int { max(8, (batch + 1) / 2) }

    /// Bytes of activations a shard may cache for its backward pass before it is cut smaller
    /// (BENCHMARKS.md, "shard size"): beyond it the BPTT caches stream from memory and the two cores
    /// wait on bandwidth.
    public static let shardCacheBudget = 32 << 20

    /// The default shard size for `config` at `batch`: two shards per batch (at least 8 sequences
    /// each), or more, equal ones when a shard's BPTT cache — the pre-activations of every layer and
    /// step, T·L·G·H floats per sequence (both directions when bidirectional) — would exceed
    /// `shardCacheBudget`. Depends on the model and batch only, never on threads or ranks.
    public static func defaultShardSize(batch: Int, config: ModelConfig) -> Int {
        let two = legacyShardSize(batch: batch)
        let perSequence = config.lookback * config.layers * config.cell.gates * config.hidden
            * (config.bidirectional ? 2 : 1) * MemoryLayout<Float>.size
        let fitting = max(8, shardCacheBudget / max(1, perSequence))
        guard two > fitting else { return two }
        let shards = (batch + fitting - 1) / fitting
        return max(8, (batch + shards - 1) / shards)
    }

    /// A copy with the shard size fixed: the asked-for one, else the default for `config`. Every new
    /// model stores this, so the run's gradient order is part of the model.
    public func resolvingShardSize(for config: ModelConfig) -> TrainingOptions {
        var o = self
        o.shardSize = shardSize ?? Self.defaultShardSize(batch: batchSize, config: config)
        return o
    }

    public func validate() throws(SettingsError) {
        if batchSize < 1 { throw .outOfRange("--batch-size must be at least 1, got \(batchSize)") }
        if epochs < 1 { throw .outOfRange("--epochs must be at least 1, got \(epochs)") }
        if !(learningRate > 0) { throw .outOfRange("--lr must be positive, got \(learningRate)") }
        if ensemble < 1 { throw .outOfRange("--ensemble must be at least 1, got \(ensemble)") }
        if let s = shardSize, s < 1 { throw .outOfRange("shard size must be at least 1, got \(s)") }
        if let p = teacherForcing, !(0...1).contains(p) { throw .outOfRange("--teacher-forcing must be in [0, 1], got \(p)") }
        if let d = teacherForcingDecay, !(d > 0 && d <= 1) {
            throw .outOfRange("--teacher-forcing-decay must be in (0, 1], got \(d)")
        }
    }
}
