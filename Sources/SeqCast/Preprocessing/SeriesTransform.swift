// SeriesTransform: invertible value transforms of whole series, fitted on the training part only,
// stored with the model as data, applied by the pipeline (in list order) before windowing and
// inverted (in reverse order) on every forecast — the same way by train, forecast and backtest.
//
// A transform sees where each value sits (`RowPosition`: the series id and the row's index from the
// series' first row), so position-dependent ones such as deseasonalisation apply and invert at the
// right seasonal phase on a window cut from anywhere in the series.
//
// Adding a transform: one type conforming to `SeriesTransformStep` (fit + apply + invert), one case
// in `SeriesTransform` and its line in `step`; `TransformKind` names it for `--transform`.
import Foundation

/// Where a value sits: its series and its row, counted from the series' first row.
public struct RowPosition: Sendable, Equatable {
    public var series: String
    public var row: Int
    public init(series: String, row: Int) { self.series = series; self.row = row }
}

/// One fitted transform: a map of values and its inverse, per channel and position.
public protocol SeriesTransformStep: Sendable {
    /// The transformed value of `v` in channel `c` at `p` (NaN stays NaN).
    func apply(_ v: Float, channel c: Int, at p: RowPosition) -> Float
    /// The inverse of `apply`.
    func invert(_ v: Float, channel c: Int, at p: RowPosition) -> Float
}

/// The transforms a pipeline can hold (Codable: stored in model.h5's manifest).
public enum SeriesTransform: Codable, Sendable, Equatable {
    case log(LogTransform)
    case deseasonalise(Deseasonaliser)

    /// The fitted transform behind the case.
    public var step: any SeriesTransformStep {
        switch self {
        case .log(let t): t
        case .deseasonalise(let t): t
        }
    }

    /// `m` (rows of series `series` from row `firstRow` on) with this transform applied to every value.
    public func apply(_ m: SeriesMatrix, series: String, firstRow: Int) -> SeriesMatrix {
        let s = step
        var out = m
        for t in 0..<m.steps {
            let p = RowPosition(series: series, row: firstRow + t)
            for c in 0..<m.channels { out.values[t * m.channels + c] = s.apply(m[t, c], channel: c, at: p) }
        }
        return out
    }
}

/// The value transforms `--transform` can name.
public enum TransformKind: String, Codable, Sendable, CaseIterable {
    /// Natural log of strictly positive targets.
    case log
    /// Classical additive seasonal indices (after log: multiplicative) removed, where seasonal.
    case deseasonalise
}

/// Which value transforms a run asks for (`--transform`), shared by every ensemble variant: `auto`
/// applies each kind of `auto` where the training data allows it (log where every target value is
/// positive); naming kinds applies them to every target, and an
/// impossible one is an error.
public struct TransformChoice: Sendable, Equatable {
    public var kinds: [TransformKind]
    public var automatic: Bool

    public static let none = TransformChoice(kinds: [], automatic: false)
    /// What `auto` means: log where possible. Deseasonalisation is not shared: by default one
    /// ensemble variant deseasonalises and the other does not (`--baseline`, ACCURACY.md).
    public static let auto = TransformChoice(kinds: [.log], automatic: true)

    public init(kinds: [TransformKind], automatic: Bool) { self.kinds = kinds; self.automatic = automatic }

    /// Parses "auto", "none" or a comma-separated list of kinds.
    public init?(transformList argument: String) {
        switch argument {
        case "auto": self = .auto
        case "none": self = .none
        default:
            let parts = argument.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let kinds = parts.compactMap(TransformKind.init(rawValue:))
            guard !kinds.isEmpty, kinds.count == parts.count else { return nil }
            self.init(kinds: kinds, automatic: false)
        }
    }

    public var description: String {
        automatic ? "auto" : kinds.isEmpty ? "none" : kinds.map(\.rawValue).joined(separator: ",")
    }
}

/// Natural log of the chosen channels: y' = ln y, inverted by exp. Turns multiplicative seasonality
/// and growth into additive ones, and a forecast error proportional to the level into a constant one.
/// Its inverse of a forecast is the median (not the mean) when errors are symmetric in log space,
/// which is what absolute-error metrics (MAE, MASE) reward.
public struct LogTransform: SeriesTransformStep, Codable, Equatable {
    /// Per channel: is it logged?
    public var channels: [Bool]

    public init(channels: [Bool]) { self.channels = channels }

    /// Logs each of `targets` whose values in `parts` (gaps ignored) are all > 0; with `required`, a
    /// channel that is not is an error naming it. Nil when no channel qualifies.
    public static func fit(channels count: Int, targets: [Int], names: [String], parts: [SeriesMatrix],
                           required: Bool) throws(SettingsError) -> LogTransform? {
        var flags = [Bool](repeating: false, count: count)
        for c in targets {
            var lowest = Float.infinity
            for m in parts { for t in 0..<m.steps where !m[t, c].isNaN { lowest = min(lowest, m[t, c]) } }
            if lowest > 0 && lowest.isFinite { flags[c] = true }
            else if required {
                throw .incompatible("--transform log needs strictly positive values, but column '\(names[c])' has \(lowest) in the training data; use --transform none")
            }
        }
        return flags.contains(true) ? LogTransform(channels: flags) : nil
    }

    public func apply(_ v: Float, channel c: Int, at p: RowPosition) -> Float { channels[c] ? Float(Foundation.log(Double(v))) : v }
    public func invert(_ v: Float, channel c: Int, at p: RowPosition) -> Float { channels[c] ? Float(Foundation.exp(Double(v))) : v }
}
