// Network: stacked recurrent layers (optionally bidirectional), dropout between them, and the head
// (seq2vec, seq2seq, or an encoder–decoder); the forward pass, the loss and the backward pass over
// one (shard of a) mini-batch.
//
// Shape key: B batch, T steps, D input dim, H hidden, K horizon, O output dim; Hm the width of an
// encoder layer's output (2H for a concatenating bidirectional layer, else H); Hd, Ld the decoder's
// hidden size and depth.
// Input x is time-major [T, B, D]. Predictions and targets: seq2vec and encoder-decoder [B, K·O];
// seq2seq time-major [T, B, K·O].
//
// Bidirectional layer l: the forward recurrence reads the layer's input in time order, the backward
// one reads it reversed (its own copy, `revInput`); the output at step t merges h_f[t] with the
// backward recurrence's state after reading steps T−1 … t. The layer's final state (seq2vec's
// input, the decoder's start) merges both recurrences' last states: h_f[T−1] and the backward
// state after reading the whole window down to step 0 (Keras' Bidirectional, PyTorch's h_n).
//
// Encoder–decoder: the decoder layer l starts from the final state (h, and c for LSTM to LSTM) of
// encoder layer l (of the top encoder layer when the depths differ), through a learned linear
// bridge `bridge<l>` when the widths differ (Hm ≠ Hd). It is unrolled over the K horizon steps,
// layer by layer within a step; each step's top state → dense → O values. Its input at step k:
// `previous` — the target at step k−1 as the network's targets are scaled (the true one with
// probability P under teacher forcing in training, else its own prediction, through which the
// gradient then flows), and at step 0 the last observed value of the first O input channels (the
// targets in series mode); `state-only` — the encoder's final top state at every step.

/// A recurrent forecaster network: architecture plus one flat parameter buffer.
public final class Network: @unchecked Sendable {
    public let config: ModelConfig
    public let layout: ParameterLayout
    public let params: FloatBuffer
    /// Encoder layers, forward direction; `reversed`: the backward directions (bidirectional only).
    let layers: [RecurrentLayer]
    let reversed: [RecurrentLayer]
    /// Encoder–decoder only: the decoder layers and the per-layer bridges (when widths differ).
    let decoder: [RecurrentLayer]
    let bridges: [Bridge]
    let dense: DenseLayer

    struct Bridge: Sendable { let h: DenseLayer; let c: DenseLayer? }

    var bidirectional: Bool { config.bidirectional }
    var isEncoderDecoder: Bool { config.head == .encoderDecoder }
    /// Width of an encoder layer's output and final state.
    var encoderWidth: Int { config.encoderWidth }
    /// Width of the decoder's input.
    var decoderInputDim: Int { config.decoderInput == .stateOnly ? encoderWidth : config.outputDim }

    /// A freshly initialised network (see Initialization.swift); same seed ⇒ same weights.
    public init(config: ModelConfig, seed: UInt64) throws(SettingsError) {
        try config.validate()
        self.config = config
        var layout = ParameterLayout()
        var layers: [RecurrentLayer] = [], reversed: [RecurrentLayer] = []
        let Hm = config.encoderWidth
        for l in 0..<config.layers {
            for direction in config.bidirectional ? [false, true] : [false] {
                let layer = RecurrentLayer(kind: config.cell, inputDim: l == 0 ? config.inputDim : Hm,
                                           hidden: config.hidden, layerNorm: config.layerNorm,
                                           recurrentDropout: config.recurrentDropout,
                                           name: direction ? "layer\(l).reverse" : "layer\(l)", layout: &layout)
                if direction { reversed.append(layer) } else { layers.append(layer) }
            }
        }
        var decoder: [RecurrentLayer] = [], bridges: [Bridge] = []
        if config.head == .encoderDecoder {
            let Hd = config.decoderHiddenSize, dcell = config.decoderCellKind
            let Du = config.decoderInput == .stateOnly ? Hm : config.outputDim
            for l in 0..<config.decoderLayerCount {
                decoder.append(RecurrentLayer(kind: dcell, inputDim: l == 0 ? Du : Hd, hidden: Hd,
                                              layerNorm: config.layerNorm, recurrentDropout: config.recurrentDropout,
                                              name: "decoder\(l)", layout: &layout))
            }
            if Hd != Hm {
                for l in 0..<config.decoderLayerCount {
                    let c = config.cell == .lstm && dcell == .lstm
                    bridges.append(Bridge(h: DenseLayer(inputs: Hm, outputs: Hd, name: "bridge\(l).h", layout: &layout),
                                          c: c ? DenseLayer(inputs: Hm, outputs: Hd, name: "bridge\(l).c", layout: &layout) : nil))
                }
            }
            dense = DenseLayer(inputs: Hd, outputs: config.outputDim, layout: &layout)
        } else {
            dense = DenseLayer(inputs: Hm, outputs: config.outputWidth, layout: &layout)
        }
        self.layers = layers; self.reversed = reversed; self.decoder = decoder; self.bridges = bridges
        self.layout = layout
        params = FloatBuffer(count: layout.total)
        initialize(seed: seed)
    }

