// Benchmark: training and inference throughput on the configurations of Benchmarks/configs.json —
// random data, MSE, Adam (lr 1e-3), float32: exactly the work the peer scripts (PyTorch, Keras)
// time. One training step = forward + backward + optimizer update of one mini-batch.
import Foundation

/// One configuration of configs.json.
public struct BenchConfig: Codable, Sendable {
    public var name: String
    public var cell: CellKind
    public var batch: Int, steps: Int
    public var input_dim: Int, hidden: Int, layers: Int
    public var head: HeadKind
    public var horizon: Int, output_dim: Int
    /// A bidirectional encoder (absent: false).
    public var bidirectional: Bool? = nil

    /// Training FLOPs per sequence as REFERENCE.md counts them: 3 × (2·T·G·H·(D + H)) per layer
    /// and direction; an encoder–decoder adds its decoder's K steps (input O, then H).
    public var trainingFlopsPerSequence: Double {
        let directions = bidirectional == true ? 2 : 1
        let encoder = (0..<layers).reduce(0.0) { sum, l in
            let d = l == 0 ? input_dim : directions * hidden
            return sum + Double(directions) * 3 * 2 * Double(steps * cell.gates * hidden * (d + hidden))
        }
        guard head == .encoderDecoder else { return encoder }
        return (0..<layers).reduce(encoder) { sum, l in
            sum + 3 * 2 * Double(horizon * cell.gates * hidden * ((l == 0 ? output_dim : hidden) + hidden))
        }
    }

    func config(layerNorm: Bool = false, dropout: Float = 0) -> ModelConfig {
        var c = ModelConfig(cell: cell, inputDim: input_dim, hidden: hidden, layers: layers, head: head, horizon: horizon,
                            outputDim: output_dim, lookback: steps, layerNorm: layerNorm, dropout: dropout, recurrentDropout: 0)
        c.bidirectional = bidirectional ?? false
        return c
    }
}

public struct BenchFile: Codable, Sendable { public var configs: [BenchConfig] }

/// Measured throughput of one configuration.
public struct BenchResult: Sendable {
    public var name: String
    public var variant: String
    public var mode: String          // "train" or "infer"
    public var sequencesPerSecond: (median: Double, min: Double, max: Double)
    public var threads: Int
    public var gflops: Double
    /// Processes sharing each batch's shards (`mpirun -n N seqcast bench`; threads are per rank).
    public var ranks = 1

    /// One JSON line in the peer scripts' schema plus `gflops`, `variant` and `mode`.
    public var json: String {
        func r(_ v: Double) -> String { String(format: "%.1f", v) }
        return "{\"name\": \"\(name)\", \"seq_per_s\": \(r(sequencesPerSecond.median)), \"min\": \(r(sequencesPerSecond.min)), \"max\": \(r(sequencesPerSecond.max)), \"threads\": \(threads),\(ranks > 1 ? " \"ranks\": \(ranks)," : "") \"gflops\": \(String(format: "%.2f", gflops)), \"mode\": \"\(mode)\", \"variant\": \"\(variant)\", \"peer\": \"seqcast \(seqcastVersion)\", \(Benchmark.kernelFields)}"
    }
}

public enum Benchmark {
    /// The JSON fields naming the kernels in use: OpenBLAS's core and how it was chosen, and
    /// PackedGEMM's register tile.
    public static var kernelFields: String {
        "\"blas_core\": \"\(BLAS.coreName)\", \"blas_core_source\": \"\(BLAS.coreSource)\", \"tile\": \"\(PackedGEMM.preferred.name)\", \"weight_gradients\": \"\(BLAS.weightGradientsOnPacked ? "packed" : "blas")\""
    }

