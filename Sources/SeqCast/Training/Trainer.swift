// Trainer: mini-batch training with Dispatch-parallel shards, gradient clipping, an optimizer
// step per batch, validation loss and early stopping state.
//
// Determinism: each mini-batch is cut into shards of a fixed size (`shardSize`, never derived from
// the thread count); each shard has its own workspace and gradient buffer and its dropout masks
// come from a generator seeded by (seed, epoch, batch, shard), and so do an encoder–decoder's
// teacher-forcing decisions (then per sample and step). Shard gradients are summed in shard
// order, so `--threads 1` and `--threads N` give bit-identical weights.
import Dispatch

public enum TrainingError: Error, CustomStringConvertible {
    /// 1-based epoch, and 1-based batch (nil: the validation pass).
    case nonFinite(epoch: Int, batch: Int?)
    case noSamples(String)
    /// A `--resume` that cannot continue the stored run as it is.
    case resume(String)
    /// Samples whose shape is not the network's (a bug in the caller, caught at the boundary).
    case shapeMismatch(String)
    /// A run whose estimated memory does not fit the budget (MemoryEstimate.swift).
    case tooLarge(String)
    public var description: String {
        switch self {
        case .nonFinite(let e, let b):
            "training diverged: the loss became NaN or infinite at epoch \(e), \(b.map { "batch \($0)" } ?? "validation"); try a lower --lr or --clip"
        case .noSamples(let m), .shapeMismatch(let m), .resume(let m), .tooLarge(let m): m
        }
    }
}

/// Trains one network on one set of windows. Reuses its shard workspaces across batches and epochs.
public final class Trainer: @unchecked Sendable {
    public let network: Network
    public let options: TrainingOptions
    /// Workers for the shards of a batch (results do not depend on it).
    public let threads: Int
    public let optimizer: Optimizer
    private var workspaces: [Workspace] = []
    private let gradSum: FloatBuffer
    private let xBuffers: [FloatBuffer], yBuffers: [FloatBuffer]
    /// Sequences per shard: `shardSize`, or the whole batch when that is smaller (= workspace capacity).
    private let shard: Int

    public init(network: Network, options: TrainingOptions, threads: Int = 1) {
        self.network = network
        self.options = options
        self.threads = max(1, threads)
        optimizer = Optimizer(kind: options.optimizer, count: network.parameterCount, learningRate: options.learningRate)
        let shards = (options.batchSize + options.effectiveShardSize - 1) / options.effectiveShardSize
        let size = min(options.effectiveShardSize, options.batchSize), t = network.config.lookback
        shard = size
        workspaces = (0..<shards).map { _ in network.makeWorkspace(batch: size, steps: t) }
        xBuffers = (0..<shards).map { _ in FloatBuffer(count: size * t * network.config.inputDim) }
        yBuffers = (0..<shards).map { _ in FloatBuffer(count: network.outputCount(batch: size, steps: t)) }
        gradSum = FloatBuffer(count: network.parameterCount)
    }

    /// Runs `body(shard)` for shards 0..<n on `threads` workers (Support/Concurrency.swift).
    private func parallel(_ n: Int, _ body: (Int) -> Void) {
        concurrentWorkers(n, threads: threads) { _, shards in for s in shards { body(s) } }
    }

    /// The boundary check: samples must have the network's look-back, input width and output width
    /// (every window is gathered through raw pointers sized from the network).
    public func check(_ data: any WindowSource) throws(TrainingError) {
        let c = network.config
        guard data.steps == c.lookback, data.inputDim == c.inputDim, data.targetWidth == c.targetWidth,
              data.perStep == (c.head == .seq2seq) else {
            throw .shapeMismatch("samples of \(data.steps) steps × \(data.inputDim) inputs → \(data.targetWidth) targets\(data.perStep ? " per step" : "") do not fit the network (lookback \(c.lookback), \(c.inputDim) inputs, \(c.targetWidth) outputs, head \(c.head))")
        }
    }

    /// Cuts windows `idx` into shards, gathers each (WindowSource: cut from the series as it goes)
    /// into its shard's reusable time-major buffers and runs
    /// `body(shard, count, workspace, x, y)` for the shards concurrently; returns each shard's result.
    private func shards(of idx: ArraySlice<Int>, in data: any WindowSource,
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
    public func trainEpoch(_ data: any WindowSource, epoch: Int, seed: UInt64? = nil,
                           onBatch: ((Int, Int, Double) -> Void)? = nil) throws -> Double {
        guard data.count > 0 else { throw TrainingError.noSamples("no training samples") }
        try check(data)
        let seed = seed ?? options.seed
        var rng = SeededRandom.derived(seed, 1, UInt64(epoch))
        let order = rng.permutation(data.count)
        let teacherForcing = options.teacherForcing(epoch: epoch)
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
                let dropoutSeed = shardRng.next()
                if network.config.head == .encoderDecoder {
                    // Teacher-forcing decisions: seeded per (seed, epoch, batch, shard), then per sample and step.
                    network.forward(x: xb, batch: n, workspace: ws, training: true, dropoutSeed: dropoutSeed,
                                    teacher: yb, teacherForcing: teacherForcing, samplingSeed: shardRng.next())
                } else {
                    network.forward(x: xb, batch: n, workspace: ws, training: true, dropoutSeed: dropoutSeed)
                }
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
    public func evaluate(_ data: any WindowSource) throws(TrainingError) -> Double {
        guard data.count > 0 else { return .nan }
        try check(data)
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