    public var parameterCount: Int { layout.total }

    /// Sets the dense head's weights and bias to zero, so the network predicts 0 for every input
    /// (a model that adds a baseline to its output then starts as exactly that baseline).
    public func zeroHead() {
        (params.p + dense.w).update(repeating: 0, count: dense.inputs * dense.outputs)
        (params.p + dense.b).update(repeating: 0, count: dense.outputs)
    }

    /// Workspace for batches of up to `batch` sequences of exactly `steps` steps.
    /// `forwardOnly` leaves out every gradient buffer and backward scratch (inference).
    public func makeWorkspace(batch: Int, steps: Int, forwardOnly: Bool = false) -> Workspace {
        Workspace(network: self, batch: batch, steps: steps, forwardOnly: forwardOnly)
    }

    /// Number of predicted values for a batch of b sequences of t steps.
    public func outputCount(batch b: Int, steps t: Int) -> Int {
        (config.head == .seq2seq ? t * b : b) * config.outputWidth
    }

    /// The decoder layer l's source: encoder layer l, or the top one when the depths differ.
    func handOverSource(_ l: Int) -> Int { decoder.count == layers.count ? l : layers.count - 1 }

    /// Forward pass over x [T, B, D]; returns the predictions (stored in the workspace).
    /// With `training`, dropout masks are drawn from a generator seeded by `dropoutSeed`.
    /// Encoder–decoder in training: `teacher` (the targets, [B, K·O]) are fed to the decoder with
    /// probability `teacherForcing`, decided per sample and step by a generator derived from
    /// (`samplingSeed`, sample, step); without `teacher` the decoder feeds back its own predictions.
    @discardableResult
    public func forward(x: UnsafePointer<Float>, batch b: Int, workspace ws: Workspace,
                        training: Bool = false, dropoutSeed: UInt64 = 0,
                        teacher: UnsafePointer<Float>? = nil, teacherForcing: Float = 1,
                        samplingSeed: UInt64 = 0) -> UnsafeMutablePointer<Float> {
        precondition(!(training && ws.forwardOnly), "a forward-only workspace cannot train")
        let t = ws.steps, H = config.hidden, Hm = encoderWidth
        var rng = SeededRandom(seed: dropoutSeed)
        var input = x
        ws.droppedOut = training && config.dropout > 0
        for (l, layer) in layers.enumerated() {
            let cache = ws.caches[l], din = layer.inputDim
            layer.forward(params: params.p, x: input, batch: b, steps: t, cache: cache, training: training, rng: &rng)
            var out = UnsafePointer(cache.h.p)
            if bidirectional {
                let rin = ws.revInput[l].p
                reverseSteps(input, into: rin, steps: t, rowWidth: b * din, accumulate: false)
                reversed[l].forward(params: params.p, x: rin, batch: b, steps: t, cache: ws.revCaches[l],
                                    training: training, rng: &rng)
                if l < layers.count - 1 {
                    mergeSteps(cache.h.p, ws.revCaches[l].h.p, into: ws.merged[l].p, steps: t, rows: b, hidden: H,
                               concat: config.merge == .concat, reverse: true)
                    out = UnsafePointer(ws.merged[l].p)
                }
                let last = (t - 1) * b * H
                mergeSteps(cache.h.p + last, ws.revCaches[l].h.p + last, into: ws.finalH[l].p, steps: 1, rows: b,
                           hidden: H, concat: config.merge == .concat, reverse: false)
                if let cf = cache.c, let cr = ws.revCaches[l].c {
                    mergeSteps(cf.p + last, cr.p + last, into: ws.finalC[l].p, steps: 1, rows: b, hidden: H,
                               concat: config.merge == .concat, reverse: false)
                }
            }
            input = out
            if l < layers.count - 1 && ws.droppedOut {
                let keep = 1 - config.dropout, scale = 1 / keep
                let mask = ws.dropMasks[l].p, dropped = ws.dropped[l].p
                for i in 0..<(t * b * Hm) {
                    mask[i] = rng.uniform() < keep ? scale : 0
                    dropped[i] = out[i] * mask[i]
                }
                input = UnsafePointer(dropped)
            }
        }
        switch config.head {
        case .seq2vec: dense.forward(params: params.p, h: finalH(ws, layers.count - 1, batch: b), rows: b, y: ws.output.p)
        case .seq2seq: dense.forward(params: params.p, h: ws.caches[layers.count - 1].h.p, rows: t * b, y: ws.output.p)
        case .encoderDecoder:
            decoderForward(x: x, batch: b, workspace: ws, training: training, rng: &rng, teacher: teacher,
                           teacherForcing: teacherForcing, samplingSeed: samplingSeed)
        }
        return ws.output.p
    }

