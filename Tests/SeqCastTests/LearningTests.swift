// Learning tests: the networks actually learn (noisy sine one step ahead, both heads), and
// training is reproducible and independent of the thread count.
import Foundation
import XCTest
import SeqCast

/// A noisy sine: y_t = sin(2πt/25) + N(0, 0.1²), as a one-channel series.
func noisySine(_ n: Int, seed: UInt64 = 3) -> SeriesMatrix {
    var rng = SeededRandom(seed: seed)
    return SeriesMatrix(steps: n, channels: 1,
                        values: (0..<n).map { Float(sin(2 * Double.pi * Double($0) / 25)) + 0.1 * rng.normal() })
}

/// Trains on the first 80% of the windows and returns (validation MSE, naive last-value MSE).
func fitSine(cell: CellKind, head: HeadKind, epochs: Int, threads: Int = 1, seed: UInt64 = 42) throws
    -> (model: Double, naive: Double, net: Network) {
    let series = noisySine(800)
    let spec = WindowSpec(lookback: 24, horizon: 1, perStep: head == .seq2seq)
    let starts = spec.starts(in: 0..<series.steps)
    let cut = starts.count * 4 / 5
    let train = SampleSet(series: series, inputs: [0], targets: [0], spec: spec, starts: Array(starts[..<cut]))
    let val = SampleSet(series: series, inputs: [0], targets: [0], spec: spec, starts: Array(starts[cut...]))
    let net = try Network(config: ModelConfig(cell: cell, inputDim: 1, hidden: 16, head: head, lookback: 24), seed: seed)
    var options = TrainingOptions()
    options.learningRate = 1e-2; options.batchSize = 32; options.seed = seed
    let trainer = Trainer(network: net, options: options, threads: threads)
    for e in 0..<epochs { _ = try trainer.trainEpoch(train, epoch: e) }
    // Naive: each prediction is the latest input value (for seq2seq, at every step).
    var naive = 0.0
    let steps = head == .seq2seq ? Array(0..<24) : [23]
    for n in 0..<val.count {
        for (k, t) in steps.enumerated() {
            let d = Double(val.x[n * 24 + t] - val.y[n * steps.count + k])
            naive += d * d
        }
    }
    return (try trainer.evaluate(val), naive / Double(val.count * steps.count), net)
}

final class LearningTests: XCTestCase {
    func testLSTMAndGRUBeatNaiveOnNoisySine() throws {
        for cell in [CellKind.lstm, .gru] {
            for head in HeadKind.allCases {
                let start = Date()
                let r = try fitSine(cell: cell, head: head, epochs: 10)
                print("noisy sine \(cell) \(head): validation MSE \(r.model), naive \(r.naive), noise floor 0.01, "
                      + "\(String(format: "%.2f", Date().timeIntervalSince(start))) s")
                XCTAssertLessThan(r.model, 0.5 * r.naive, "\(cell) \(head) did not learn")
            }
        }
    }

    func testThreadCountDoesNotChangeWeights() throws {
        let one = try fitSine(cell: .lstm, head: .seq2vec, epochs: 2, threads: 1)
        let two = try fitSine(cell: .lstm, head: .seq2vec, epochs: 2, threads: 2)
        let again = try fitSine(cell: .lstm, head: .seq2vec, epochs: 2, threads: 2)
        let other = try fitSine(cell: .lstm, head: .seq2vec, epochs: 2, threads: 2, seed: 43)
        XCTAssertEqual(one.net.params.array, two.net.params.array, "threads 1 vs 2 differ")
        XCTAssertEqual(two.net.params.array, again.net.params.array, "same seed twice differs")
        XCTAssertNotEqual(two.net.params.array, other.net.params.array, "a different seed gave the same weights")
    }

