// SeriesSettings: what a run reads and how it cuts and prepares it — data selection, windows and
// preprocessing choices. Each type owns its defaults and its validation; the CLI presents them.

/// Which file and which parts of it.
public struct DataSettings: Codable, Sendable, Equatable {
    public var path: String
    public var selection = DataSelection()
    /// Supervised HDF5 mode: dataset names of pre-cut inputs [batch, steps, dim] and targets.
    public var x: String?, y: String?

    public init(path: String) { self.path = path }

    /// Pre-cut samples (--x/--y) rather than series.
    public var supervised: Bool { x != nil }

    public func validate() throws(SettingsError) {
        if (x == nil) != (y == nil) { throw .incompatible("--x and --y go together (supervised HDF5 mode)") }
    }
}

/// How series are cut into windows, and how much of each series' end is held out for validation.
public struct WindowSettings: Codable, Sendable, Equatable {
    /// Input steps per window; nil = two seasons when the frequency has one, else 24 (`resolvedLookback`).
    public var lookback: Int?
    public var horizon = 1
    /// Steps between consecutive training windows (`--window-stride`).
    public var stride = 1
    public var valFraction = 0.2

    public init() {}

    public func validate() throws(SettingsError) {
        if horizon < 1 { throw .outOfRange("--horizon must be at least 1, got \(horizon)") }
        if stride < 1 { throw .outOfRange("--window-stride must be at least 1, got \(stride)") }
        if let l = lookback, l < 1 { throw .outOfRange("--lookback must be at least 1, got \(l)") }
        if !(0..<1).contains(valFraction) { throw .outOfRange("--val-fraction must be in [0, 1), got \(valFraction)") }
    }

    /// The look-back in effect: the asked-for one, else two seasons when the frequency has one
    /// (else 24), at least 2·horizon, and at most a third of the shortest series.
    public func resolvedLookback(season: Int?, shortest: Int) -> Int {
        if let lookback { return lookback }
        let base = season.map { 2 * $0 } ?? 24
        return max(2, min(max(base, 2 * horizon), max(shortest / 3, 2)))
    }
}

/// Weight of a member of the final combination with the variants (the plain seasonal-naive
/// forecast — the window mean for a mean-reverting target — and Theta): a number, or chosen from the
/// validation windows.
public enum CombinationWeight: Sendable, Equatable, CustomStringConvertible {
    /// From the validation windows: for the baseline, how much training beat it
    /// (`Forecaster.baselineWeight`); for Theta, inverse-MAE against the network's combination
    /// (`CombinationFit`).
    case auto
    case fixed(Float)

    /// Parses "auto" or a number in [0, 1].
    public init?(argument: String) {
        if argument == "auto" { self = .auto }
        else if let w = Float(argument), (0...1).contains(w) { self = .fixed(w) }
        else { return nil }
    }

    /// As the pipeline stores it (model.h5): the weight, or −1 for auto.
    public var stored: Float { if case .fixed(let w) = self { w } else { -1 } }

    public var description: String { if case .fixed(let w) = self { "\(w)" } else { "auto" } }

    /// Decodes the stored word, or a bare number (how `thetaWeight` was stored before it could be auto).
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let w = try? c.decode(Float.self) { self = .fixed(w); return }
        let s = try c.decode(String.self)
        guard let v = Self(argument: s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(s)' is not a valid weight"))
        }
        self = v
    }
}

/// The preprocessing a run asks for; `Pipeline` is what is fitted from it on the training part.
public struct PreprocessingSettings: Codable, Sendable, Equatable {
    public var scaler = ScalerKind.window
    /// Value transforms before scaling, shared by every variant (Preprocessing/SeriesTransform.swift).
    public var transform = TransformChoice.auto
    /// Ensemble variants (member i uses variant i mod count), each with its baseline; empty for none.
    public var variants = [VariantSpec(.auto), VariantSpec(.auto, deseasonalise: true)]
    public var baselineWeight = CombinationWeight.auto
    /// Theta's weight in the final combination (Preprocessing/Theta.swift), with variants only:
    /// auto (chosen on the validation windows, `CombinationFit`) or a number; 0: none. Settings
    /// stored before it existed decode as nil: none; those stored as a number, as that number.
    public var thetaWeight: CombinationWeight? = .auto
    /// Seasonal period (seasonal naive, deseasonalisation, MASE); nil = from the time column (1 for a
    /// yearly one), else the autocorrelation peak of the first series.
    public var season: Int?

    public init() {}

    public func validate() throws(SettingsError) {
        if let s = season, s < 1 { throw .outOfRange("--season must be auto or a positive integer, got \(s)") }
        if case .fixed(let w) = baselineWeight, !(0...1).contains(w) {
            throw .outOfRange("--baseline-weight must be auto or a number in [0, 1], got \(w)")
        }
        if case .fixed(let w)? = thetaWeight, !(0...1).contains(w) {
            throw .outOfRange("--theta-weight must be auto or a number in [0, 1], got \(w)")
        }
        if variants.isEmpty, let flag = fixedWeightFlag {
            throw .incompatible("\(flag) weighs a member against the baseline variants, and --baseline none has none: leave \(flag) out")
        }
    }

    /// The weight flag set to a fixed share above 0 (`--baseline-weight`, `--theta-weight`), if any:
    /// it only acts beside baseline variants (it was silently ignored without them).
    public var fixedWeightFlag: String? {
        if case .fixed(let w) = baselineWeight, w > 0 { return "--baseline-weight" }
        if case .fixed(let w)? = thetaWeight, w > 0 { return "--theta-weight" }
        return nil
    }
}

// The choices are stored (summary.json, model.h5) as the words the flags take.
extension TransformChoice: StoredAsArgument {
    public init?(storedArgument s: String) { self.init(transformList: s) }
}

extension VariantSpec: StoredAsArgument {
    public init?(storedArgument s: String) { self.init(argument: s) }
}

extension CombinationWeight: StoredAsArgument {
    public init?(storedArgument s: String) { self.init(argument: s) }
}