    /// Encoder layer l's final state [B, Hm].
    private func finalH(_ ws: Workspace, _ l: Int, batch b: Int) -> UnsafePointer<Float> {
        bidirectional ? UnsafePointer(ws.finalH[l].p) : UnsafePointer(ws.caches[l].h.p + (ws.steps - 1) * b * config.hidden)
    }

    /// Encoder layer l's final cell state [B, Hm] (LSTM), else nil.
    private func finalC(_ ws: Workspace, _ l: Int, batch b: Int) -> UnsafePointer<Float>? {
        guard config.cell == .lstm else { return nil }
        return bidirectional ? UnsafePointer(ws.finalC[l].p) : UnsafePointer(ws.caches[l].c!.p + (ws.steps - 1) * b * config.hidden)
    }

    private func decoderForward(x: UnsafePointer<Float>, batch b: Int, workspace ws: Workspace, training: Bool,
                                rng: inout SeededRandom, teacher: UnsafePointer<Float>?, teacherForcing: Float,
                                samplingSeed: UInt64) {
        let K = config.horizon, O = config.outputDim, KO = K * O, Hd = config.decoderHiddenSize
        let Hm = encoderWidth, Du = decoderInputDim, D = config.inputDim, L = ws.steps
        let p = params.p
        for (l, layer) in decoder.enumerated() {
            layer.beginForward(params: p, batch: b, steps: K, cache: ws.decCaches[l], training: training, rng: &rng,
                               initial: true)
        }
        ws.decDroppedOut = training && config.dropout > 0
        if ws.decDroppedOut {
            let keep = 1 - config.dropout, scale = 1 / keep
            for l in 0..<(decoder.count - 1) {
                let mask = ws.decDropMasks[l].p
                for i in 0..<(K * b * Hd) { mask[i] = rng.uniform() < keep ? scale : 0 }
            }
        }
        // Hand-over: the encoder's final states start the decoder.
        for (l, layer) in decoder.enumerated() {
            let cache = ws.decCaches[l], src = handOverSource(l)
            let hs = finalH(ws, src, batch: b), cs = finalC(ws, src, batch: b)
            if bridges.isEmpty {
                cache.h0.p.update(from: hs, count: b * Hd)
            } else {
                bridges[l].h.forward(params: p, h: hs, rows: b, y: cache.h0.p)
            }
            if layer.kind == .lstm {
                if let cs {
                    if bridges.isEmpty { cache.c0.p.update(from: cs, count: b * Hd) }
                    else { bridges[l].c!.forward(params: p, h: cs, rows: b, y: cache.c0.p) }
                } else {
                    cache.c0.p.update(repeating: 0, count: b * Hd)
                }
            }
        }
        let u = ws.decInput.p, y = ws.output.p
        let summary = finalH(ws, layers.count - 1, batch: b)
        let tf = teacher
        for k in 0..<K {
            let uk = u + k * b * Du
            switch config.decoderInput {
            case .stateOnly:
                uk.update(from: summary, count: b * Hm)
            case .previous:
                for i in 0..<b {
                    let row = uk + i * O
                    if k == 0 {
                        let last = x + ((L - 1) * b + i) * D
                        for o in 0..<O { row[o] = o < D ? last[o] : 0 }
                        continue
                    }
                    var forced = false
                    if let tf, teacherForcing > 0 {
                        if teacherForcing >= 1 { forced = true } else {
                            var r = SeededRandom.derived(samplingSeed, UInt64(i), UInt64(k))
                            forced = r.uniform() < teacherForcing
                        }
                        if forced { row.update(from: tf + i * KO + (k - 1) * O, count: O) }
                    }
                    if !forced { row.update(from: y + i * KO + (k - 1) * O, count: O) }
                    if !ws.forwardOnly { ws.fed[i * K + k] = !forced }
                }
            }
            var input = UnsafePointer(u)
            for (l, layer) in decoder.enumerated() {
                let cache = ws.decCaches[l]
                layer.forwardStep(params: p, x: input, batch: b, step: k, cache: cache)
                input = UnsafePointer(cache.h.p)
                if l < decoder.count - 1 && ws.decDroppedOut {
                    let n = b * Hd, off = k * n
                    let mask = ws.decDropMasks[l].p + off, h = cache.h.p + off, out = ws.decDropped[l].p + off
                    for i in 0..<n { out[i] = h[i] * mask[i] }
                    input = UnsafePointer(ws.decDropped[l].p)
                }
            }
            dense.forward(params: p, h: ws.decCaches[decoder.count - 1].h.p + k * b * Hd, rows: b, y: y + k * O, ldy: KO)
        }
    }

