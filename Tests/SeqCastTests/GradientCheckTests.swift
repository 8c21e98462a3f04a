// Finite-difference checks of every hand-written backward pass: each cell × layer norm ×
// recurrent dropout × head × depth, every parameter and the input.
import XCTest
import SeqCast

/// Result of comparing analytic and numerical gradients.
struct GradientComparison {
    var worst = 0.0           // max |a − n| / max(|a|, |n|, floor)
    var worstName = ""
    var checked = 0
    var forwardError = 0.0    // max |library forward − Float64 reference forward|
}

/// Compares the library's Float32 backward pass with central differences of the independent
/// Float64 reference forward pass (ReferenceModel), at the same parameters, inputs and dropout
/// masks. Float64 differences with eps 1e-6 are accurate to ~1e-9, so what remains is the
/// Float32 rounding of the analytic gradient. Relative error uses a floor so entries that are ~0
/// both ways compare absolutely.
/// Encoder–decoder: `teacherForcing` P feeds the targets to the decoder with probability P (the
/// decisions seeded as in training); nil runs it free (feeding back its own predictions).
func compareGradients(config: ModelConfig, batch b: Int = 3, seed: UInt64 = 7, loss: LossKind = .mse,
                      floor: Double = 1e-3, teacherForcing: Float? = nil,
                      corrupt: ((FloatBuffer) -> Void)? = nil) throws -> GradientComparison {
    let net = try Network(config: config, seed: seed)
    let t = config.lookback
    // Larger weights than the default init so every gate is exercised away from its linear regime.
    var rng = SeededRandom(seed: seed &+ 1)
    for i in 0..<net.params.count { net.params[i] += rng.uniform(-0.3, 0.3) }
    let ws = net.makeWorkspace(batch: b, steps: t)
    let x = FloatBuffer((0..<(t * b * config.inputDim)).map { _ in rng.normal() })
    let y = FloatBuffer((0..<(net.outputCount(batch: b, steps: t) / max(config.quantiles.count, 1))).map { _ in rng.normal() })
    let n = net.outputCount(batch: b, steps: t)
    let training = config.dropout > 0 || config.recurrentDropout > 0
    let teacher = teacherForcing == nil ? nil : UnsafePointer(y.p)
    net.forward(x: x.p, batch: b, workspace: ws, training: training, dropoutSeed: 99, teacher: teacher,
                teacherForcing: teacherForcing ?? 1, samplingSeed: 5)
    _ = net.loss(loss, target: y.p, batch: b, workspace: ws, normalizer: n)
    ws.grads.zero()
    net.backward(x: x.p, batch: b, workspace: ws, inputGradient: true)
    let analytic = FloatBuffer(ws.grads.array)
    corrupt?(analytic)

    let reference = ReferenceModel(config: config, layout: net.layout)
    var p = net.params.array.map(Double.init), xs = x.array.map(Double.init)
    let target = y.array.map(Double.init)
    func refForward() -> [Double] {
        reference.forward(params: p, x: xs, batch: b, training: training, dropoutSeed: 99,
                          teacher: teacherForcing == nil ? nil : target, teacherForcing: teacherForcing ?? 1,
                          samplingSeed: 5)
    }
    func refLoss() -> Double {
        let out = refForward()
        let taus = config.quantiles.map(Double.init)
        guard taus.isEmpty else {   // a quantile head: pinball loss, Q predictions per target
            return out.indices.reduce(0.0) { sum, i in
                let tau = taus[i % taus.count], e = target[i / taus.count] - out[i]
                return sum + max(tau * e, (tau - 1) * e)
            } / Double(out.count)
        }
        return zip(out, target).reduce(0.0) { sum, e in
            let d = e.0 - e.1
            return sum + (loss == .mse ? d * d : abs(d))
        } / Double(n)
    }
    var result = GradientComparison()
    let refOut = refForward()
    for i in 0..<n { result.forwardError = max(result.forwardError, abs(refOut[i] - Double(ws.output[i]))) }
    func check(_ a: Float, input: Bool, _ k: Int, _ name: String) {
        let saved = input ? xs[k] : p[k], eps = 1e-6
        func set(_ v: Double) { if input { xs[k] = v } else { p[k] = v } }
        set(saved + eps)
        let plus = refLoss()
        set(saved - eps)
        let minus = refLoss()
        set(saved)
        let numeric = (plus - minus) / (2 * eps)
        let err = abs(Double(a) - numeric) / max(abs(Double(a)), abs(numeric), floor)
        result.checked += 1
        if err > result.worst { result.worst = err; result.worstName = "\(name) a=\(a) n=\(numeric)" }
    }
    for e in net.layout.entries {
        for k in 0..<e.count { check(analytic[e.offset + k], input: false, e.offset + k, "\(e.name)[\(k)]") }
    }
    for k in 0..<xs.count { check(ws.dX[k], input: true, k, "x[\(k)]") }
    return result
}

