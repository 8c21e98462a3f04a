// ModelConfig: the architecture of a forecaster network — the settings a run asks for
// (`ArchitectureSettings`, with their defaults and checks) completed with the dimensions the data
// and windows give — stored with every model file.

/// How the recurrent output feeds the dense head.
public enum HeadKind: String, Codable, Sendable, CaseIterable {
    /// Top layer's last hidden state → dense → K·O values; target [B, K, O].
    case seq2vec
    /// Every step's top hidden state → the same dense → K·O values per step; target [B, T, K, O].
    case seq2seq
    /// The encoder's final states start a decoder recurrence unrolled over the K horizon steps,
    /// each step → dense → O values; target [B, K, O] as seq2vec.
    case encoderDecoder = "encoder-decoder"
}

/// How a bidirectional layer combines its forward and backward outputs (`--merge`).
public enum MergeKind: String, Codable, Sendable, CaseIterable {
    /// [h_forward, h_backward]: 2H wide.
    case concat
    /// h_forward + h_backward: H wide.
    case sum
}

/// What the decoder reads at each horizon step (`--decoder-input`).
public enum DecoderInput: String, Codable, Sendable, CaseIterable {
    /// The previous step's target (scaled as the network's targets; the true one under teacher
    /// forcing, else the decoder's own prediction); at step 0 the last observed input value.
    case previous
    /// The encoder's summary (its top layer's final state), the same at every step: vector-to-sequence.
    case stateOnly = "state-only"
}

/// Forget-gate (LSTM) / update-gate (GRU) bias initialisation.
public enum GateInit: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Chrono initialisation (Tallec & Ollivier 2018): b_f = log(U(1, T_max − 1)), b_i = −b_f,
    /// T_max = the look-back length. The default: see README "Why chrono initialisation".
    case chrono
    /// A constant forget (LSTM) / update (GRU) bias, e.g. 1 as in Keras' `unit_forget_bias`.
    case constant(Float)

    /// Parses "chrono" or a number.
    public init?(argument: String) {
        if argument == "chrono" { self = .chrono }
        else if let v = Float(argument), v.isFinite { self = .constant(v) }
        else { return nil }
    }

    public var description: String {
        switch self { case .chrono: "chrono"; case .constant(let v): "\(v)" }
    }
}

/// Cell, sizes, head and regularisation of the recurrent network.
public struct ArchitectureSettings: Codable, Sendable, Equatable {
    public var cell = CellKind.lstm
    public var hidden = 32
    public var layers = 1
    public var head = HeadKind.seq2vec
    public var layerNorm = false
    public var dropout: Float = 0
    public var recurrentDropout: Float = 0
    public var gateInit = GateInit.chrono
    /// Interval levels (percent) a quantile head is trained for, with the median; empty: a point head.
    public var quantileLevels: [Double] = []
    /// Forward and backward recurrences over the look-back in every encoder layer (seq2vec and
    /// encoder-decoder only: seq2seq's per-step outputs would see the future).
    public var bidirectional = false
    public var merge = MergeKind.concat
    /// Encoder–decoder: the decoder's cell, hidden size and layers (nil: the encoder's).
    public var decoderCell: CellKind? = nil
    public var decoderHidden: Int? = nil
    public var decoderLayers: Int? = nil
    public var decoderInput = DecoderInput.previous

    public init() {}

    /// The quantiles a head trained for `levels` predicts, ascending: α/2 and 1 − α/2 of each level
    /// (α = 1 − level/100) and the median.
    public static func quantiles(levels: [Double]) -> [Float] {
        guard !levels.isEmpty else { return [] }
        var taus: Set<Float> = [0.5]
        for level in levels {
            let half = (100 - level) / 200
            taus.insert(Float(half)); taus.insert(Float(1 - half))
        }
        return taus.sorted()
    }

