// RecurrentLayer: one recurrent layer of any cell kind — parameters, activation cache, and the
// shared forward/backward driver (BPTT). The cell-specific gate math lives in LSTMCell.swift,
// GRUCell.swift and RNNCell.swift.
//
// Shape key: B batch, T steps, D input dim, H hidden, G gates (LSTM 4, GRU 3, RNN 1).
// Activations are time-major: x [T, B, D], h [T, B, H], so each step's slice is contiguous.
//
// Forward, per layer:
//   xa = LN_x(x·Wx) ⊙ γx + bx          in chunks of steps (~128 rows), each just before the loop reaches it
//   ra = LN_h((h_{t-1} ⊙ m)·Wh) ⊙ γh (+ bh for GRU)   one fused [H, G·H] GEMM per step, against
//                                      Wh packed once per batch (PackedGEMM.swift)
//   cell(xa_t, ra_t, state) → h_t     (m: recurrent-dropout mask, one per sequence)
// Without layer norm, LSTM and RNN accumulate the recurrent GEMM straight into xa (β = 1).
// Backward batches dWx, dWh and dX over chunks of steps (~128 rows), each run as soon as the reverse
// time loop has finished it, while its ∂pre rows are still in cache.

/// The recurrent cell types.
public enum CellKind: String, Codable, Sendable, CaseIterable {
    case lstm, gru, rnn
    /// Number of gate blocks G of width H in the fused projections.
    public var gates: Int {
        switch self { case .lstm: 4; case .gru: 3; case .rnn: 1 }
    }
}

/// Parameter offsets and options of one recurrent layer. Parameters live in the network's flat buffer.
struct RecurrentLayer: Sendable {
    let kind: CellKind
    let inputDim: Int, hidden: Int
    let layerNorm: Bool
    let recurrentDropout: Float
    /// Offsets: Wx [D, GH], Wh [H, GH], bx [GH]; GRU bh [GH]; LN gains γx, γh [GH];
    /// LSTM with LN: γc, bc [H] for the cell-state normalisation.
    let wx: Int, wh: Int, bx: Int
    let bh: Int?
    let gx: Int?, gh: Int?
    let gc: Int?, bc: Int?

    var gateWidth: Int { kind.gates * hidden }
    /// Does the layer keep a separate recurrent pre-activation buffer?
    var keepsRecurrent: Bool { layerNorm || kind == .gru }

    init(kind: CellKind, inputDim: Int, hidden: Int, layerNorm: Bool, recurrentDropout: Float,
         name: String, layout: inout ParameterLayout) {
        self.kind = kind; self.inputDim = inputDim; self.hidden = hidden
        self.layerNorm = layerNorm; self.recurrentDropout = recurrentDropout
        let g = kind.gates * hidden
        wx = layout.add("\(name).Wx", [inputDim, g])
        wh = layout.add("\(name).Wh", [hidden, g])
        bx = layout.add("\(name).bx", [g])
        bh = kind == .gru ? layout.add("\(name).bh", [g]) : nil
        gx = layerNorm ? layout.add("\(name).ln_x.gain", [g]) : nil
        gh = layerNorm ? layout.add("\(name).ln_h.gain", [g]) : nil
        gc = layerNorm && kind == .lstm ? layout.add("\(name).ln_c.gain", [hidden]) : nil
        bc = layerNorm && kind == .lstm ? layout.add("\(name).ln_c.bias", [hidden]) : nil
    }
}