    /// Loss of the last forward pass against `target` (same layout as the predictions; a quantile
    /// head's Q predictions of a value share its one target, and its loss is pinball); writes
    /// ∂loss/∂prediction into the workspace for `backward`. Returns the *sum* of element losses;
    /// `normalizer` is the element count of the whole mini-batch (mean = sum / normalizer).
    public func loss(_ kind: LossKind, target: UnsafePointer<Float>, batch b: Int, workspace ws: Workspace,
                     normalizer: Int) -> Double {
        precondition(!ws.forwardOnly, "a forward-only workspace has no gradient buffers")
        let n = outputCount(batch: b, steps: ws.steps)
        if !config.quantiles.isEmpty {   // a quantile head trains on pinball loss whatever `kind`
            return PinballLoss.evaluate(prediction: ws.output.p, target: target, count: n, quantiles: config.quantiles,
                                        normalizer: normalizer, gradient: ws.dOutput.p)
        }
        return kind.evaluate(prediction: ws.output.p, target: target, count: n, normalizer: normalizer,
                             gradient: ws.dOutput.p)
    }

    /// Backward pass of the last forward pass; accumulates parameter gradients into `ws.grads`.
    /// With `inputGradient`, ∂loss/∂x [T, B, D] is left in `ws.dX`.
    public func backward(x: UnsafePointer<Float>, batch b: Int, workspace ws: Workspace, inputGradient: Bool = false) {
        precondition(!ws.forwardOnly, "a forward-only workspace has no gradient buffers")
        let t = ws.steps, H = config.hidden, Hm = encoderWidth, L = layers.count
        let g = ws.grads.p, p = params.p
        let concat = config.merge == .concat
        // ∂L/∂(final states) of each encoder layer, when something reads them (bidirectional seq2vec,
        // the decoder's hand-over).
        let finals = ws.dFinalH.count == L
        if finals {
            for l in 0..<L { ws.dFinalH[l].zero(); ws.dFinalC[l].zero() }
        }
        switch config.head {
        case .seq2vec where !finals:
            let top = ws.caches[L - 1].h.p, dTop = ws.dH[L - 1].p
            dTop.update(repeating: 0, count: (t - 1) * b * H)
            dense.backward(params: p, grads: g, h: top + (t - 1) * b * H, dy: ws.dOutput.p, rows: b,
                           dh: dTop + (t - 1) * b * H)
        case .seq2vec:
            dense.backward(params: p, grads: g, h: finalH(ws, L - 1, batch: b), dy: ws.dOutput.p, rows: b,
                           dh: ws.dFinalH[L - 1].p)
        case .seq2seq:
            dense.backward(params: p, grads: g, h: ws.caches[L - 1].h.p, dy: ws.dOutput.p, rows: t * b, dh: ws.dH[L - 1].p)
        case .encoderDecoder:
            decoderBackward(x: x, batch: b, workspace: ws, inputGradient: inputGradient)
        }
        if finals {
            // The top layer's outputs feed nothing but its final state.
            ws.dH[L - 1].p.update(repeating: 0, count: t * b * H)
            if bidirectional { ws.dRevH[L - 1].p.update(repeating: 0, count: t * b * H) }
        }
        for l in stride(from: L - 1, through: 0, by: -1) {
            let last = (t - 1) * b * H
            var dcF: UnsafePointer<Float>? = nil, dcR: UnsafePointer<Float>? = nil
            if finals {
                // The final state's gradient joins the last step's (each direction's own last step).
                if bidirectional {
                    splitSteps(ws.dFinalH[l].p, forward: ws.dH[l].p + last, backward: ws.dRevH[l].p + last, steps: 1,
                               rows: b, hidden: H, concat: concat, reverse: false, accumulate: true)
                    if config.cell == .lstm {
                        splitSteps(ws.dFinalC[l].p, forward: ws.dcF.p, backward: ws.dcR.p, steps: 1, rows: b, hidden: H,
                                   concat: concat, reverse: false, accumulate: false)
                        dcF = UnsafePointer(ws.dcF.p); dcR = UnsafePointer(ws.dcR.p)
                    }
                } else {
                    let d = ws.dH[l].p + last, f = ws.dFinalH[l].p
                    for i in 0..<(b * H) { d[i] += f[i] }
                    if config.cell == .lstm { dcF = UnsafePointer(ws.dFinalC[l].p) }
                }
            }
            let input: UnsafePointer<Float>
            if l == 0 { input = x }
            else if ws.droppedOut { input = UnsafePointer(ws.dropped[l - 1].p) }
            else if bidirectional { input = UnsafePointer(ws.merged[l - 1].p) }
            else { input = UnsafePointer(ws.caches[l - 1].h.p) }
            let dX: FloatPtr? = l > 0 ? (bidirectional ? ws.dMerged.p : ws.dH[l - 1].p) : (inputGradient ? ws.dX.p : nil)
            layers[l].backward(params: p, grads: g, x: input, batch: b, steps: t, cache: ws.caches[l],
                               dH: ws.dH[l].p, dX: dX, dcLast: dcF)
            if bidirectional {
                let din = reversed[l].inputDim
                reversed[l].backward(params: p, grads: g, x: ws.revInput[l].p, batch: b, steps: t, cache: ws.revCaches[l],
                                     dH: ws.dRevH[l].p, dX: dX == nil ? nil : ws.dXRev.p, dcLast: dcR)
                if let dX { reverseSteps(ws.dXRev.p, into: dX, steps: t, rowWidth: b * din, accumulate: true) }
            }
            if l > 0 {
                let d = dX!
                if ws.droppedOut {
                    let mask = ws.dropMasks[l - 1].p
                    for i in 0..<(t * b * Hm) { d[i] *= mask[i] }
                }
                if bidirectional {
                    splitSteps(d, forward: ws.dH[l - 1].p, backward: ws.dRevH[l - 1].p, steps: t, rows: b, hidden: H,
                               concat: concat, reverse: true, accumulate: false)
                }
            }
        }
        if isEncoderDecoder && config.decoderInput == .previous && inputGradient {
            // The decoder's first input is x[L−1]'s first O channels.
            let O = config.outputDim, D = config.inputDim, du = ws.dU0.p
            for i in 0..<b { for o in 0..<min(O, D) { ws.dX[((t - 1) * b + i) * D + o] += du[i * O + o] } }
        }
    }

