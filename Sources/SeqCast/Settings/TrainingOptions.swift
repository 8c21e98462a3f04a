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
    /// Sequences per parallel shard, or nil for two shards per batch (`max(8, ⌈batch/2⌉)`: measured
    /// fastest on 2 cores, BENCHMARKS.md). Never derived from the thread count, so results do not depend on it.
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
    public var effectiveShardSize: Int { shardSize ?? max(8, (batchSize + 1) / 2) }

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