/// Everything one layer's forward pass stores for its backward pass, plus backward scratch,
/// allocated once for a batch capacity and step count (no allocation inside the time loop).
final class RecurrentCache: @unchecked Sendable {
    let capacity: Int, steps: Int
    let pre: FloatBuffer          // [T, B, GH] input pre-activations, then activated gates
    let ra: FloatBuffer?          // GRU: [T, B, GH] recurrent pre-activations; LSTM/RNN with LN: [B, GH] scratch
    let xhat: FloatBuffer?, xrstd: FloatBuffer?  // LN_x cache [T, B, GH], [T, B]
    let rhat: FloatBuffer?, rrstd: FloatBuffer?  // LN_h cache
    let h: FloatBuffer            // [T, B, H] outputs
    let hm: FloatBuffer?          // [T, B, H] masked previous state h_{t-1} ⊙ m (recurrent dropout only)
    let c: FloatBuffer?, ct: FloatBuffer?        // LSTM: cell state and tanh(LN(c)) [T, B, H]
    let chat: FloatBuffer?, crstd: FloatBuffer?  // LSTM LN_c cache
    let mask: FloatBuffer         // [B, H] recurrent-dropout mask
    var useMask = false
    /// Initial state h_{-1}, c_{-1} [B, H] (zero unless `useInitial`: a decoder started from the
    /// encoder's final states), and ∂L/∂h_{-1} after the backward pass (∂L/∂c_{-1} is left in `dc`).
    let h0: FloatBuffer, c0: FloatBuffer, dh0: FloatBuffer
    var useInitial = false
    // Backward scratch.
    let dpre: FloatBuffer         // [T, B, GH]
    let drp: FloatBuffer?         // [T, B, GH] recurrent pre-activation grads (GRU or LN)
    let dhm: FloatBuffer                                        // [B, H]
    let dc: FloatBuffer, dcTmp: FloatBuffer                     // [B, H]
    // Packed operands of PackedGEMM.swift: Wh [H, GH] and Wx [D, GH] (forward, once per batch),
    // Whᵀ [GH, H] and Wxᵀ [GH, D] (backward, once per batch).
    let whPacked: PackedMatrix, whTPacked: PackedMatrix, wxPacked: PackedMatrix, wxTPacked: PackedMatrix
    // Weight gradients on PackedGEMM (BLAS.weightGradientsOnPacked): one backward chunk's left
    // operand transposed, [max(H, D), rows], and its ∂ra / ∂pre rows packed, [rows, GH].
    let gradLeft: FloatBuffer, gradRight: PackedMatrix
    /// Per-phase timing (`PhaseClock.enabled` only): the owning workspace's clock.
    var clock = PhaseClock.unused

    /// `forwardOnly` leaves the backward scratch empty (inference).
    init(layer: RecurrentLayer, capacity b: Int, steps t: Int, forwardOnly: Bool = false) {
        capacity = b; steps = t
        let n = t * b * layer.gateWidth, nh = t * b * layer.hidden, g = forwardOnly ? 0 : 1
        let lstm = layer.kind == .lstm, ln = layer.layerNorm
        pre = FloatBuffer(count: n)
        ra = layer.kind == .gru ? FloatBuffer(count: n) : (ln ? FloatBuffer(count: b * layer.gateWidth) : nil)
        xhat = ln ? FloatBuffer(count: n) : nil
        xrstd = ln ? FloatBuffer(count: t * b) : nil
        rhat = ln ? FloatBuffer(count: n) : nil
        rrstd = ln ? FloatBuffer(count: t * b) : nil
        h = FloatBuffer(count: nh)
        hm = layer.recurrentDropout > 0 ? FloatBuffer(count: nh) : nil
        c = lstm ? FloatBuffer(count: nh) : nil
        ct = lstm ? FloatBuffer(count: nh) : nil
        chat = lstm && ln ? FloatBuffer(count: nh) : nil
        crstd = lstm && ln ? FloatBuffer(count: t * b) : nil
        mask = FloatBuffer(count: b * layer.hidden)
        h0 = FloatBuffer(count: b * layer.hidden)
        c0 = FloatBuffer(count: lstm ? b * layer.hidden : 0)
        dh0 = FloatBuffer(count: g * b * layer.hidden)
        dpre = FloatBuffer(count: g * n)
        drp = layer.keepsRecurrent ? FloatBuffer(count: g * n) : nil
        dhm = FloatBuffer(count: g * b * layer.hidden)
        dc = FloatBuffer(count: g * b * layer.hidden)
        dcTmp = FloatBuffer(count: g * b * layer.hidden)
        whPacked = PackedMatrix(k: layer.hidden, n: layer.gateWidth)
        wxPacked = PackedMatrix(k: layer.inputDim < RecurrentLayer.narrowInput ? 0 : layer.inputDim, n: layer.gateWidth)
        whTPacked = PackedMatrix(k: g * layer.gateWidth, n: layer.hidden)
        wxTPacked = PackedMatrix(k: g * layer.gateWidth, n: layer.inputDim)
        let packedGrads = !forwardOnly && BLAS.weightGradientsOnPacked
        let rows = packedGrads ? max(RecurrentLayer.chunkRows, b) : 0   // ≥ chunkSteps(batch: b′) · b′ for any b′ ≤ b
        gradLeft = FloatBuffer(count: rows * max(layer.hidden, layer.inputDim))
        gradRight = PackedMatrix(k: rows, n: packedGrads ? layer.gateWidth : 0)
    }
}