    /// The same with the recurrent weight gradients on PackedGEMM and on cblas_sgemm (the two paths
    /// BLAS.weightGradientsOnPacked chooses between).
    func testThreadCountDoesNotChangeWeightsOnEitherWeightGradientPath() throws {
        let saved = BLAS.weightGradientsOnPacked
        defer { BLAS.weightGradientsOnPacked = saved }
        for packed in [false, true] {
            BLAS.weightGradientsOnPacked = packed
            let one = try fitSine(cell: .gru, head: .seq2seq, epochs: 1, threads: 1)
            let two = try fitSine(cell: .gru, head: .seq2seq, epochs: 1, threads: 2)
            XCTAssertEqual(one.net.params.array, two.net.params.array, "threads 1 vs 2 differ, packed=\(packed)")
        }
    }

    /// Inference runs fixed 64-window chunks on the workers: 150 windows (two full chunks and a
    /// partial one) give identical predictions with 1, 2 or 3 threads, and match a plain
    /// forward pass of the whole batch at 1e-6.
    func testPredictionsDoNotDependOnThreads() throws {
        for cell in [CellKind.lstm, .gru] {
            let cfg = ModelConfig(cell: cell, inputDim: 2, hidden: 12, layers: 2, head: .seq2seq, horizon: 2,
                                  outputDim: 1, lookback: 9, layerNorm: cell == .lstm)
            let net = try Network(config: cfg, seed: 5)
            var rng = SeededRandom(seed: 6)
            let windows = (0..<150).map { _ in (0..<18).map { _ in rng.normal() } }
            let one = Forecaster.predict(net, inputs: windows, threads: 1)
            XCTAssertEqual(one, Forecaster.predict(net, inputs: windows, threads: 2))
            XCTAssertEqual(one, Forecaster.predict(net, inputs: windows, threads: 3))
            let ws = net.makeWorkspace(batch: 150, steps: 9)
            let x = FloatBuffer(count: 150 * 9 * 2)
            for (i, w) in windows.enumerated() { for t in 0..<9 { for d in 0..<2 { x[(t * 150 + i) * 2 + d] = w[t * 2 + d] } } }
            let y = net.forward(x: x.p, batch: 150, workspace: ws) + 8 * 150 * 2   // the last step's predictions
            for i in 0..<150 { for j in 0..<2 { XCTAssertEqual(one[i][j], y[i * 2 + j], accuracy: 1e-6) } }
        }
    }
}

/// Bidirectional encoders and the encoder–decoder learn what they are for.
final class SequenceModelLearningTests: XCTestCase {
    /// Sequences of 100 N(0, 1) values whose target is the *first* value: the backward recurrence
    /// has just read it when it ends, the forward one must carry it across 99 steps. Equal budget
    /// (same hidden size, data, epochs, batches and learning rate).
    func testBidirectionalLearnsTheFirstValueFasterThanUnidirectional() throws {
        let T = 100
        var rng = SeededRandom(seed: 11)
        func set(_ n: Int) -> SampleSet {
            let x = (0..<(n * T)).map { _ in rng.normal() }
            return SampleSet(steps: T, inputDim: 1, targetWidth: 1, perStep: false, x: x,
                             y: (0..<n).map { x[$0 * T] })
        }
        let train = set(1024), val = set(256)
        var mse: [Bool: Double] = [:]
        for bidirectional in [false, true] {
            var cfg = ModelConfig(cell: .lstm, inputDim: 1, hidden: 16, head: .seq2vec, lookback: T)
            cfg.bidirectional = bidirectional
            var o = TrainingOptions(); o.learningRate = 1e-2; o.batchSize = 32; o.seed = 3
            let trainer = Trainer(network: try Network(config: cfg, seed: 3), options: o, threads: 2)
            for e in 0..<4 { _ = try trainer.trainEpoch(train, epoch: e) }
            mse[bidirectional] = try trainer.evaluate(val)
        }
        print("first value of 100 (variance 1), 4 epochs of 1024: unidirectional MSE \(mse[false]!), bidirectional \(mse[true]!)")
        XCTAssertLessThan(mse[true]!, 0.1, "the bidirectional encoder did not learn the first value")
        XCTAssertLessThan(mse[true]!, 0.25 * mse[false]!, "bidirectional was not clearly faster")
    }