    public static func load(_ path: String) throws(DataError) -> [BenchConfig] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .fileNotFound(path: path) }
        do { return try JSONDecoder().decode(BenchFile.self, from: data).configs } catch {
            throw .unreadable(path: path, reason: "not a benchmark configuration file: \(error)")
        }
    }

    /// Training variants a benchmark can time side by side.
    public enum Variant: String, CaseIterable, Sendable {
        case plain, layerNorm = "layer-norm", dropout
        var label: String { self == .dropout ? "dropout 0.2" : rawValue }
    }

    /// Times training of each variant: warm-up (3 steps and at least 0.3 s, so idle OpenBLAS
    /// threads from earlier work have stopped spinning), then `repeats` rounds in which every
    /// variant times `steps` training steps in turn. Interleaving puts each variant under the same
    /// machine load, so their ratios (the cost of layer norm or dropout) are comparable even on a
    /// noisy host. Returns one result per variant (median, min, max sequences/s).
    /// Under `mpirun` (`group` of several ranks) each step is data-parallel (Trainer.swift): the ranks
    /// follow rank 0's warm-up, and the rates are each rank's own (the caller prints rank 0's).
    public static func train(_ c: BenchConfig, variants: [Variant], threads: Int, steps: Int = 20,
                             repeats: Int = 5, shardSize: Int? = nil, group: ProcessGroup = .single) throws -> [BenchResult] {
        let trainers = try variants.map { v in
            try makeTrainer(c, layerNorm: v == .layerNorm, dropout: v == .dropout ? 0.2 : 0, threads: threads,
                            shardSize: shardSize, group: group)
        }
        let set = benchData(c)
        var epoch = 0
        for trainer in trainers {
            let start = DispatchTime.now().uptimeNanoseconds
            var warm = 0
            while true {
                let more = warm < 3 || DispatchTime.now().uptimeNanoseconds - start < 300_000_000
                guard group.broadcast([more ? 1 : 0]) == [1] else { break }   // every rank steps as rank 0 says
                _ = try trainer.trainEpoch(set, epoch: epoch); epoch += 1; warm += 1
            }
        }
        var rates = Array(repeating: [Double](), count: trainers.count)
        for _ in 0..<repeats {
            for (i, trainer) in trainers.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<steps { _ = try trainer.trainEpoch(set, epoch: epoch); epoch += 1 }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                rates[i].append(Double(c.batch * steps) / seconds)
            }
        }
        return zip(variants, rates).map { v, r in
            let sorted = r.sorted(), median = sorted[sorted.count / 2]
            var result = BenchResult(name: c.name, variant: v.label, mode: "train",
                                     sequencesPerSecond: (median, sorted.first!, sorted.last!), threads: threads,
                                     gflops: median * c.trainingFlopsPerSequence / 1e9)
            result.ranks = group.size
            return result
        }
    }

    /// A trainer for one configuration and variant (random init, seed 0; Adam lr 1e-3, no clipping).
    static func makeTrainer(_ c: BenchConfig, layerNorm: Bool, dropout: Float, threads: Int,
                            shardSize: Int?, group: ProcessGroup) throws -> Trainer {
        let config = c.config(layerNorm: layerNorm, dropout: dropout)
        var o = TrainingOptions()
        o.batchSize = c.batch; o.learningRate = 1e-3; o.clip = 0
        o.shardSize = shardSize
        try o.validate()
        return Trainer(network: try Network(config: config, seed: 0), options: o.resolvingShardSize(for: config),
                       threads: threads, group: group)
    }

    /// One mini-batch of random inputs and targets (one training step per `trainEpoch`).
    static func benchData(_ c: BenchConfig) -> SampleSet {
        var rng = SeededRandom(seed: 1)
        let perStep = c.head == .seq2seq, width = c.horizon * c.output_dim
        return SampleSet(steps: c.steps, inputDim: c.input_dim, targetWidth: width, perStep: perStep,
                         x: (0..<(c.batch * c.steps * c.input_dim)).map { _ in rng.normal() },
                         y: (0..<(c.batch * (perStep ? c.steps : 1) * width)).map { _ in rng.normal() })
    }

    /// Inference (forward only, `Forecaster.predict` as `forecast` and `backtest` use it) throughput.
    public static func infer(_ c: BenchConfig, threads: Int, steps: Int = 20, repeats: Int = 5) throws -> BenchResult {
        let config = c.config()
        let net = try Network(config: config, seed: 0)
        var rng = SeededRandom(seed: 1)
        let inputs = (0..<c.batch).map { _ in (0..<(c.steps * c.input_dim)).map { _ in rng.normal() } }
        for _ in 0..<3 { _ = Forecaster.predict(net, inputs: inputs, threads: threads) }
        var rates: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { _ = Forecaster.predict(net, inputs: inputs, threads: threads) }
            rates.append(Double(c.batch * steps) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
        }
        rates.sort()
        return BenchResult(name: c.name, variant: "plain", mode: "infer",
                           sequencesPerSecond: (rates[rates.count / 2], rates.first!, rates.last!), threads: threads,
                           gflops: rates[rates.count / 2] * c.trainingFlopsPerSequence / 3 / 1e9)
    }
}