extension RecurrentLayer {
    /// Forward over x [T, B, D]; outputs in `cache.h` [T, B, H].
    /// `rng` draws the recurrent-dropout mask when `training` and the rate is positive.
    /// With `initial`, the state entering step 0 is `cache.h0` (and `cache.c0`), set by the caller.
    func forward(params w: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, batch b: Int, steps t: Int,
                 cache: RecurrentCache, training: Bool, rng: inout SeededRandom, initial: Bool = false) {
        beginForward(params: w, batch: b, steps: t, cache: cache, training: training, rng: &rng, initial: initial)
        let chunk = Self.chunkSteps(batch: b)
        for s in 0..<t {
            if s % chunk == 0 { projectInputs(params: w, x: x, batch: b, steps: s, min(t, s + chunk), cache: cache) }
            forwardStep(params: w, batch: b, step: s, cache: cache)
        }
    }

    /// Before the steps of a forward pass: draws the recurrent-dropout mask, packs the weights.
    func beginForward(params w: UnsafeMutablePointer<Float>, batch b: Int, steps t: Int, cache: RecurrentCache,
                      training: Bool, rng: inout SeededRandom, initial: Bool) {
        precondition(b <= cache.capacity && t == cache.steps, "workspace too small for batch \(b), steps \(t)")
        let H = hidden, GH = gateWidth, BH = b * H
        cache.useMask = training && recurrentDropout > 0
        cache.useInitial = initial
        if cache.useMask {
            let keep = 1 - recurrentDropout, scale = 1 / keep, m = cache.mask.p
            for i in 0..<BH { m[i] = rng.uniform() < keep ? scale : 0 }
        }
        if t > 1 || initial { cache.whPacked.pack(w + wh, k: H, n: GH, ld: GH, transposed: false) }
        if inputDim >= Self.narrowInput { cache.wxPacked.pack(w + wx, k: inputDim, n: GH, ld: GH, transposed: false) }
    }

    /// One step of the forward pass, run after `beginForward` and once step s's input has been
    /// projected (`projectInputs`, or `forwardStep(x:)` for a step whose input was just computed).
    func forwardStep(params w: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, batch b: Int, step s: Int,
                     cache: RecurrentCache) {
        projectInputs(params: w, x: x, batch: b, steps: s, s + 1, cache: cache)
        forwardStep(params: w, batch: b, step: s, cache: cache)
    }