    /// A noisy multi-sine (periods 25, 11, 7; noise sd 0.1, so MSE 0.01 is the floor) forecast
    /// K = 24 steps from 48, seq2vec (LSTM 32: 5,144 parameters) against an encoder–decoder of
    /// about as many (LSTM 24 + decoder 24: 5,017), same data, epochs and learning rate. The
    /// encoder–decoder learns the task (far below the naive forecast) but does not beat seq2vec
    /// here (README, "Encoder–decoder"), so the test asserts what holds and prints both.
    func testEncoderDecoderLearnsAMultiSineAtEqualParameters() throws {
        let n = 1200
        var rng = SeededRandom(seed: 5)
        let series = SeriesMatrix(steps: n, channels: 1, values: (0..<n).map { t in
            let x = Double(t)
            return Float(sin(2 * .pi * x / 25) + 0.6 * sin(2 * .pi * x / 11 + 1) + 0.3 * sin(2 * .pi * x / 7)) + 0.1 * rng.normal()
        })
        let spec = WindowSpec(lookback: 48, horizon: 24)
        let starts = spec.starts(in: 0..<n), cut = starts.count * 4 / 5
        let train = SampleSet(series: series, inputs: [0], targets: [0], spec: spec, starts: Array(starts[..<cut]))
        let val = SampleSet(series: series, inputs: [0], targets: [0], spec: spec, starts: Array(starts[cut...]))
        var naive = 0.0
        for i in 0..<val.count { for k in 0..<24 { let d = Double(val.x[i * 48 + 47] - val.y[i * 24 + k]); naive += d * d } }
        naive /= Double(val.count * 24)
        var results: [String: (Double, Int)] = [:]
        for (name, head, hidden) in [("seq2vec", HeadKind.seq2vec, 32), ("encoder-decoder", .encoderDecoder, 24)] {
            let cfg = ModelConfig(cell: .lstm, inputDim: 1, hidden: hidden, head: head, horizon: 24, lookback: 48)
            var o = TrainingOptions(); o.learningRate = 3e-3; o.batchSize = 16; o.seed = 42
            o.teacherForcing = 1; o.teacherForcingDecay = 0.9
            let net = try Network(config: cfg, seed: 42)
            let trainer = Trainer(network: net, options: o, threads: 2)
            for e in 0..<25 { _ = try trainer.trainEpoch(train, epoch: e) }
            results[name] = (try trainer.evaluate(val), net.parameterCount)
        }
        print("multi-sine K=24, 25 epochs: naive MSE \(naive); " + results.sorted { $0.key > $1.key }
            .map { "\($0.key) (\($0.value.1) parameters) \($0.value.0)" }.joined(separator: ", "))
        XCTAssertLessThan(results["encoder-decoder"]!.0, 0.1 * naive, "the encoder-decoder did not learn the multi-sine")
        XCTAssertLessThan(results["seq2vec"]!.0, 0.1 * naive)
    }
}

final class TrainerEdgeTests: XCTestCase {
    /// Batches smaller than a shard, and a last batch smaller than the rest, train and evaluate.
    func testSmallBatchesAndRaggedLastBatch() throws {
        let series = noisySine(120)
        let spec = WindowSpec(lookback: 10, horizon: 2)
        let set = SampleSet(series: series, inputs: [0], targets: [0], spec: spec, starts: spec.starts(in: 0..<120))
        for batch in [1, 5, 8, 37] {
            let net = try Network(config: ModelConfig(inputDim: 1, hidden: 4, horizon: 2, lookback: 10), seed: 1)
            var o = TrainingOptions(); o.batchSize = batch
            let trainer = Trainer(network: net, options: o, threads: 2)
            XCTAssertTrue(try trainer.trainEpoch(set, epoch: 0).isFinite, "batch \(batch)")
            XCTAssertTrue(try trainer.evaluate(set).isFinite, "batch \(batch)")
        }
    }
}