final class GradientCheckTests: XCTestCase {
    /// Max relative error of the Float32 analytic gradient against Float64 finite differences
    /// (floor 1e-3). Measured worst case over the matrix: 3.5e-3 (LSTM + layer norm, 2 layers);
    /// the test prints it.
    static let tolerance = 1e-2

    func testEveryCellLayerNormDropoutHeadAndDepth() throws {
        var worst = 0.0
        for cell in CellKind.allCases {
            for ln in [false, true] {
                for recDrop: Float in [0, 0.3] {
                    for head in [HeadKind.seq2vec, .seq2seq] {
                        for layers in [1, 2] {
                            let cfg = ModelConfig(cell: cell, inputDim: 2, hidden: 3, layers: layers, head: head,
                                                  horizon: 2, outputDim: 2, lookback: 4, layerNorm: ln,
                                                  dropout: layers > 1 ? 0.25 : 0, recurrentDropout: recDrop)
                            let r = try compareGradients(config: cfg)
                            worst = max(worst, r.worst)
                            XCTAssertLessThan(r.worst, Self.tolerance,
                                              "\(cell) ln=\(ln) rdrop=\(recDrop) \(head) L=\(layers): \(r.worstName)")
                            XCTAssertGreaterThan(r.checked, 50)
                            XCTAssertLessThan(r.forwardError, 1e-4, "forward differs from the Float64 reference")
                        }
                    }
                }
            }
        }
        print("gradient check: worst relative error over 48 configurations = \(worst)")
    }

    /// The backward direction: bidirectional encoders (seq2vec), every cell × layer norm × recurrent
    /// dropout × 1–2 layers (dropout between them), both merges.
    func testBidirectionalEncoder() throws {
        var worst = 0.0
        for cell in CellKind.allCases {
            for ln in [false, true] {
                for recDrop: Float in [0, 0.3] {
                    for layers in [1, 2] {
                        var cfg = ModelConfig(cell: cell, inputDim: 2, hidden: 3, layers: layers, head: .seq2vec,
                                              horizon: 2, outputDim: 2, lookback: 4, layerNorm: ln,
                                              dropout: layers > 1 ? 0.25 : 0, recurrentDropout: recDrop)
                        cfg.bidirectional = true
                        cfg.merge = (layers + (ln ? 1 : 0)) % 2 == 0 ? .concat : .sum
                        let r = try compareGradients(config: cfg)
                        worst = max(worst, r.worst)
                        XCTAssertLessThan(r.worst, Self.tolerance, "bidirectional \(cell) ln=\(ln) rdrop=\(recDrop) L=\(layers) \(cfg.merge): \(r.worstName)")
                        XCTAssertLessThan(r.forwardError, 1e-4, "forward differs from the Float64 reference")
                    }
                }
            }
        }
        print("gradient check: bidirectional, worst relative error over 24 configurations = \(worst)")
    }

    /// The decoder, teacher forced (P = 1), free-running (its own predictions fed back, gradient
    /// through them) and scheduled (P = 0.5, per sample and step), with the state hand-over into the
    /// encoder: every cell × layer norm × 1–2 layers (with dropout between layers and recurrent dropout).
    func testEncoderDecoder() throws {
        var worst = 0.0
        for cell in CellKind.allCases {
            for ln in [false, true] {
                for layers in [1, 2] {
                    for tf: Float? in [1, nil, 0.5] {
                        let cfg = ModelConfig(cell: cell, inputDim: 2, hidden: 3, layers: layers, head: .encoderDecoder,
                                              horizon: 3, outputDim: 2, lookback: 4, layerNorm: ln,
                                              dropout: layers > 1 ? 0.25 : 0, recurrentDropout: layers > 1 ? 0.3 : 0)
                        let r = try compareGradients(config: cfg, teacherForcing: tf)
                        worst = max(worst, r.worst)
                        XCTAssertLessThan(r.worst, Self.tolerance, "enc-dec \(cell) ln=\(ln) L=\(layers) tf=\(String(describing: tf)): \(r.worstName)")
                        XCTAssertLessThan(r.forwardError, 1e-4, "forward differs from the Float64 reference")
                    }
                }
            }
        }
        print("gradient check: encoder-decoder, worst relative error over 36 configurations = \(worst)")
    }

