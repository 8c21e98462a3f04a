// SeriesTransform: invertible value transforms of whole series, fitted on the training part only,
// stored with the model as data, applied by the pipeline (in list order) before windowing and
// inverted (in reverse order) on every forecast — the same way by train, forecast and backtest.
//
// A transform sees where each value sits (`RowPosition`: the series id and the row's index from the
// series' first row), so position-dependent ones such as deseasonalisation apply and invert at the
// right seasonal phase on a window cut from anywhere in the series.
//
// Adding a transform: one type conforming to `SeriesTransformStep` (name, fit, apply, invert,
// summary) and its line in `SeriesTransforms.all`; `--transform NAME` and the model file know it then.
import Foundation

/// Where a value sits: its series and its row, counted from the series' first row.
public struct RowPosition: Sendable, Equatable {
    public var series: String
    public var row: Int
    public init(series: String, row: Int) { self.series = series; self.row = row }
}

/// What a transform is fitted from: the training part only (plus, for a transform whose domain
/// matters, every row that will pass through it).
public struct TransformFit {
    /// The training rows of every series, after the transforms before this one (ids and time labels
    /// kept). Made when read (a copy of the training rows), so a fit that does not read them (log)
    /// costs no memory.
    public var parts: [Series] { makeParts() }
    var makeParts: () -> [Series] = { [] }
    /// Every row given to training (training and validation parts), after the transforms before this
    /// one: where a transform with a restricted domain (log) must be defined.
    public var rows: [SeriesMatrix]
    public var channels: Int
    /// The channels it may change (the targets).
    public var targets: [Int]
    public var names: [String]
    public var season: Int
    /// Named in `--transform` (a fit that is impossible is an error) rather than chosen by `auto`
    /// (where it does not apply, it is left out).
    public var required: Bool
}

/// One fitted transform: a map of values and its inverse, per channel and position, stored with
/// the model as data. Adding a transform: a type conforming to this, and its line in
/// `SeriesTransforms.all`.
public protocol SeriesTransformStep: Codable, Sendable, Equatable {
    /// The name `--transform` takes and the model file stores it under.
    static var name: String { get }
    /// Fits on the training part; nil where it does not apply (`required` makes that an error).
    static func fit(_ f: TransformFit) throws -> Self?
    /// The transformed value of `v` in channel `c` at `p` (NaN stays NaN).
    func apply(_ v: Float, channel c: Int, at p: RowPosition) -> Float
    /// The inverse of `apply`.
    func invert(_ v: Float, channel c: Int, at p: RowPosition) -> Float
    /// `apply` to every value of consecutive rows, in place: `values` holds rows [t, channels]
    /// (row-major) of series `series`, the first being row `firstRow`. The default applies `apply`
    /// value by value; a step may do the same operations faster (looking its tables up once).
    func apply(rows values: UnsafeMutableBufferPointer<Float>, channels: Int, series: String, firstRow: Int)
    /// What it does, in words (the backtest's configuration line), given the channel names.
    func summary(names: [String], targets: [Int]) -> String
    /// Whether channel `c` was fitted on strictly positive values and its inverse maps every value
    /// back into them (log, Box–Cox): its forecasts' intervals need not reach below 0.
    func keepsPositive(channel c: Int) -> Bool
}

/// Every transform seqcast knows, in the order `--help` lists them.
public enum SeriesTransforms {
    public static let all: [any SeriesTransformStep.Type] = [LogTransform.self, BoxCoxTransform.self, Deseasonaliser.self]

    static func named(_ name: String) -> (any SeriesTransformStep.Type)? { all.first { $0.name == name } }
    public static var names: [String] { all.map { $0.name } }
}

/// A fitted transform of any kind, as a pipeline holds and stores it. Stored as `{"NAME": {"_0":
/// fields}}`, the layout of the enum it replaced, so older model files read unchanged.
public struct SeriesTransform: Codable, Sendable, Equatable {
    public let step: any SeriesTransformStep

    public init(_ step: any SeriesTransformStep) { self.step = step }

    public static func == (a: SeriesTransform, b: SeriesTransform) -> Bool { a.step.isEqual(b.step) }

    /// `m` (rows of series `series` from row `firstRow` on) with this transform applied to every value.
    public func apply(_ m: SeriesMatrix, series: String, firstRow: Int) -> SeriesMatrix {
        var out = m
        apply(&out, series: series, firstRow: firstRow)
        return out
    }

    /// `apply` in place (no copy when `m`'s storage is not shared).
    public func apply(_ m: inout SeriesMatrix, series: String, firstRow: Int) {
        let n = m.channels
        m.values.withUnsafeMutableBufferPointer { step.apply(rows: $0, channels: n, series: series, firstRow: firstRow) }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        guard c.allKeys.count == 1, let key = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "a transform is one {name: fields} object"))
        }
        guard let type = SeriesTransforms.named(key.stringValue) else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "unknown transform '\(key.stringValue)' (written by a newer seqcast?)"))
        }
        let fields = try c.nestedContainer(keyedBy: Key.self, forKey: key)
        step = try type.init(from: fields.superDecoder(forKey: Key("_0")))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        var fields = c.nestedContainer(keyedBy: Key.self, forKey: Key(type(of: step).name))
        try step.encode(to: fields.superEncoder(forKey: Key("_0")))
    }
}