    public func validate() throws(SettingsError) {
        if hidden < 1 { throw .outOfRange("--hidden must be at least 1, got \(hidden)") }
        if layers < 1 { throw .outOfRange("--layers must be at least 1, got \(layers)") }
        if bidirectional && head == .seq2seq {
            throw .incompatible("--bidirectional cannot be used with --head seq2seq: each step's output would see the steps after it (the future); use --head seq2vec or encoder-decoder")
        }
        if merge != .concat && !bidirectional { throw .incompatible("--merge needs --bidirectional") }
        if head != .encoderDecoder {
            let given = [(decoderCell != nil, "--decoder-cell"), (decoderHidden != nil, "--decoder-hidden"),
                         (decoderLayers != nil, "--decoder-layers"), (decoderInput != .previous, "--decoder-input")]
                .filter(\.0).map(\.1)
            if !given.isEmpty { throw .incompatible("\(given.joined(separator: ", ")) need\(given.count == 1 ? "s" : "") --head encoder-decoder") }
        }
        if let h = decoderHidden, h < 1 { throw .outOfRange("--decoder-hidden must be at least 1, got \(h)") }
        if let l = decoderLayers, l < 1 { throw .outOfRange("--decoder-layers must be at least 1, got \(l)") }
        if !(0..<1).contains(dropout) { throw .outOfRange("--dropout must be in [0, 1), got \(dropout)") }
        if !(0..<1).contains(recurrentDropout) {
            throw .outOfRange("--recurrent-dropout must be in [0, 1), got \(recurrentDropout)")
        }
        for l in quantileLevels where !(l >= 1 && l < 100) {
            throw .outOfRange("--quantile-levels are percentages in [1, 100), got \(l)")
        }
        if !quantileLevels.isEmpty && head != .seq2vec {
            throw .incompatible("a quantile head (--quantile-levels) works with --head seq2vec")
        }
    }

    /// The network configuration for these dimensions (D inputs, O outputs, L look-back, K horizon),
    /// checked.
    public func config(inputDim: Int, outputDim: Int, lookback: Int, horizon: Int, head: HeadKind? = nil) throws(SettingsError) -> ModelConfig {
        var c = ModelConfig(cell: cell, inputDim: inputDim, hidden: hidden, layers: layers, head: head ?? self.head,
                            horizon: horizon, outputDim: outputDim, lookback: lookback, layerNorm: layerNorm,
                            dropout: dropout, recurrentDropout: recurrentDropout, gateInit: gateInit,
                            quantiles: ArchitectureSettings.quantiles(levels: quantileLevels))
        c.bidirectional = bidirectional; c.merge = merge; c.decoderInput = decoderInput
        c.decoderCell = decoderCell; c.decoderHidden = decoderHidden; c.decoderLayers = decoderLayers
        try c.validate()
        return c
    }
}

extension ArchitectureSettings {
    /// "lstm 1×32", plus "bidirectional" and the decoder when there are, e.g.
    /// "lstm 2×32 bidirectional → decoder lstm 2×64 (previous)".
    public var summary: String {
        var s = "\(cell) \(layers)×\(hidden)"
        if bidirectional { s += " bidirectional" + (merge == .sum ? " (sum)" : "") }
        if head == .encoderDecoder {
            s += " → decoder \(decoderCell ?? cell) \(decoderLayers ?? layers)×\(decoderHidden ?? hidden) (\(decoderInput.rawValue))"
        } else if head == .seq2seq {
            s += " seq2seq"
        }
        let extras = [layerNorm ? "layer norm" : nil, dropout > 0 ? "dropout \(dropout)" : nil,
                      recurrentDropout > 0 ? "recurrent dropout \(recurrentDropout)" : nil].compactMap { $0 }
        return extras.isEmpty ? s : s + " (" + extras.joined(separator: ", ") + ")"
    }

    enum CodingKeys: String, CodingKey {
        case cell, hidden, layers, head, layerNorm, dropout, recurrentDropout, gateInit, bidirectional, merge
        case decoderCell, decoderHidden, decoderLayers, decoderInput
    }

