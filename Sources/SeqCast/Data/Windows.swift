// Windows: cut multivariate series into supervised samples of L input steps and K target steps.
//
// A series is a row-major [n, C] matrix of n time steps and C channels. Inputs are the channels
// `inputs`, targets the channels `targets` (O of them). For a window starting at s:
//   seq2vec: x = rows s ..< s+L (inputs),  y = rows s+L ..< s+L+K (targets)        → y [K, O]
//   seq2seq: x as above, and for every step t of the window, y_t = rows s+t+1 ..< s+t+1+K → [L, K, O]
// Both need s + L + K ≤ n.

/// Lookback, horizon, stride and head of a windowing.
public struct WindowSpec: Codable, Sendable, Equatable {
    public var lookback: Int
    public var horizon: Int
    public var stride: Int
    public var perStep: Bool

    public init(lookback: Int, horizon: Int, stride: Int = 1, perStep: Bool = false) {
        self.lookback = lookback; self.horizon = horizon; self.stride = stride; self.perStep = perStep
    }

    /// Steps a series needs for one window.
    public var span: Int { lookback + horizon }

    /// Window start indices inside rows `range` of a series: every start s with s ≥ range.lowerBound
    /// and s + L + K ≤ range.upperBound, stepping by `stride` from the *end* so the most recent
    /// window is always included.
    public func starts(in range: Range<Int>) -> [Int] {
        let last = range.upperBound - span
        guard last >= range.lowerBound else { return [] }
        return Array(Swift.stride(from: last, through: range.lowerBound, by: -max(stride, 1)).reversed())
    }
}

/// A multivariate series: `values` row-major [steps, channels].
public struct SeriesMatrix: Sendable, Equatable {
    public var steps: Int
    public var channels: Int
    public var values: [Float]

    public init(steps: Int, channels: Int, values: [Float]) {
        precondition(values.count == steps * channels, "series has \(values.count) values, expected \(steps)×\(channels)")
        self.steps = steps; self.channels = channels; self.values = values
    }

    @inline(__always) public subscript(t: Int, c: Int) -> Float { values[t * channels + c] }

    /// Rows `range` as a new series.
    public func rows(_ range: Range<Int>) -> SeriesMatrix {
        SeriesMatrix(steps: range.count, channels: channels,
                     values: Array(values[(range.lowerBound * channels)..<(range.upperBound * channels)]))
    }

    /// Rows `range` of the first `k` channels as a new series.
    func rows(_ range: Range<Int>, channels k: Int) -> SeriesMatrix {
        guard k < channels else { return rows(range) }
        var out = [Float]()
        out.reserveCapacity(range.count * k)
        for t in range { out.append(contentsOf: values[(t * channels)..<(t * channels + k)]) }
        return SeriesMatrix(steps: range.count, channels: k, values: out)
    }
}

extension SampleSet {
    /// Samples from windows of `series` starting at `starts`.
    public init(series: SeriesMatrix, inputs: [Int], targets: [Int], spec: WindowSpec, starts: [Int]) {
        let L = spec.lookback, K = spec.horizon, O = targets.count
        self.init(steps: L, inputDim: inputs.count, targetWidth: K * O, perStep: spec.perStep)
        var xs = [Float](), ys = [Float]()
        xs.reserveCapacity(starts.count * L * inputs.count)
        ys.reserveCapacity(starts.count * (spec.perStep ? L : 1) * K * O)
        for s in starts {
            precondition(s >= 0 && s + spec.span <= series.steps, "window \(s) out of range")
            for t in 0..<L { for c in inputs { xs.append(series[s + t, c]) } }
            if spec.perStep {
                for t in 0..<L { for k in 0..<K { for c in targets { ys.append(series[s + t + 1 + k, c]) } } }
            } else {
                for k in 0..<K { for c in targets { ys.append(series[s + L + k, c]) } }
            }
        }
        self.init(steps: L, inputDim: inputs.count, targetWidth: K * O, perStep: spec.perStep, x: xs, y: ys)
    }
}