    private func forwardStep(params w: UnsafeMutablePointer<Float>, batch b: Int, step s: Int, cache: RecurrentCache) {
        let H = hidden, GH = gateWidth, BH = b * H, BG = b * GH
        let pre = cache.pre.p, h = cache.h.p, whP = cache.whPacked
        // The state entering the recurrent product: h_{t-1}, or h_{t-1} ⊙ m under recurrent dropout
        // (kept for the batched dWh product). Nothing at t = 0 unless an initial state is given.
        var hmS: UnsafeMutablePointer<Float>? = nil
        if s > 0 || cache.useInitial {
            let hp = s > 0 ? h + (s - 1) * BH : cache.h0.p
            if cache.useMask {
                let out = cache.hm!.p + s * BH, m = cache.mask.p
                for i in 0..<BH { out[i] = hp[i] * m[i] }
                hmS = out
            } else {
                hmS = hp
            }
        }
        let raS: FloatPtr? = cache.clock.time(.recurrentForward) { () -> FloatPtr? in
        var raS: FloatPtr? = nil
        if let ra = cache.ra {
            let gru = kind == .gru, r = gru ? ra.p + s * BG : ra.p
            if let hmS { PackedGEMM.multiply(m: b, a: hmS, lda: H, b: whP, c: r, ldc: GH, accumulate: false) }
            else { r.update(repeating: 0, count: BG) }
            if layerNorm {
                // GRU keeps ra (its gate math needs it apart); LSTM/RNN add LN_h's output straight into pre.
                LayerNorm.forward(x: r, xhat: cache.rhat!.p + s * BG, rstd: cache.rrstd!.p + s * b,
                                  y: gru ? r : pre + s * BG, gamma: w + gh!, bias: bh.map { UnsafePointer(w + $0) },
                                  rows: b, n: GH, accumulate: !gru)
            } else if let bh {
                let bias = w + bh
                for i in 0..<b { let row = r + i * GH; for j in 0..<GH { row[j] += bias[j] } }
            }
            raS = layerNorm && !gru ? nil : r
        } else if let hmS {
            PackedGEMM.multiply(m: b, a: hmS, lda: H, b: whP, c: pre + s * BG, ldc: GH, accumulate: true)
        }
        return raS
        }
        cache.clock.time(.gatesForward) { cellForwardStep(s: s, b: b, w: w, ra: raS, cache: cache) }
    }

    /// The cell's gate math for step s, given the recurrent pre-activations (nil: already in pre).
    @inline(__always)
    private func cellForwardStep(s: Int, b: Int, w: UnsafeMutablePointer<Float>, ra: FloatPtr?, cache: RecurrentCache) {
        switch kind {
        case .lstm: lstmForwardStep(w: w, s: s, b: b, ra: ra, cache: cache)
        case .gru:
            let hPrev: UnsafePointer<Float>? = s > 0 ? UnsafePointer(cache.h.p + (s - 1) * b * hidden)
                : (cache.useInitial ? UnsafePointer(cache.h0.p) : nil)
            gruForwardStep(s: s, b: b, ra: ra!, hPrev: hPrev, cache: cache)
        case .rnn: rnnForwardStep(s: s, b: b, ra: ra, cache: cache)
        }
    }

    /// Input pre-activations of steps s0..<s1 (one chunk, projected just before the time loop
    /// reaches it): pre = LN_x(x·Wx) ⊙ γx + bx, or x·Wx + bx.
    func projectInputs(params w: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, batch b: Int,
                               steps s0: Int, _ s1: Int, cache: RecurrentCache) {
        cache.clock.time(.inputProjection) { projectInputsUntimed(params: w, x: x, batch: b, steps: s0, s1, cache: cache) }
    }

    private func projectInputsUntimed(params w: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, batch b: Int,
                                      steps s0: Int, _ s1: Int, cache: RecurrentCache) {
        let GH = gateWidth, rows = (s1 - s0) * b, pre = cache.pre.p + s0 * b * GH
        let xs = x + s0 * b * inputDim
        if inputDim < Self.narrowInput {
            // A few inputs (often one): D scaled rows of Wx per step, no padding to a 32-wide panel.
            let wxp = w + wx
            for r in 0..<rows {
                let row = pre + r * GH, xr = xs + r * inputDim
                for j in 0..<GH { row[j] = xr[0] * wxp[j] }
                for d in 1..<inputDim { let wd = wxp + d * GH, v = xr[d]; for j in 0..<GH { row[j] += v * wd[j] } }
            }
        } else {
            PackedGEMM.multiply(m: rows, a: xs, lda: inputDim, b: cache.wxPacked, c: pre, ldc: GH, accumulate: false)
        }
        if layerNorm {
            LayerNorm.forward(x: pre, xhat: cache.xhat!.p + s0 * b * GH, rstd: cache.xrstd!.p + s0 * b, y: pre,
                              gamma: w + gx!, bias: w + bx, rows: rows, n: GH)
        } else {
            let bias = w + bx
            for r in 0..<rows { let row = pre + r * GH; for j in 0..<GH { row[j] += bias[j] } }
        }
    }

