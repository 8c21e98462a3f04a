// Trainer: mini-batch training with Dispatch-parallel shards, gradient clipping, an optimizer
// step per batch, validation loss and early stopping state.
//
// Determinism: each mini-batch is cut into shards of a fixed size (`shardSize`, never derived from
// the thread count); each shard has its own workspace and gradient buffer and its dropout masks
// come from a generator seeded by (seed, epoch, batch, shard). Shard gradients are summed in shard
// order, so `--threads 1` and `--threads N` give bit-identical weights.
import Dispatch

/// Settings of one training run (stored with the model). The defaults are the CLI's; they were
/// chosen by backtests on the shipped datasets (README, "Defaults").
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
    public var threads = 1
    /// Sequences per parallel shard, or nil for two shards per batch (`max(8, ⌈batch/2⌉)`: measured
    /// fastest on 2 cores, BENCHMARKS.md). Never derived from `threads`, so results do not depend on it.
    public var shardSize: Int? = nil

    /// The shard size in effect.
    public var effectiveShardSize: Int { shardSize ?? max(8, (batchSize + 1) / 2) }
    /// Ensemble members (independently seeded models whose forecasts are averaged).
    public var ensemble = 5

    public init() {}
}

/// One epoch's outcome.
public struct EpochRecord: Codable, Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var validationLoss: Double?
    public var seconds: Double
}

public enum TrainingError: Error, CustomStringConvertible {
    /// 1-based epoch, and 1-based batch (nil: the validation pass).
    case nonFinite(epoch: Int, batch: Int?)
    case noSamples(String)
    public var description: String {
        switch self {
        case .nonFinite(let e, let b):
            "training diverged: the loss became NaN or infinite at epoch \(e), \(b.map { "batch \($0)" } ?? "validation"); try a lower --lr or --clip"
        case .noSamples(let m): m
        }
    }
}

/// Trains one network on one sample set. Reuses its shard workspaces across batches and epochs.
public final class Trainer: @unchecked Sendable {
    public let network: Network
    public let options: TrainingOptions
    public let optimizer: Optimizer
    private var workspaces: [Workspace] = []
    private let gradSum: FloatBuffer
    private let xBuffers: [FloatBuffer], yBuffers: [FloatBuffer]
    /// Sequences per shard: `shardSize`, or the whole batch when that is smaller (= workspace capacity).
    private let shard: Int

    public init(network: Network, options: TrainingOptions) {
        self.network = network
        self.options = options
        optimizer = Optimizer(kind: options.optimizer, count: network.parameterCount, learningRate: options.learningRate)
        let shards = (options.batchSize + options.effectiveShardSize - 1) / options.effectiveShardSize
        let size = min(options.effectiveShardSize, options.batchSize), t = network.config.lookback
        shard = size
        workspaces = (0..<shards).map { _ in network.makeWorkspace(batch: size, steps: t) }
        xBuffers = (0..<shards).map { _ in FloatBuffer(count: size * t * network.config.inputDim) }
        yBuffers = (0..<shards).map { _ in FloatBuffer(count: network.outputCount(batch: size, steps: t)) }
        gradSum = FloatBuffer(count: network.parameterCount)
    }

    /// Runs `body(shard)` for shards 0..<n on `options.threads` workers (Concurrency.swift).
    private func parallel(_ n: Int, _ body: (Int) -> Void) {
        concurrentWorkers(n, threads: options.threads) { _, shards in for s in shards { body(s) } }
    }

    /// Cuts samples `idx` into shards, gathers each into its workspace's time-major buffers and runs
    /// `body(shard, count, workspace, x, y)` for the shards concurrently; returns each shard's result.
    private func shards(of idx: ArraySlice<Int>, in data: SampleSet,
                        _ body: (Int, Int, Workspace, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Double) -> [Double] {
        let count = (idx.count + shard - 1) / shard
        var results = [Double](repeating: 0, count: count)
        results.withUnsafeMutableBufferPointer { out in
            parallel(count) { s in
                let lo = idx.startIndex + s * shard
                let part = idx[lo..<min(lo + shard, idx.endIndex)]
                let xb = xBuffers[s].p, yb = yBuffers[s].p
                data.gather(part, x: xb, y: yb)
                out[s] = body(s, part.count, workspaces[s], xb, yb)
            }
        }
        return results
    }

    /// One pass over `data` in a seeded random order; returns the mean training loss.
    /// `onBatch(batch, batches, meanLossSoFar)` is called after each optimizer step.
    /// `seed` (default: the options' seed) drives the shuffle and dropout masks.
    public func trainEpoch(_ data: SampleSet, epoch: Int, seed: UInt64? = nil,
                           onBatch: ((Int, Int, Double) -> Void)? = nil) throws -> Double {
        guard data.count > 0 else { throw TrainingError.noSamples("no training samples") }
        let seed = seed ?? options.seed
        var rng = SeededRandom.derived(seed, 1, UInt64(epoch))
        let order = rng.permutation(data.count)
        let perSample = network.outputCount(batch: 1, steps: network.config.lookback)
        var total = 0.0
        var batch = 0
        var start = 0
        while start < data.count {
            let end = min(start + options.batchSize, data.count)
            let idx = order[start..<end]
            let normalizer = idx.count * perSample
            let losses = shards(of: idx, in: data) { s, n, ws, xb, yb in
                var shardRng = SeededRandom.derived(seed, UInt64(epoch), UInt64(batch), UInt64(s))
                network.forward(x: xb, batch: n, workspace: ws, training: true, dropoutSeed: shardRng.next())
                let loss = network.loss(options.loss, target: yb, batch: n, workspace: ws, normalizer: normalizer)
                ws.grads.zero()
                network.backward(x: xb, batch: n, workspace: ws)
                return loss
            }
            let shardCount = losses.count
            gradSum.copy(from: workspaces[0].grads)
            for s in 1..<max(shardCount, 1) {
                let g = workspaces[s].grads.p, sum = gradSum.p
                for i in 0..<gradSum.count { sum[i] += g[i] }
            }
            let batchLoss = losses.reduce(0, +)
            guard batchLoss.isFinite else { throw TrainingError.nonFinite(epoch: epoch + 1, batch: batch + 1) }
            clipGlobalNorm(gradSum, maxNorm: options.clip)
            optimizer.update(params: network.params, grads: gradSum)
            total += batchLoss
            batch += 1
            start = end
            onBatch?(batch, (data.count + options.batchSize - 1) / options.batchSize,
                     total / Double(start * perSample))
        }
        return total / Double(data.count * perSample)
    }

    /// Mean loss over `data` without dropout (the validation loss).
    public func evaluate(_ data: SampleSet) -> Double {
        guard data.count > 0 else { return .nan }
        let perSample = network.outputCount(batch: 1, steps: network.config.lookback)
        var total = 0.0
        let chunk = shard * workspaces.count
        var start = 0
        while start < data.count {
            let idx = Array(start..<min(start + chunk, data.count))[...]
            let losses = shards(of: idx, in: data) { _, n, ws, xb, yb in
                network.forward(x: xb, batch: n, workspace: ws)
                return network.loss(options.loss, target: yb, batch: n, workspace: ws, normalizer: 1)
            }
            total += losses.reduce(0, +)
            start += idx.count
        }
        return total / Double(data.count * perSample)
    }
}
