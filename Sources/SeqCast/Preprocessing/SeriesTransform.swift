// SeriesTransform: invertible value transforms of whole series, fitted on the training part only,
// stored with the model as data, applied by the pipeline (in list order) before windowing and
// inverted (in reverse order) on every forecast — the same way by train, forecast and backtest.
//
// Adding a transform: one type conforming to `SeriesTransformStep` (fit + apply + invert), one case
// in `SeriesTransform` and its line in `step`. The choice of transforms for a run is
// `TransformChoice` (the `--transform` flag).
import Foundation

/// One fitted transform: a per-channel map of values and its inverse.
public protocol SeriesTransformStep: Sendable {
    /// The transformed value of `v` in channel `c` (NaN stays NaN).
    func apply(_ v: Float, channel c: Int) -> Float
    /// The inverse of `apply`.
    func invert(_ v: Float, channel c: Int) -> Float
}

/// The transforms a pipeline can hold (Codable: stored in model.h5's manifest).
public enum SeriesTransform: Codable, Sendable, Equatable {
    case log(LogTransform)

    /// The fitted transform behind the case.
    public var step: any SeriesTransformStep {
        switch self {
        case .log(let t): t
        }
    }

    /// `m` with this transform applied to every value.
    public func apply(_ m: SeriesMatrix) -> SeriesMatrix {
        let s = step
        var out = m
        for t in 0..<m.steps { for c in 0..<m.channels { out.values[t * m.channels + c] = s.apply(m[t, c], channel: c) } }
        return out
    }
}

/// Which value transform a run asks for (`--transform`).
public enum TransformChoice: String, Codable, Sendable, CaseIterable {
    /// log for every target channel that is strictly positive on the training part.
    case auto
    case none
    /// log of every target channel; an error when one is not strictly positive.
    case log
}

/// Natural log of the chosen channels: y' = ln y, inverted by exp. Turns multiplicative seasonality
/// and growth into additive ones, and a forecast error proportional to the level into a constant one.
/// Its inverse of a forecast is the median (not the mean) when errors are symmetric in log space,
/// which is what absolute-error metrics (MAE, MASE) reward.
public struct LogTransform: SeriesTransformStep, Codable, Equatable {
    /// Per channel: is it logged?
    public var channels: [Bool]

    public init(channels: [Bool]) { self.channels = channels }

    /// Logs each of `targets` whose training values (`parts`, gaps ignored) are all > 0; with
    /// `required`, a channel that is not is an error naming it. Nil when no channel qualifies.
    public static func fit(channels count: Int, targets: [Int], names: [String], parts: [SeriesMatrix],
                           required: Bool) throws(DataError) -> LogTransform? {
        var flags = [Bool](repeating: false, count: count)
        for c in targets {
            var lowest = Float.infinity
            for m in parts { for t in 0..<m.steps where !m[t, c].isNaN { lowest = min(lowest, m[t, c]) } }
            if lowest > 0 && lowest.isFinite { flags[c] = true }
            else if required {
                throw .invalidArgument("--transform log needs strictly positive values, but column '\(names[c])' has \(lowest) in its training part; use --transform none")
            }
        }
        return flags.contains(true) ? LogTransform(channels: flags) : nil
    }

    public func apply(_ v: Float, channel c: Int) -> Float { channels[c] ? Float.log(v) : v }
    public func invert(_ v: Float, channel c: Int) -> Float { channels[c] ? Float.exp(v) : v }
}

extension Float {
    @inline(__always) static func log(_ x: Float) -> Float { Float(Foundation.log(Double(x))) }
    @inline(__always) static func exp(_ x: Float) -> Float { Float(Foundation.exp(Double(x))) }
}