    /// Settings written before the bidirectional and encoder–decoder options have none of them.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ArchitectureSettings()
        cell = try c.decodeIfPresent(CellKind.self, forKey: .cell) ?? d.cell
        hidden = try c.decodeIfPresent(Int.self, forKey: .hidden) ?? d.hidden
        layers = try c.decodeIfPresent(Int.self, forKey: .layers) ?? d.layers
        head = try c.decodeIfPresent(HeadKind.self, forKey: .head) ?? d.head
        layerNorm = try c.decodeIfPresent(Bool.self, forKey: .layerNorm) ?? d.layerNorm
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? d.dropout
        recurrentDropout = try c.decodeIfPresent(Float.self, forKey: .recurrentDropout) ?? d.recurrentDropout
        gateInit = try c.decodeIfPresent(GateInit.self, forKey: .gateInit) ?? d.gateInit
        bidirectional = try c.decodeIfPresent(Bool.self, forKey: .bidirectional) ?? d.bidirectional
        merge = try c.decodeIfPresent(MergeKind.self, forKey: .merge) ?? d.merge
        decoderCell = try c.decodeIfPresent(CellKind.self, forKey: .decoderCell)
        decoderHidden = try c.decodeIfPresent(Int.self, forKey: .decoderHidden)
        decoderLayers = try c.decodeIfPresent(Int.self, forKey: .decoderLayers)
        decoderInput = try c.decodeIfPresent(DecoderInput.self, forKey: .decoderInput) ?? d.decoderInput
    }
}

/// Network architecture. Dimensions use the shape key D input, H hidden, K horizon, O output dim.
public struct ModelConfig: Codable, Sendable, Equatable {
    public var cell: CellKind
    public var inputDim: Int
    public var hidden: Int
    public var layers: Int
    public var head: HeadKind
    public var horizon: Int
    public var outputDim: Int
    public var lookback: Int
    public var layerNorm: Bool
    public var dropout: Float
    public var recurrentDropout: Float
    public var gateInit: GateInit
    /// Quantile head: the quantiles (ascending, with 0.5) each predicted value comes as, trained on
    /// pinball loss; empty for a point head.
    public var quantiles: [Float]
    // Set after init (ArchitectureSettings.config); their defaults are the settings' own.
    public var bidirectional = ModelConfig.defaults.bidirectional
    public var merge = ModelConfig.defaults.merge
    public var decoderCell = ModelConfig.defaults.decoderCell
    public var decoderHidden = ModelConfig.defaults.decoderHidden
    public var decoderLayers = ModelConfig.defaults.decoderLayers
    public var decoderInput = ModelConfig.defaults.decoderInput

    public static let defaults = ArchitectureSettings()

    /// Width of an encoder layer's output and final state: 2H for a concatenating bidirectional layer.
    public var encoderWidth: Int { bidirectional && merge == .concat ? 2 * hidden : hidden }
    /// The decoder's cell, hidden size and depth in effect (the encoder's unless set).
    public var decoderCellKind: CellKind { decoderCell ?? cell }
    public var decoderHiddenSize: Int { decoderHidden ?? hidden }
    public var decoderLayerCount: Int { decoderLayers ?? layers }

    public init(cell: CellKind = defaults.cell, inputDim: Int, hidden: Int = defaults.hidden, layers: Int = defaults.layers,
                head: HeadKind = defaults.head, horizon: Int = 1, outputDim: Int = 1, lookback: Int,
                layerNorm: Bool = defaults.layerNorm, dropout: Float = defaults.dropout,
                recurrentDropout: Float = defaults.recurrentDropout, gateInit: GateInit = defaults.gateInit,
                quantiles: [Float] = []) {
        self.cell = cell; self.inputDim = inputDim; self.hidden = hidden; self.layers = layers
        self.head = head; self.horizon = horizon; self.outputDim = outputDim; self.lookback = lookback
        self.layerNorm = layerNorm; self.dropout = dropout; self.recurrentDropout = recurrentDropout
        self.gateInit = gateInit; self.quantiles = quantiles
    }

    /// Values the head emits per prediction: K·O, times the quantiles of a quantile head ([K, O, Q]).
    public var outputWidth: Int { horizon * outputDim * max(quantiles.count, 1) }

    /// Target values per prediction: K·O.
    public var targetWidth: Int { horizon * outputDim }

    /// The settings part (what a run asks for, without the data's dimensions).
    public var architecture: ArchitectureSettings {
        var a = ArchitectureSettings()
        a.cell = cell; a.hidden = hidden; a.layers = layers; a.head = head; a.layerNorm = layerNorm
        a.dropout = dropout; a.recurrentDropout = recurrentDropout; a.gateInit = gateInit
        a.quantileLevels = quantiles.filter { $0 < 0.5 }.map { tau -> Double in
            let level = (1 - 2 * Double(tau)) * 100
            return (level * 1000).rounded() / 1000
        }.sorted()
        a.bidirectional = bidirectional; a.merge = merge; a.decoderCell = decoderCell
        a.decoderHidden = decoderHidden; a.decoderLayers = decoderLayers; a.decoderInput = decoderInput
        return a
    }