    private func decoderBackward(x: UnsafePointer<Float>, batch b: Int, workspace ws: Workspace, inputGradient: Bool) {
        let K = config.horizon, O = config.outputDim, KO = K * O, Hd = config.decoderHiddenSize
        let Du = decoderInputDim, Ld = decoder.count, Lt = layers.count
        let g = ws.grads.p, p = params.p
        let dY = ws.dOutput.p
        for l in 0..<Ld { ws.decDH[l].p.update(repeating: 0, count: K * b * Hd) }
        for (l, layer) in decoder.enumerated() {
            layer.beginBackward(params: p, batch: b, steps: K, cache: ws.decCaches[l], inputGradient: true, dcLast: nil)
        }
        func decoderInput(_ l: Int) -> UnsafePointer<Float> {
            l == 0 ? UnsafePointer(ws.decInput.p)
                : UnsafePointer(ws.decDroppedOut ? ws.decDropped[l - 1].p : ws.decCaches[l - 1].h.p)
        }
        for k in stride(from: K - 1, through: 0, by: -1) {
            // The head of step k (∂ŷ_k complete: step k+1 added what flowed back through its input).
            dense.backward(params: p, grads: g, h: ws.decCaches[Ld - 1].h.p + k * b * Hd, dy: dY + k * O, rows: b,
                           dh: ws.decDH[Ld - 1].p + k * b * Hd, ldy: KO, accumulate: true)
            for l in stride(from: Ld - 1, through: 0, by: -1) {
                let layer = decoder[l], cache = ws.decCaches[l]
                layer.backwardStep(params: p, grads: g, batch: b, step: k, cache: cache, dH: ws.decDH[l].p)
                let din = layer.inputDim, dx = ws.decDX.p
                // ∂L/∂(input of step k) into decDX [K, B, din] at step k, when something receives it: a
                // lower layer, the encoder's summary (state-only), a fed-back prediction, or x (step 0).
                let needed = l > 0 || config.decoderInput == .stateOnly
                    || (k == 0 ? inputGradient : (0..<b).contains { ws.fed[$0 * K + k] })
                layer.backwardChunk(params: p, grads: g, x: decoderInput(l), batch: b, steps: k, k + 1, cache: cache,
                                    dX: needed ? dx : nil, accumulate: false)
                guard needed else { continue }
                let dxk = dx + k * b * din
                if l > 0 {
                    let n = b * Hd, d = ws.decDH[l - 1].p + k * n
                    if ws.decDroppedOut {
                        let mask = ws.decDropMasks[l - 1].p + k * n
                        for i in 0..<n { d[i] += dxk[i] * mask[i] }
                    } else {
                        for i in 0..<n { d[i] += dxk[i] }
                    }
                    continue
                }
                switch config.decoderInput {
                case .stateOnly:
                    let d = ws.dFinalH[Lt - 1].p
                    for i in 0..<(b * Du) { d[i] += dxk[i] }
                case .previous:
                    if k == 0 {
                        ws.dU0.p.update(from: dxk, count: b * O)
                    } else {
                        for i in 0..<b where ws.fed[i * K + k] {
                            let d = dY + i * KO + (k - 1) * O, s = dxk + i * O
                            for o in 0..<O { d[o] += s[o] }
                        }
                    }
                }
            }
        }
        let chunk = RecurrentLayer.chunkSteps(batch: b)
        for (l, layer) in decoder.enumerated() {
            var s0 = 0
            while s0 < K {
                layer.weightGradients(grads: g, x: decoderInput(l), batch: b, steps: s0, min(K, s0 + chunk),
                                      cache: ws.decCaches[l])
                s0 += chunk
            }
        }
        // Hand-over: the decoder's initial-state gradients into the encoder's final states.
        for (l, layer) in decoder.enumerated() {
            let cache = ws.decCaches[l], src = handOverSource(l)
            let dh = ws.dFinalH[src].p, dc = ws.dFinalC[src].p
            let carriesC = layer.kind == .lstm && config.cell == .lstm
            if bridges.isEmpty {
                let n = b * Hd, d0 = cache.dh0.p
                for i in 0..<n { dh[i] += d0[i] }
                if carriesC { let c0 = cache.dc.p; for i in 0..<n { dc[i] += c0[i] } }
            } else {
                bridges[l].h.backward(params: p, grads: g, h: finalH(ws, src, batch: b), dy: cache.dh0.p, rows: b,
                                      dh: dh, accumulate: true)
                if carriesC, let bc = bridges[l].c {
                    bc.backward(params: p, grads: g, h: finalC(ws, src, batch: b)!, dy: cache.dc.p, rows: b, dh: dc,
                                accumulate: true)
                }
            }
        }
    }
}

