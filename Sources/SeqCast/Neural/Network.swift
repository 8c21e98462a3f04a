// Network: stacked recurrent layers, dropout between them, and the dense head (seq2vec or
// seq2seq); the forward pass, the loss and the backward pass over one (shard of a) mini-batch.
//
// Shape key: B batch, T steps, D input dim, H hidden, K horizon, O output dim.
// Input x is time-major [T, B, D]. Predictions and targets: seq2vec [B, K·O];
// seq2seq time-major [T, B, K·O].

/// A recurrent forecaster network: architecture plus one flat parameter buffer.
public final class Network: @unchecked Sendable {
    public let config: ModelConfig
    public let layout: ParameterLayout
    public let params: FloatBuffer
    let layers: [RecurrentLayer]
    let dense: DenseLayer

    /// A freshly initialised network (see Initialization.swift); same seed ⇒ same weights.
    public init(config: ModelConfig, seed: UInt64) throws(SettingsError) {
        try config.validate()
        self.config = config
        var layout = ParameterLayout()
        var layers: [RecurrentLayer] = []
        for l in 0..<config.layers {
            layers.append(RecurrentLayer(kind: config.cell, inputDim: l == 0 ? config.inputDim : config.hidden,
                                         hidden: config.hidden, layerNorm: config.layerNorm,
                                         recurrentDropout: config.recurrentDropout, name: "layer\(l)",
                                         layout: &layout))
        }
        dense = DenseLayer(inputs: config.hidden, outputs: config.outputWidth, layout: &layout)
        self.layers = layers
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
        (config.head == .seq2vec ? b : t * b) * config.outputWidth
    }

    /// Forward pass over x [T, B, D]; returns the predictions (stored in the workspace).
    /// With `training`, dropout masks are drawn from a generator seeded by `dropoutSeed`.
    @discardableResult
    public func forward(x: UnsafePointer<Float>, batch b: Int, workspace ws: Workspace,
                        training: Bool = false, dropoutSeed: UInt64 = 0) -> UnsafeMutablePointer<Float> {
        precondition(!(training && ws.forwardOnly), "a forward-only workspace cannot train")
        let t = ws.steps, H = config.hidden
        var rng = SeededRandom(seed: dropoutSeed)
        var input = x
        ws.droppedOut = training && config.dropout > 0
        for (l, layer) in layers.enumerated() {
            let cache = ws.caches[l]
            layer.forward(params: params.p, x: input, batch: b, steps: t, cache: cache, training: training, rng: &rng)
            input = UnsafePointer(cache.h.p)
            if l < layers.count - 1 && ws.droppedOut {
                let keep = 1 - config.dropout, scale = 1 / keep
                let mask = ws.dropMasks[l].p, out = ws.dropped[l].p, h = cache.h.p
                for i in 0..<(t * b * H) {
                    mask[i] = rng.uniform() < keep ? scale : 0
                    out[i] = h[i] * mask[i]
                }
                input = UnsafePointer(out)
            }
        }
        let top = ws.caches[layers.count - 1].h.p
        switch config.head {
        case .seq2vec: dense.forward(params: params.p, h: top + (t - 1) * b * H, rows: b, y: ws.output.p)
        case .seq2seq: dense.forward(params: params.p, h: top, rows: t * b, y: ws.output.p)
        }
        return ws.output.p
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
        let t = ws.steps, H = config.hidden, L = layers.count
        let g = ws.grads.p, p = params.p
        let top = ws.caches[L - 1].h.p, dTop = ws.dH[L - 1].p
        switch config.head {
        case .seq2vec:
            dTop.update(repeating: 0, count: (t - 1) * b * H)
            dense.backward(params: p, grads: g, h: top + (t - 1) * b * H, dy: ws.dOutput.p, rows: b,
                           dh: dTop + (t - 1) * b * H)
        case .seq2seq:
            dense.backward(params: p, grads: g, h: top, dy: ws.dOutput.p, rows: t * b, dh: dTop)
        }
        for l in stride(from: L - 1, through: 0, by: -1) {
            let input: UnsafePointer<Float>
            if l == 0 { input = x }
            else if ws.droppedOut { input = UnsafePointer(ws.dropped[l - 1].p) }
            else { input = UnsafePointer(ws.caches[l - 1].h.p) }
            let dX: FloatPtr? = l > 0 ? ws.dH[l - 1].p : (inputGradient ? ws.dX.p : nil)
            layers[l].backward(params: p, grads: g, x: input, batch: b, steps: t, cache: ws.caches[l],
                               dH: ws.dH[l].p, dX: dX)
            if l > 0 && ws.droppedOut {
                let d = ws.dH[l - 1].p, mask = ws.dropMasks[l - 1].p
                for i in 0..<(t * b * H) { d[i] *= mask[i] }
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

    /// Without gradient buffers: `Network.forward` without training only.
    public let forwardOnly: Bool

    init(network n: Network, batch b: Int, steps t: Int, forwardOnly: Bool) {
        batch = b; steps = t; self.forwardOnly = forwardOnly
        let c = n.config, H = c.hidden, g = forwardOnly ? 0 : 1
        caches = n.layers.map { RecurrentCache(layer: $0, capacity: b, steps: t, forwardOnly: forwardOnly) }
        let between = c.dropout > 0 && !forwardOnly ? max(c.layers - 1, 0) : 0
        dropMasks = (0..<between).map { _ in FloatBuffer(count: t * b * H) }
        dropped = (0..<between).map { _ in FloatBuffer(count: t * b * H) }
        output = FloatBuffer(count: n.outputCount(batch: b, steps: t))
        dOutput = FloatBuffer(count: g * n.outputCount(batch: b, steps: t))
        dH = n.layers.map { _ in FloatBuffer(count: g * t * b * H) }
        dX = FloatBuffer(count: g * t * b * c.inputDim)
        grads = FloatBuffer(count: g * n.layout.total)
    }
}