extension SeriesTransformStep {
    func isEqual(_ other: any SeriesTransformStep) -> Bool { (other as? Self) == self }

    public func keepsPositive(channel c: Int) -> Bool { false }

    public func apply(rows values: UnsafeMutableBufferPointer<Float>, channels n: Int, series: String, firstRow: Int) {
        guard n > 0 else { return }
        for t in 0..<(values.count / n) {
            let p = RowPosition(series: series, row: firstRow + t)
            for c in 0..<n { values[t * n + c] = apply(values[t * n + c], channel: c, at: p) }
        }
    }
}

/// What `--transform` asks for: `auto` (log where every training value is strictly positive), `none`,
/// or a list of names (`SeriesTransforms.names`), applied in order, where an impossible one is an error.
public struct TransformChoice: Sendable, Equatable {
    public var names: [String]
    public var automatic: Bool

    public static let none = TransformChoice(names: [], automatic: false)
    /// What `auto` means: log where possible. Deseasonalisation is not shared: by default one
    /// ensemble variant deseasonalises and the other does not (`--baseline`, ACCURACY.md).
    public static let auto = TransformChoice(names: [LogTransform.name], automatic: true)

    public init(names: [String], automatic: Bool) { self.names = names; self.automatic = automatic }

    /// Parses "auto", "none" or a comma-separated list of names.
    public init?(transformList argument: String) {
        switch argument {
        case "auto": self = .auto
        case "none": self = .none
        default:
            let parts = argument.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !parts.isEmpty, parts.allSatisfy({ SeriesTransforms.named($0) != nil }) else { return nil }
            self.init(names: parts, automatic: false)
        }
    }

    public var description: String {
        automatic ? "auto" : names.isEmpty ? "none" : names.joined(separator: ",")
    }

    /// Fits the chosen transforms in order, each on the training part as the ones before it left it.
    /// `training(steps)` gives the training parts with `steps` applied, `rows(steps)` every row.
    func fit(_ base: TransformFit, training: @escaping ([SeriesTransform]) -> [Series],
             rows: ([SeriesTransform]) -> [SeriesMatrix]) throws -> [SeriesTransform] {
        var fitted: [SeriesTransform] = []
        for name in names {
            var f = base
            let before = fitted
            f.makeParts = { training(before) }; f.rows = rows(fitted); f.required = !automatic
            if let step = try SeriesTransforms.named(name)!.fit(f) { fitted.append(SeriesTransform(step)) }
        }
        return fitted
    }
}

/// Natural log of the chosen channels: y' = ln y, inverted by exp. Turns multiplicative seasonality
/// and growth into additive ones, and a forecast error proportional to the level into a constant one.
/// Its inverse of a forecast is the median (not the mean) when errors are symmetric in log space,
/// which is what absolute-error metrics (MAE, MASE) reward.
public struct LogTransform: SeriesTransformStep {
    public static let name = "log"
    /// Per channel: is it logged?
    public var channels: [Bool]

    public init(channels: [Bool]) { self.channels = channels }

    /// Logs each target whose values in every row given to training (gaps ignored) are all > 0;
    /// when `required`, a target that is not is an error naming it. Nil when no channel qualifies.
    public static func fit(_ f: TransformFit) throws -> LogTransform? {
        var flags = [Bool](repeating: false, count: f.channels)
        for c in f.targets {
            var lowest = Float.infinity
            for m in f.rows { for t in 0..<m.steps where !m[t, c].isNaN { lowest = min(lowest, m[t, c]) } }
            if lowest > 0 && lowest.isFinite { flags[c] = true }
            else if f.required {
                throw SettingsError.incompatible("--transform log needs strictly positive values, but column '\(f.names[c])' has \(lowest) in the training data; use --transform none")
            }
        }
        return flags.contains(true) ? LogTransform(channels: flags) : nil
    }

    public func summary(names: [String], targets: [Int]) -> String {
        "log" + (channels.filter { $0 }.count < targets.count ? " of " + targets.filter { channels[$0] }.map { names[$0] }.joined(separator: ",") : "")
    }

    public func apply(_ v: Float, channel c: Int, at p: RowPosition) -> Float { channels[c] ? Float(Foundation.log(Double(v))) : v }
    public func invert(_ v: Float, channel c: Int, at p: RowPosition) -> Float { channels[c] ? Float(Foundation.exp(Double(v))) : v }
    public func keepsPositive(channel c: Int) -> Bool { channels[c] }
}