    /// Checks the configuration, with a message a user can act on.
    public func validate() throws(SettingsError) {
        try architecture.validate()
        if inputDim < 1 { throw .outOfRange("input dimension must be at least 1, got \(inputDim)") }
        if horizon < 1 { throw .outOfRange("--horizon must be at least 1, got \(horizon)") }
        if outputDim < 1 { throw .outOfRange("output dimension must be at least 1, got \(outputDim)") }
        if lookback < 1 { throw .outOfRange("--lookback must be at least 1, got \(lookback)") }
    }
}

extension ModelConfig {
    enum CodingKeys: String, CodingKey {
        case cell, inputDim, hidden, layers, head, horizon, outputDim, lookback, layerNorm, dropout, recurrentDropout, gateInit, quantiles
        case bidirectional, merge, decoderCell, decoderHidden, decoderLayers, decoderInput
    }

    /// Look-back and horizon may be absent: a model manifest stores them once, beside this.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(cell: try c.decode(CellKind.self, forKey: .cell), inputDim: try c.decode(Int.self, forKey: .inputDim),
                  hidden: try c.decode(Int.self, forKey: .hidden), layers: try c.decode(Int.self, forKey: .layers),
                  head: try c.decode(HeadKind.self, forKey: .head), horizon: try c.decodeIfPresent(Int.self, forKey: .horizon) ?? 0,
                  outputDim: try c.decode(Int.self, forKey: .outputDim), lookback: try c.decodeIfPresent(Int.self, forKey: .lookback) ?? 0,
                  layerNorm: try c.decode(Bool.self, forKey: .layerNorm), dropout: try c.decode(Float.self, forKey: .dropout),
                  recurrentDropout: try c.decode(Float.self, forKey: .recurrentDropout),
                  gateInit: try c.decode(GateInit.self, forKey: .gateInit),
                  quantiles: try c.decodeIfPresent([Float].self, forKey: .quantiles) ?? [])
        // Absent in models written before bidirectional layers and the encoder–decoder existed.
        bidirectional = try c.decodeIfPresent(Bool.self, forKey: .bidirectional) ?? false
        merge = try c.decodeIfPresent(MergeKind.self, forKey: .merge) ?? .concat
        decoderCell = try c.decodeIfPresent(CellKind.self, forKey: .decoderCell)
        decoderHidden = try c.decodeIfPresent(Int.self, forKey: .decoderHidden)
        decoderLayers = try c.decodeIfPresent(Int.self, forKey: .decoderLayers)
        decoderInput = try c.decodeIfPresent(DecoderInput.self, forKey: .decoderInput) ?? .previous
    }

    public func encode(to encoder: Encoder) throws { try encode(to: encoder, windows: true) }

    /// Encodes the configuration; without `windows`, leaves out look-back and horizon.
    public func encode(to encoder: Encoder, windows: Bool) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cell, forKey: .cell); try c.encode(inputDim, forKey: .inputDim); try c.encode(hidden, forKey: .hidden)
        try c.encode(layers, forKey: .layers); try c.encode(head, forKey: .head); try c.encode(outputDim, forKey: .outputDim)
        try c.encode(layerNorm, forKey: .layerNorm); try c.encode(dropout, forKey: .dropout)
        try c.encode(recurrentDropout, forKey: .recurrentDropout); try c.encode(gateInit, forKey: .gateInit)
        if !quantiles.isEmpty { try c.encode(quantiles, forKey: .quantiles) }
        if windows { try c.encode(horizon, forKey: .horizon); try c.encode(lookback, forKey: .lookback) }
        // Only when set, so the manifests of models without them stay as they were.
        if bidirectional { try c.encode(bidirectional, forKey: .bidirectional); try c.encode(merge, forKey: .merge) }
        try c.encodeIfPresent(decoderCell, forKey: .decoderCell)
        try c.encodeIfPresent(decoderHidden, forKey: .decoderHidden)
        try c.encodeIfPresent(decoderLayers, forKey: .decoderLayers)
        if head == .encoderDecoder { try c.encode(decoderInput, forKey: .decoderInput) }
    }
}
