// Trainer: mini-batch training with Dispatch-parallel shards, gradient clipping, an optimizer
// step per batch, validation loss and early stopping state.
//
// Determinism: each mini-batch is cut into shards of a fixed size (`shardSize`, never derived from
// the thread count); each shard has its own workspace and gradient buffer and its dropout masks
// come from a generator seeded by (seed, epoch, batch, shard), and so do an encoder–decoder's
// teacher-forcing decisions (then per sample and step). Shard gradients are summed in shard
// order, so `--threads 1` and `--threads N` give bit-identical weights.
//
// Data-parallel over processes (`mpirun -n N`, a `ProcessGroup`): rank r computes only its
// contiguous share of each batch's shards, then every rank gathers every shard's gradients and loss
// and sums them in the same shard order — the weights stay bit-identical to one process, on every
// rank, for any N and any thread count.
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
    /// Per-phase timing of the serial sections (`PhaseClock.enabled` only; the shards' are in their workspaces).
    private let clock = PhaseClock()
    /// The processes sharing each batch's shards (`single`: this one computes them all).
    public let group: ProcessGroup
    /// Shard records ranks exchange: each shard's gradients then its loss (`exchange`).
    private let exchangeBuffer: UnsafeMutableRawPointer?

    public init(network: Network, options: TrainingOptions, threads: Int = 1, group: ProcessGroup = .single) {
        self.network = network
        self.options = options
        self.threads = max(1, threads)
        self.group = group
        optimizer = Optimizer(kind: options.optimizer, count: network.parameterCount, learningRate: options.learningRate)
        let shards = options.shardCount, size = options.shardWidth, t = network.config.lookback
        shard = size
        workspaces = (0..<shards).map { _ in network.makeWorkspace(batch: size, steps: t) }
        xBuffers = (0..<shards).map { _ in FloatBuffer(count: size * t * network.config.inputDim) }
        yBuffers = (0..<shards).map { _ in FloatBuffer(count: network.outputCount(batch: size, steps: t)) }
        gradSum = FloatBuffer(count: network.parameterCount)
        exchangeBuffer = group.distributed
            ? UnsafeMutableRawPointer.allocate(byteCount: shards * (network.parameterCount * 4 + 8), alignment: 16) : nil
    }

    /// Nanoseconds per phase summed over the shards' workspaces and the serial sections, since the
    /// last `resetPhases` (all zero unless `PhaseClock.enabled`).
    public func phaseNanoseconds() -> [Phase: UInt64] {
        Dictionary(uniqueKeysWithValues: Phase.allCases.map { p in (p, workspaces.reduce(clock[p]) { $0 + $1.clock[p] }) })
    }
    public func resetPhases() { clock.reset(); for w in workspaces { w.clock.reset() } }
    deinit { exchangeBuffer?.deallocate() }

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
    /// In a group of several processes this rank runs only its share of the shards, then every
    /// shard's result (and with `gradients`, its workspace's gradients) comes from the rank that
    /// computed it (`exchange`).
    private func shards(of idx: ArraySlice<Int>, in data: any WindowSource, gradients: Bool = false,
                        _ body: (Int, Int, Workspace, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Double) -> [Double] {
        let count = (idx.count + shard - 1) / shard
        let mine = group.share(of: count)
        var results = [Double](repeating: 0, count: count)
        results.withUnsafeMutableBufferPointer { out in
            parallel(mine.count) { k in
                let s = mine.lowerBound + k
                let lo = idx.startIndex + s * shard
                let part = idx[lo..<min(lo + shard, idx.endIndex)]
                let xb = xBuffers[s].p, yb = yBuffers[s].p, ws = workspaces[s]
                out[s] = ws.clock.time(.shard) {
                    ws.clock.time(.gather) { data.gather(part, x: xb, y: yb) }
                    return body(s, part.count, ws, xb, yb)
                }
            }
        }
        if group.distributed { exchange(&results, gradients: gradients) }
        return results
    }

    /// Every rank's shard results (and gradients) on every rank: each shard's record — its P
    /// gradient floats (with `gradients`) and its loss — is gathered in shard order, and the other
    /// ranks' records are copied into this rank's workspaces, so the reduction that follows reads
    /// exactly what one process would have computed.
    private func exchange(_ results: inout [Double], gradients: Bool) {
        let p = network.parameterCount, gradBytes = gradients ? p * 4 : 0, record = gradBytes + 8
        let buffer = exchangeBuffer!, count = results.count, mine = group.share(of: count)
        for s in mine {
            let r = buffer + s * record
            if gradients { r.copyMemory(from: workspaces[s].grads.p, byteCount: gradBytes) }
            (r + gradBytes).storeBytes(of: results[s].bitPattern, as: UInt64.self)
        }
        group.allgatherShares(buffer, recordBytes: record, count: count)
        for s in 0..<count where !mine.contains(s) {
            let r = buffer + s * record
            if gradients { UnsafeMutableRawPointer(workspaces[s].grads.p).copyMemory(from: r, byteCount: gradBytes) }
            results[s] = Double(bitPattern: (r + gradBytes).loadUnaligned(as: UInt64.self))
        }
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
            let losses = shards(of: idx, in: data, gradients: true) { s, n, ws, xb, yb in
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
            clock.time(.reduction) {
                gradSum.copy(from: workspaces[0].grads)
                for s in 1..<max(shardCount, 1) {
                    let g = workspaces[s].grads.p, sum = gradSum.p
                    for i in 0..<gradSum.count { sum[i] += g[i] }
                }
            }
            let batchLoss = losses.reduce(0, +)
            guard batchLoss.isFinite else { throw TrainingError.nonFinite(epoch: epoch + 1, batch: batch + 1) }
            clock.time(.optimizer) {
                clipGlobalNorm(gradSum, maxNorm: options.clip)
                optimizer.update(params: network.params, grads: gradSum)
            }
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