    /// The hand-over variants: a bridge (decoder width ≠ encoder width), different depths, another
    /// decoder cell, a bidirectional encoder, and the state-only (vector-to-sequence) input.
    func testEncoderDecoderHandOver() throws {
        func cfg(_ cell: CellKind, layers: Int = 1, _ body: (inout ModelConfig) -> Void) -> ModelConfig {
            var c = ModelConfig(cell: cell, inputDim: 2, hidden: 3, layers: layers, head: .encoderDecoder, horizon: 3,
                                outputDim: 2, lookback: 4)
            body(&c)
            return c
        }
        let cases: [(String, ModelConfig, Float?)] = [
            ("bridge lstm", cfg(.lstm) { $0.decoderHidden = 4 }, nil),
            ("bridge gru ln", cfg(.gru) { $0.decoderHidden = 2; $0.layerNorm = true }, 1),
            ("decoder deeper", cfg(.lstm) { $0.decoderLayers = 2 }, 0.5),
            ("encoder deeper, bridge", cfg(.gru, layers: 2) { $0.decoderLayers = 1; $0.decoderHidden = 4 }, nil),
            ("lstm → gru", cfg(.lstm) { $0.decoderCell = .gru }, nil),
            ("rnn → lstm", cfg(.rnn) { $0.decoderCell = .lstm }, 1),
            ("bidirectional concat, bridge", cfg(.lstm, layers: 2) { $0.bidirectional = true; $0.layerNorm = true }, nil),
            ("bidirectional sum", cfg(.gru) { $0.bidirectional = true; $0.merge = .sum }, 0.5),
            ("state-only lstm", cfg(.lstm) { $0.decoderInput = .stateOnly }, nil),
            ("state-only bidirectional gru 2 layers", cfg(.gru, layers: 2) { $0.decoderInput = .stateOnly; $0.bidirectional = true; $0.dropout = 0.25 }, nil),
        ]
        for (name, c, tf) in cases {
            let r = try compareGradients(config: c, teacherForcing: tf)
            XCTAssertLessThan(r.worst, Self.tolerance, "\(name): \(r.worstName)")
            XCTAssertLessThan(r.forwardError, 1e-4, "\(name): forward differs from the Float64 reference")
            XCTAssertGreaterThan(r.checked, 50)
        }
    }

    /// Batch 50 makes the input projection and backward products run in chunks of 2 steps
    /// (RecurrentLayer.chunkRows = 128), so lookback 5 gives three chunks, one of them partial,
    /// with 8-row tile tails.
    func testChunkedBackwardProducts() throws {
        for cell in CellKind.allCases {
            for ln in [false, true] {
                let cfg = ModelConfig(cell: cell, inputDim: 2, hidden: 3, layers: 2, head: .seq2seq, horizon: 1,
                                      outputDim: 2, lookback: 5, layerNorm: ln, dropout: 0.25, recurrentDropout: 0.3)
                let r = try compareGradients(config: cfg, batch: 50)
                XCTAssertLessThan(r.worst, Self.tolerance, "\(cell) ln=\(ln): \(r.worstName)")
            }
        }
        // Inputs at least RecurrentLayer.narrowInput wide take the packed x·Wx / dWx path (the
        // configurations above take the row-loop path): 9 inputs, batch 24 → chunks of 5 steps and 1.
        for cell in [CellKind.lstm, .gru] {
            let cfg = ModelConfig(cell: cell, inputDim: 9, hidden: 4, layers: 1, head: .seq2seq, horizon: 1,
                                  outputDim: 2, lookback: 6, layerNorm: cell == .lstm)
            let r = try compareGradients(config: cfg, batch: 24)
            XCTAssertLessThan(r.worst, Self.tolerance, "\(cell) wide input: \(r.worstName)")
        }
        // The decoder's batched weight products in chunks (batch 50: 2 steps, K = 3 → 2 + 1), and a
        // state-only decoder reading a bidirectional 2×4-wide summary (the packed x·Wx path).
        for cell in [CellKind.lstm, .gru] {
            var cfg = ModelConfig(cell: cell, inputDim: 2, hidden: 4, layers: 1, head: .encoderDecoder, horizon: 3,
                                  outputDim: 1, lookback: 3, layerNorm: cell == .gru)
            var r = try compareGradients(config: cfg, batch: 50, teacherForcing: 0.5)
            XCTAssertLessThan(r.worst, Self.tolerance, "\(cell) chunked decoder: \(r.worstName)")
            cfg.bidirectional = true; cfg.decoderInput = .stateOnly
            r = try compareGradients(config: cfg, batch: 24)
            XCTAssertLessThan(r.worst, Self.tolerance, "\(cell) state-only wide decoder input: \(r.worstName)")
        }
    }

