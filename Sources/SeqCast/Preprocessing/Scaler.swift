// Scaler: input/target scaling, fitted on training data only, stored with the model and inverted
// on output. `standard` and `minmax` are per channel over all series; `window` standardises each
// input window by its own per-channel mean and standard deviation and de-normalises the forecast
// with them (what lets recurrent nets follow trending series); `none` leaves values as they are.

public enum ScalerKind: String, Codable, Sendable, CaseIterable { case standard, minmax, none, window }

/// Per-channel affine scaling x' = (x − offset) / scale, or per-window standardisation.
public struct Scaler: Codable, Sendable, Equatable {
    public var kind: ScalerKind
    public var offset: [Float]
    public var scale: [Float]

    /// Fits on the rows of `parts` (training data), ignoring gaps (NaN).
    public static func fit(_ kind: ScalerKind, channels: Int, parts: [SeriesMatrix]) -> Scaler {
        var offset = [Float](repeating: 0, count: channels), scale = [Float](repeating: 1, count: channels)
        guard kind == .standard || kind == .minmax else { return Scaler(kind: kind, offset: offset, scale: scale) }
        for c in 0..<channels {
            var n = 0.0, sum = 0.0, sq = 0.0, lo = Double.infinity, hi = -Double.infinity
            for m in parts { for t in 0..<m.steps { let v = Double(m[t, c]); if v.isNaN { continue }
                n += 1; sum += v; sq += v * v; lo = min(lo, v); hi = max(hi, v) } }
            guard n > 0 else { continue }
            if kind == .standard {
                let mean = sum / n, sd = max(sq / n - mean * mean, 0).squareRoot()
                offset[c] = Float(mean); scale[c] = usable(sd, level: mean) ? Float(sd) : 1
            } else {
                offset[c] = Float(lo); scale[c] = usable(hi - lo, level: lo) ? Float(hi - lo) : 1
            }
        }
        return Scaler(kind: kind, offset: offset, scale: scale)
    }

    /// The one degeneracy rule for every scale (global and per window): a spread at or below
    /// 1e-6 of the level (Float's resolution) is treated as constant and gets scale 1, so a constant
    /// channel maps to zeros rather than dividing by (almost) zero. Relative only: with a floor of
    /// 1e-6 in absolute terms, a series whose values are all of order 1e-7 was "constant", fed to
    /// the network unscaled and forecast thousands of times too large; any scale of a series now
    /// gives the same forecast in its own units.
    static func usable(_ spread: Double, level: Double) -> Bool { spread > 0 && spread > 1e-6 * abs(level) }

    /// Does this scaler transform whole series (standard, minmax), rather than nothing or windows?
    public var isGlobal: Bool { kind == .standard || kind == .minmax }

    /// The scaled value of `v` in channel `c`: (v − offset) / scale; identity for `window` and `none`.
    @inline(__always)
    public func apply(_ v: Float, channel c: Int) -> Float { isGlobal ? (v - offset[c]) / scale[c] : v }

    /// The value in original units of scaled `v` in channel `c`: v · scale + offset.
    @inline(__always)
    public func invert(_ v: Float, channel c: Int) -> Float { isGlobal ? v * scale[c] + offset[c] : v }

    /// Applies a global (per-channel) scaling to a whole series; identity for `window` and `none`.
    public func apply(_ m: SeriesMatrix) -> SeriesMatrix {
        var out = m
        apply(&out)
        return out
    }

    /// `apply` in place (no copy when `m`'s storage is not shared).
    public func apply(_ m: inout SeriesMatrix) {
        guard isGlobal else { return }
        let n = m.channels, steps = m.steps
        m.values.withUnsafeMutableBufferPointer { v in
            for t in 0..<steps { for c in 0..<n { v[t * n + c] = apply(v[t * n + c], channel: c) } }
        }
    }

    /// Per-channel (mean, sd) of rows s..<s+L of `m`, for window normalisation. A constant window
    /// gets sd 1 so it maps to zeros rather than dividing by zero.
    public static func windowStats(_ m: SeriesMatrix, start s: Int, length l: Int) -> [(mean: Float, sd: Float)] {
        (0..<m.channels).map { c in
            var sum = 0.0, sq = 0.0
            for t in s..<(s + l) { let v = Double(m[t, c]); sum += v; sq += v * v }
            let mean = sum / Double(l), sd = max(sq / Double(l) - mean * mean, 0).squareRoot()
            return (Float(mean), usable(sd, level: mean) ? Float(sd) : 1)
        }
    }
}