    /// Backward through time. `dH` [T, B, H] holds ∂L/∂h_t from above (the head or the next layer);
    /// it is used as scratch: the recurrent contributions are accumulated into it in place.
    /// Accumulates parameter gradients into `g` (same layout as `w`); writes dX [T, B, D] if given.
    /// `dcLast` (LSTM): ∂L/∂c_{T-1} from outside (an encoder's final cell state handed to a decoder).
    /// With an initial state, ∂L/∂h_{-1} is left in `cache.dh0` and ∂L/∂c_{-1} in `cache.dc`.
    func backward(params w: UnsafeMutablePointer<Float>, grads g: UnsafeMutablePointer<Float>,
                  x: UnsafePointer<Float>, batch b: Int, steps t: Int, cache: RecurrentCache,
                  dH: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>?,
                  dcLast: UnsafePointer<Float>? = nil) {
        beginBackward(params: w, batch: b, steps: t, cache: cache, inputGradient: dX != nil, dcLast: dcLast)
        let chunk = Self.chunkSteps(batch: b)
        for s in stride(from: t - 1, through: 0, by: -1) {
            backwardStep(params: w, grads: g, batch: b, step: s, cache: cache, dH: dH)
            if s % chunk == 0 {
                backwardChunk(params: w, grads: g, x: x, batch: b, steps: s, min(t, s + chunk), cache: cache, dX: dX)
                weightGradients(grads: g, x: x, batch: b, steps: s, min(t, s + chunk), cache: cache)
            }
        }
    }

    /// Before the steps of a backward pass: clears the carried gradients, packs the weights.
    func beginBackward(params w: UnsafeMutablePointer<Float>, batch b: Int, steps t: Int, cache: RecurrentCache,
                       inputGradient: Bool, dcLast: UnsafePointer<Float>?) {
        let H = hidden, GH = gateWidth
        if let dcLast { cache.dc.p.update(from: dcLast, count: b * H) } else { cache.dc.zero() }
        if cache.useInitial { cache.dh0.zero() }
        if t > 1 || cache.useInitial { cache.whTPacked.pack(w + wh, k: GH, n: H, ld: GH, transposed: true) }
        if inputGradient && inputDim >= Self.narrowInput {
            cache.wxTPacked.pack(w + wx, k: GH, n: inputDim, ld: GH, transposed: true)
        }
    }

    /// The backward of step s's gate math: ∂pre, ∂ra and LN_h's gradients; ∂L/∂h_{s-1} (or the
    /// initial state's) accumulated. `dH[s]` must be complete.
    func backwardStep(params w: UnsafeMutablePointer<Float>, grads g: UnsafeMutablePointer<Float>, batch b: Int,
                      step s: Int, cache: RecurrentCache, dH: UnsafeMutablePointer<Float>) {
        let H = hidden, GH = gateWidth, BH = b * H, BG = b * GH
        let dpre = cache.dpre.p
        let drp = cache.drp?.p ?? dpre   // LSTM/RNN without LN: recurrent grads equal dpre
        let whT = cache.whTPacked
        let dh = dH + s * BH                           // complete ∂L/∂h_s: step s+1 added its part
        let dhPrev: FloatPtr? = s > 0 ? dH + (s - 1) * BH : (cache.useInitial ? cache.dh0.p : nil)
        let dpreS = dpre + s * BG, drpS = drp + s * BG
        cache.clock.time(.gatesBackward) {
        switch kind {
        case .lstm: lstmBackwardStep(w: w, g: g, s: s, b: b, cache: cache, dh: dh, dpre: dpreS)
        case .gru: gruBackwardStep(s: s, b: b, cache: cache, dh: dh, dhPrev: dhPrev, dpre: dpreS, drp: drpS)
        case .rnn: rnnBackwardStep(s: s, b: b, cache: cache, dh: dh, dpre: dpreS)
        }
        }
        cache.clock.time(.recurrentBackward) {
        if layerNorm {
            // LSTM/RNN: ∂L/∂(LN_h output) equals ∂pre (ra was added to pre); GRU: its own drp.
            let dy = kind == .gru ? UnsafePointer(drpS) : UnsafePointer(dpreS)
            if let bh { colSum(dy, rows: b, n: GH, into: g + bh) }
            LayerNorm.backward(dy: dy, dx: drpS, xhat: cache.rhat!.p + s * BG, rstd: cache.rrstd!.p + s * b,
                               gamma: w + gh!, dgamma: g + gh!, rows: b, n: GH)
        } else if let bh {
            colSum(drpS, rows: b, n: GH, into: g + bh)
        }
        if let dhPrev {
            // ∂L/∂h_{s-1} += (∂L/∂ra_s · Whᵀ) ⊙ m
            if cache.useMask {
                let dhm = cache.dhm.p, m = cache.mask.p
                PackedGEMM.multiply(m: b, a: drpS, lda: GH, b: whT, c: dhm, ldc: H, accumulate: false)
                for i in 0..<BH { dhPrev[i] += dhm[i] * m[i] }
            } else {
                PackedGEMM.multiply(m: b, a: drpS, lda: GH, b: whT, c: dhPrev, ldc: H, accumulate: true)
            }
        }
        }
    }