    /// The recurrent weight gradients run on cblas_sgemm or, when OpenBLAS runs a fallback core, on
    /// PackedGEMM (BLAS.weightGradientsOnPacked): both paths pass the check, chunked and wide-input.
    func testWeightGradientsOnBLASAndPacked() throws {
        let saved = BLAS.weightGradientsOnPacked
        defer { BLAS.weightGradientsOnPacked = saved }
        for packed in [false, true] {
            BLAS.weightGradientsOnPacked = packed
            for cell in CellKind.allCases {
                let cfg = ModelConfig(cell: cell, inputDim: 9, hidden: 4, layers: 2, head: .seq2seq, horizon: 1,
                                      outputDim: 2, lookback: 6, layerNorm: cell == .lstm, recurrentDropout: cell == .gru ? 0.3 : 0)
                let r = try compareGradients(config: cfg, batch: 24)
                XCTAssertLessThan(r.worst, Self.tolerance, "\(cell) packed=\(packed): \(r.worstName)")
            }
        }
    }

    /// A quantile head (three quantiles per value) on pinball loss, seq2vec and two layers.
    func testPinballLossGradientOfAQuantileHead() throws {
        for layers in [1, 2] {
            let cfg = ModelConfig(cell: .lstm, inputDim: 2, hidden: 4, layers: layers, head: .seq2vec, horizon: 3,
                                  outputDim: 2, lookback: 5, quantiles: [0.1, 0.5, 0.9])
            XCTAssertEqual(cfg.outputWidth, 3 * 2 * 3); XCTAssertEqual(cfg.targetWidth, 6)
            let r = try compareGradients(config: cfg, batch: 4)
            XCTAssertLessThan(r.forwardError, 1e-5)
            XCTAssertLessThan(r.worst, Self.tolerance, "layers \(layers): \(r.worstName)")
        }
    }

    func testMAELossGradient() throws {
        let cfg = ModelConfig(cell: .gru, inputDim: 2, hidden: 4, layers: 1, head: .seq2vec, horizon: 3,
                              outputDim: 1, lookback: 5)
        let r = try compareGradients(config: cfg, loss: .mae)
        XCTAssertLessThan(r.worst, Self.tolerance, r.worstName)
    }

    /// The checker itself must catch a wrong gradient: corrupt one entry by 2% and expect failure.
    func testCheckerDetectsAWrongGradient() throws {
        let cfg = ModelConfig(cell: .lstm, inputDim: 2, hidden: 3, layers: 1, head: .seq2vec, horizon: 1,
                              outputDim: 1, lookback: 4, layerNorm: true)
        let net = try Network(config: cfg, seed: 7)
        let entry = net.layout.entry("layer0.Wh")!
        for corruptAt in [entry.offset + 5, net.layout.entry("layer0.ln_c.gain")!.offset] {
            let r = try compareGradients(config: cfg, corrupt: { g in g[corruptAt] *= 1.02; g[corruptAt] += 1e-4 })
            XCTAssertGreaterThan(r.worst, Self.tolerance, "a corrupted gradient passed the check")
        }
    }
}
