// ModelConfig: the architecture of a forecaster network, stored with every model file.

/// How the recurrent output feeds the dense head.
public enum HeadKind: String, Codable, Sendable, CaseIterable {
    /// Top layer's last hidden state → dense → K·O values; target [B, K, O].
    case seq2vec
    /// Every step's top hidden state → the same dense → K·O values per step; target [B, T, K, O].
    case seq2seq
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

    public init(cell: CellKind = .lstm, inputDim: Int, hidden: Int = 32, layers: Int = 1,
                head: HeadKind = .seq2vec, horizon: Int = 1, outputDim: Int = 1, lookback: Int,
                layerNorm: Bool = false, dropout: Float = 0, recurrentDropout: Float = 0,
                gateInit: GateInit = .chrono) {
        self.cell = cell; self.inputDim = inputDim; self.hidden = hidden; self.layers = layers
        self.head = head; self.horizon = horizon; self.outputDim = outputDim; self.lookback = lookback
        self.layerNorm = layerNorm; self.dropout = dropout; self.recurrentDropout = recurrentDropout
        self.gateInit = gateInit
    }

    /// Values the head emits per prediction: K·O.
    public var outputWidth: Int { horizon * outputDim }

    /// Checks the configuration, with a message a user can act on.
    public func validate() throws(ConfigError) {
        if inputDim < 1 { throw .invalid("input dimension must be at least 1, got \(inputDim)") }
        if hidden < 1 { throw .invalid("--hidden must be at least 1, got \(hidden)") }
        if layers < 1 { throw .invalid("--layers must be at least 1, got \(layers)") }
        if horizon < 1 { throw .invalid("--horizon must be at least 1, got \(horizon)") }
        if outputDim < 1 { throw .invalid("output dimension must be at least 1, got \(outputDim)") }
        if lookback < 1 { throw .invalid("--lookback must be at least 1, got \(lookback)") }
        if !(0..<1).contains(dropout) { throw .invalid("--dropout must be in [0, 1), got \(dropout)") }
        if !(0..<1).contains(recurrentDropout) {
            throw .invalid("--recurrent-dropout must be in [0, 1), got \(recurrentDropout)")
        }
    }
}

/// Invalid settings (flags or a model file's configuration).
public enum ConfigError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let m): m }
    }
}