/// out[t] = x[T−1−t] for T steps of `rowWidth` values (out += with `accumulate`).
private func reverseSteps(_ x: UnsafePointer<Float>, into out: FloatPtr, steps t: Int, rowWidth n: Int, accumulate: Bool) {
    for s in 0..<t {
        let src = x + (t - 1 - s) * n, dst = out + s * n
        if accumulate { for i in 0..<n { dst[i] += src[i] } } else { dst.update(from: src, count: n) }
    }
}

/// out[t, b] = [f[t, b], r[t′, b]] (concat, 2H wide) or f[t, b] + r[t′, b] (sum), t′ = T−1−t with
/// `reverse` (the backward recurrence's outputs are in reversed time), else t.
private func mergeSteps(_ f: UnsafePointer<Float>, _ r: UnsafePointer<Float>, into out: FloatPtr, steps t: Int,
                        rows b: Int, hidden H: Int, concat: Bool, reverse: Bool) {
    let W = concat ? 2 * H : H
    for s in 0..<t {
        let sr = reverse ? t - 1 - s : s
        for i in 0..<b {
            let fr = f + (s * b + i) * H, rr = r + (sr * b + i) * H, o = out + (s * b + i) * W
            if concat {
                o.update(from: fr, count: H); (o + H).update(from: rr, count: H)
            } else {
                for j in 0..<H { o[j] = fr[j] + rr[j] }
            }
        }
    }
}