    /// Steps per chunk of the input projection and of the batched backward products: about this
    /// many rows, so a chunk's pre-activations (or ∂pre) are still in cache when they are used.
    static let chunkRows = 128
    static func chunkSteps(batch b: Int) -> Int { max(1, chunkRows / b) }

    /// Below this many inputs, x·Wx and dWx are plain row loops: a packed 32-wide panel would be
    /// mostly zeros (D = 1 is the common univariate case).
    static let narrowInput = 8

    /// The input side of steps s0..<s1, run once the reverse loop has completed them: bias and LN_x
    /// gradients (∂pre becomes ∂(x·Wx) in place), and dX = ∂pre·Wxᵀ (added to dX with `accumulate`).
    func backwardChunk(params w: UnsafeMutablePointer<Float>, grads g: UnsafeMutablePointer<Float>,
                       x: UnsafePointer<Float>, batch b: Int, steps s0: Int, _ s1: Int,
                       cache: RecurrentCache, dX: UnsafeMutablePointer<Float>?, accumulate: Bool = false) {
        cache.clock.time(.inputBackward) {
            backwardChunkUntimed(params: w, grads: g, x: x, batch: b, steps: s0, s1, cache: cache, dX: dX, accumulate: accumulate)
        }
    }

    private func backwardChunkUntimed(params w: UnsafeMutablePointer<Float>, grads g: UnsafeMutablePointer<Float>,
                                      x: UnsafePointer<Float>, batch b: Int, steps s0: Int, _ s1: Int,
                                      cache: RecurrentCache, dX: UnsafeMutablePointer<Float>?, accumulate: Bool) {
        let GH = gateWidth, D = inputDim, rows = (s1 - s0) * b
        let dpre = cache.dpre.p + s0 * b * GH
        colSum(dpre, rows: rows, n: GH, into: g + bx)
        if layerNorm {
            LayerNorm.backward(dy: dpre, xhat: cache.xhat!.p + s0 * b * GH, rstd: cache.xrstd!.p + s0 * b,
                               gamma: w + gx!, dgamma: g + gx!, rows: rows, n: GH)
        }
        guard let dX else { return }
        if D < Self.narrowInput {
            // A few inputs: D dot products per row with Wx's rows (a packed panel would be mostly padding).
            let wxp = w + wx, out = dX + s0 * b * D
            for r in 0..<rows {
                let row = dpre + r * GH
                for d in 0..<D {
                    let wd = wxp + d * GH
                    var acc: Float = 0
                    for j in 0..<GH { acc += row[j] * wd[j] }
                    out[r * D + d] = accumulate ? out[r * D + d] + acc : acc
                }
            }
        } else {
            PackedGEMM.multiply(m: rows, a: dpre, lda: GH, b: cache.wxTPacked, c: dX + s0 * b * D, ldc: D,
                                accumulate: accumulate)
        }
    }

