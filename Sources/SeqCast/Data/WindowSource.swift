// WindowSource: what the Trainer draws mini-batches from — a numbered set of supervised windows
// that it gathers, a batch at a time, into its own time-major buffers. Windows are not stored one
// by one: `SampleSet` holds pre-cut samples (supervised HDF5, tests), `SampleSlice` is a view of a
// range of one, and the series pipeline's windows (Preprocessing/SeriesWindows.swift) are cut from
// the prepared series as they are gathered. `WindowStarts` numbers the windows of many series
// without a list of them when no gap breaks their regular stride.

/// Supervised windows gathered on demand. Shape key: N windows, T steps, D input dim, K·O targets.
public protocol WindowSource: Sendable {
    var count: Int { get }
    var steps: Int { get }
    var inputDim: Int { get }
    /// K·O: targets per window (seq2vec) or per step (seq2seq).
    var targetWidth: Int { get }
    /// Targets per step (seq2seq) rather than per window (seq2vec).
    var perStep: Bool { get }
    /// Copies windows `indices` (b of them) into time-major buffers: x [T, b, D] and targets
    /// [b, K·O] (seq2vec) or [T, b, K·O] (seq2seq). Safe to call concurrently.
    func gather(_ indices: ArraySlice<Int>, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>)
}

extension WindowSource {
    public var inputRowWidth: Int { steps * inputDim }
    public var targetRowWidth: Int { perStep ? steps * targetWidth : targetWidth }

    /// Every window, in order, as pre-cut samples (for tests and small sets: this is the copy the
    /// Trainer avoids).
    public func materialised() -> SampleSet {
        var x = [Float](repeating: 0, count: count * inputRowWidth), y = [Float](repeating: 0, count: count * targetRowWidth)
        x.withUnsafeMutableBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                for n in 0..<count {   // one window at a time: time-major [T, 1, D] is sample-major
                    gather([n][...], x: xs.baseAddress! + n * inputRowWidth, y: ys.baseAddress! + n * targetRowWidth)
                }
            }
        }
        return SampleSet(steps: steps, inputDim: inputDim, targetWidth: targetWidth, perStep: perStep, x: x, y: y)
    }
}

/// Samples `range` of a sample set, without copying them (the set's storage is shared).
public struct SampleSlice: WindowSource {
    public let base: SampleSet
    public let range: Range<Int>
    public init(_ base: SampleSet, _ range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= base.count, "slice \(range) of \(base.count) samples")
        self.base = base; self.range = range
    }
    public var count: Int { range.count }
    public var steps: Int { base.steps }
    public var inputDim: Int { base.inputDim }
    public var targetWidth: Int { base.targetWidth }
    public var perStep: Bool { base.perStep }
    public func gather(_ indices: ArraySlice<Int>, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>) {
        base.gather(indices, offset: range.lowerBound, x: x, y: y)
    }
}

/// The windows of several series, numbered in series order: per series, its window starts as a
/// regular progression (first, stride, count) or, where gaps removed some, an explicit list.
/// Window n → (series, start) by binary search over the per-series counts.
public struct WindowStarts: Sendable, Equatable {
    enum Run: Sendable, Equatable {
        case regular(first: Int, stride: Int, count: Int)
        case list([Int32])
        var count: Int { switch self { case .regular(_, _, let n): n; case .list(let l): l.count } }
        var listed: Int { if case .list(let l) = self { l.count } else { 0 } }
        func start(_ k: Int) -> Int { switch self { case .regular(let f, let s, _): f + k * s; case .list(let l): Int(l[k]) } }
    }
    private(set) var series: [Int] = []
    private(set) var runs: [Run] = []
    /// ends[i]: windows of runs 0...i.
    private(set) var ends: [Int] = []

    public init() {}

    public var count: Int { ends.last ?? 0 }

    /// Appends the windows of series `index` starting at `starts` (ascending).
    public mutating func append(series index: Int, starts: [Int]) {
        guard let first = starts.first else { return }
        let stride = starts.count > 1 ? starts[1] - starts[0] : 1
        let regular = zip(starts.indices, starts).allSatisfy { k, s in s == first + k * stride }
        precondition(regular || starts.last! <= Int(Int32.max), "window starts beyond 2^31 in a series with gaps")
        let run: Run = regular ? .regular(first: first, stride: stride, count: starts.count) : .list(starts.map { Int32($0) })
        let total = count
        series.append(index); runs.append(run); ends.append(total + starts.count)
    }

    /// The series and start row of window `n`.
    @inline(__always) public func window(_ n: Int) -> (series: Int, start: Int) {
        var lo = 0, hi = ends.count - 1   // first run whose end exceeds n
        while lo < hi { let mid = (lo + hi) / 2; if ends[mid] > n { hi = mid } else { lo = mid + 1 } }
        return (series[lo], runs[lo].start(n - (lo == 0 ? 0 : ends[lo - 1])))
    }

    /// Bytes held (for the memory estimate): per run, and per window of a listed run.
    public var bytes: Int { runs.reduce(runs.count * 48) { $0 + $1.listed * 4 } }
}