/// The gradient of `mergeSteps`: d [T, B, W] into the forward part df [T, B, H] and the backward
/// part dr (in reversed time with `reverse`), written or added (`accumulate`).
private func splitSteps(_ d: UnsafePointer<Float>, forward df: FloatPtr, backward dr: FloatPtr, steps t: Int, rows b: Int,
                        hidden H: Int, concat: Bool, reverse: Bool, accumulate: Bool) {
    let W = concat ? 2 * H : H
    for s in 0..<t {
        let sr = reverse ? t - 1 - s : s
        for i in 0..<b {
            let src = d + (s * b + i) * W, f = df + (s * b + i) * H, r = dr + (sr * b + i) * H
            let second = concat ? src + H : src
            if accumulate {
                for j in 0..<H { f[j] += src[j]; r[j] += second[j] }
            } else {
                f.update(from: src, count: H); r.update(from: second, count: H)
            }
        }
    }
}

/// Activations, gradients and scratch for one network at one (batch capacity, steps).
/// One per concurrent shard; reused across mini-batches.
public final class Workspace: @unchecked Sendable {
    public let batch: Int, steps: Int
    let caches: [RecurrentCache]
    let dropMasks: [FloatBuffer], dropped: [FloatBuffer]
    var droppedOut = false
    public let output: FloatBuffer, dOutput: FloatBuffer
    let dH: [FloatBuffer]
    public let dX: FloatBuffer
    /// Parameter gradients, same layout as `Network.params`.
    public let grads: FloatBuffer
    // Bidirectional: the backward recurrences, their reversed inputs [T, B, Din], the merged outputs
    // [T, B, Hm] of every layer but the top, their gradients, and scratch.
    let revCaches: [RecurrentCache], revInput: [FloatBuffer], merged: [FloatBuffer]
    let dRevH: [FloatBuffer]
    let dMerged: FloatBuffer, dXRev: FloatBuffer
    // Final states [B, Hm] per encoder layer (bidirectional), and their gradients (bidirectional or
    // encoder-decoder); dcF, dcR [B, H]: a bidirectional LSTM's final cell-state gradient split.
    let finalH: [FloatBuffer], finalC: [FloatBuffer]
    let dFinalH: [FloatBuffer], dFinalC: [FloatBuffer]
    let dcF: FloatBuffer, dcR: FloatBuffer
    // Encoder–decoder: decoder caches, its inputs [K, B, Du], dropout between its layers [K, B, Hd],
    // gradients, which (sample, step) inputs were the decoder's own predictions, and ∂L/∂(step 0's input).
    let decCaches: [RecurrentCache]
    let decInput: FloatBuffer
    let decDropMasks: [FloatBuffer], decDropped: [FloatBuffer]
    var decDroppedOut = false
    let decDH: [FloatBuffer], decDX: FloatBuffer, dU0: FloatBuffer
    var fed: [Bool]