    /// The weight products batched over steps s0..<s1 (after `backwardChunk` of those steps):
    /// dWx += xᵀ·∂pre and dWh += (h_{s-1} ⊙ m)ᵀ·∂ra (BLAS, or PackedGEMM when OpenBLAS runs a
    /// fallback core: `weightGradient`); step 0 contributes only from an initial state.
    func weightGradients(grads g: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, batch b: Int,
                         steps s0: Int, _ s1: Int, cache: RecurrentCache) {
        cache.clock.time(.weightGradients) { weightGradientsUntimed(grads: g, x: x, batch: b, steps: s0, s1, cache: cache) }
    }

    private func weightGradientsUntimed(grads g: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, batch b: Int,
                                        steps s0: Int, _ s1: Int, cache: RecurrentCache) {
        let H = hidden, GH = gateWidth, D = inputDim, rows = (s1 - s0) * b
        let dpre = cache.dpre.p + s0 * b * GH
        let drp = UnsafePointer(cache.drp?.p ?? cache.dpre.p)
        // The state entering step s is h_{s-1} ⊙ m (kept at hm[s]) or h_{s-1}; at s = 0 the initial state.
        if s0 == 0 && cache.useInitial && s1 > 0 {
            let prev = cache.useMask ? UnsafePointer(cache.hm!.p) : UnsafePointer(cache.h0.p)
            weightGradient(m: H, k: b, a: prev, b: drp, into: g + wh, cache: cache)
        }
        let h0 = max(s0, 1)
        if s1 > h0 {
            let prev = cache.useMask ? UnsafePointer(cache.hm!.p + h0 * b * H) : UnsafePointer(cache.h.p + (h0 - 1) * b * H)
            weightGradient(m: H, k: (s1 - h0) * b, a: prev, b: drp + h0 * b * GH, into: g + wh, cache: cache)
        }
        if D < Self.narrowInput {
            let dwx = g + wx
            for r in 0..<rows {
                let row = dpre + r * GH, xr = x + (s0 * b + r) * D
                for d in 0..<D { let out = dwx + d * GH, v = xr[d]; for j in 0..<GH { out[j] += v * row[j] } }
            }
        } else {
            weightGradient(m: D, k: rows, a: x + s0 * b * D, b: dpre, into: g + wx, cache: cache)
        }
    }
}

extension RecurrentLayer {
    /// dW [m, GH] += aᵀ · b over `k` rows (a [k, m], b [k, GH]): on cblas_sgemm, or on PackedGEMM when
    /// BLAS.weightGradientsOnPacked (a transposed into `gradLeft`, b packed into `gradRight`; each
    /// element one FMA chain over the rows in order, then added to dW).
    @inline(__always)
    fileprivate func weightGradient(m: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                    into dw: UnsafeMutablePointer<Float>, cache: RecurrentCache) {
        let GH = gateWidth
        guard cache.gradRight.n == GH, k <= cache.gradLeft.count / max(1, m) else {
            BLAS.gemm(transA: true, m: m, n: GH, k: k, a: a, lda: m, b: b, ldb: GH, beta: 1, c: dw, ldc: GH)
            return
        }
        let at = cache.gradLeft.p
        for r in 0..<k { let row = a + r * m; for i in 0..<m { at[i * k + r] = row[i] } }
        cache.gradRight.pack(b, k: k, n: GH, ld: GH, transposed: false)
        PackedGEMM.multiply(m: m, a: at, lda: k, b: cache.gradRight, c: dw, ldc: GH, accumulate: true)
    }
}

/// out[j] += Σ_r m[r, j] over `rows` rows of width `n`.
@inline(__always)
func colSum(_ m: UnsafePointer<Float>, rows: Int, n: Int, into out: UnsafeMutablePointer<Float>) {
    for r in 0..<rows { let row = m + r * n; for j in 0..<n { out[j] += row[j] } }
}