    /// Without gradient buffers: `Network.forward` without training only.
    public let forwardOnly: Bool
    /// Per-phase timing of this workspace's shard (`PhaseClock.enabled` only).
    public let clock = PhaseClock()

    init(network n: Network, batch b: Int, steps t: Int, forwardOnly: Bool) {
        batch = b; steps = t; self.forwardOnly = forwardOnly
        let c = n.config, H = c.hidden, Hm = n.encoderWidth, g = forwardOnly ? 0 : 1
        let bi = c.bidirectional, L = c.layers
        caches = n.layers.map { RecurrentCache(layer: $0, capacity: b, steps: t, forwardOnly: forwardOnly) }
        let between = c.dropout > 0 && !forwardOnly ? max(c.layers - 1, 0) : 0
        dropMasks = (0..<between).map { _ in FloatBuffer(count: t * b * Hm) }
        dropped = (0..<between).map { _ in FloatBuffer(count: t * b * Hm) }
        output = FloatBuffer(count: n.outputCount(batch: b, steps: t))
        dOutput = FloatBuffer(count: g * n.outputCount(batch: b, steps: t))
        dH = n.layers.map { _ in FloatBuffer(count: g * t * b * H) }
        dX = FloatBuffer(count: g * t * b * c.inputDim)
        grads = FloatBuffer(count: g * n.layout.total)
        revCaches = n.reversed.map { RecurrentCache(layer: $0, capacity: b, steps: t, forwardOnly: forwardOnly) }
        revInput = n.reversed.map { FloatBuffer(count: t * b * $0.inputDim) }
        merged = bi ? (0..<max(L - 1, 0)).map { _ in FloatBuffer(count: t * b * Hm) } : []
        dRevH = n.reversed.map { _ in FloatBuffer(count: g * t * b * H) }
        let widest = n.reversed.map(\.inputDim).max() ?? 0
        dMerged = FloatBuffer(count: bi ? g * t * b * Hm : 0)
        dXRev = FloatBuffer(count: g * t * b * widest)
        finalH = bi ? (0..<L).map { _ in FloatBuffer(count: b * Hm) } : []
        finalC = bi && c.cell == .lstm ? (0..<L).map { _ in FloatBuffer(count: b * Hm) } : []
        let finals = !forwardOnly && (bi || c.head == .encoderDecoder)
        dFinalH = finals ? (0..<L).map { _ in FloatBuffer(count: b * Hm) } : []
        dFinalC = finals ? (0..<L).map { _ in FloatBuffer(count: c.cell == .lstm ? b * Hm : 0) } : []
        dcF = FloatBuffer(count: finals && bi ? b * H : 0)
        dcR = FloatBuffer(count: finals && bi ? b * H : 0)
        let K = c.horizon, Hd = c.decoderHiddenSize, ed = c.head == .encoderDecoder
        decCaches = n.decoder.map { RecurrentCache(layer: $0, capacity: b, steps: K, forwardOnly: forwardOnly) }
        decInput = FloatBuffer(count: ed ? K * b * n.decoderInputDim : 0)
        let decBetween = ed && c.dropout > 0 && !forwardOnly ? max(n.decoder.count - 1, 0) : 0
        decDropMasks = (0..<decBetween).map { _ in FloatBuffer(count: K * b * Hd) }
        decDropped = (0..<decBetween).map { _ in FloatBuffer(count: K * b * Hd) }
        decDH = n.decoder.map { _ in FloatBuffer(count: g * K * b * Hd) }
        decDX = FloatBuffer(count: ed ? g * K * b * max(n.decoderInputDim, Hd) : 0)
        dU0 = FloatBuffer(count: ed ? g * b * c.outputDim : 0)
        fed = [Bool](repeating: false, count: ed && !forwardOnly ? b * K : 0)
        for cache in caches + revCaches + decCaches { cache.clock = clock }
    }
}
