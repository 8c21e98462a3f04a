// Forecaster: batched inference — the next K steps of every series from its last L rows, in
// original units, with time labels continued from the data's time column, and prediction intervals
// (Intervals.swift) when asked for and the model has what they need.
import Foundation

/// Forecasts of several series. `values[s]` is [K, O] (step-major) for series s; with intervals,
/// `bands[s]` holds its bounds [K, O, Lv] at `levels` (percent).
public struct Forecast: Sendable, Equatable {
    public var seriesIds: [String]
    public var times: [[String]]
    public var values: [[Float]]
    public var targetNames: [String]
    public var horizon: Int
    /// Interval levels in percent (empty: point forecasts only).
    public var levels: [Double] = []
    public var bands: [Band] = []
    /// Series forecast by a model whose training was interrupted (best weights so far, no
    /// calibration): a per-series run's series whose models have not finished.
    public var unfinished: [String] = []
    /// Per-series remarks of a per-series run's forecast ("series 'X' has 2 calibration windows: …"),
    /// which the caller prints as notes.
    public var notes: [String] = []

    public init(seriesIds: [String], times: [[String]], values: [[Float]], targetNames: [String], horizon: Int) {
        self.seriesIds = seriesIds; self.times = times; self.values = values
        self.targetNames = targetNames; self.horizon = horizon
    }
}

public enum Forecaster {
    /// Windows per forward pass. Fixed (not derived from the thread count), so every window is
    /// computed in the same chunk, and with the same bits, whatever `threads` is.
    public static let chunk = 64

    /// Runs the network on windows `inputs` (each [L, D], sample-major) without dropout; returns each
    /// window's prediction [K·O] (for seq2seq, the prediction made at the last step). Chunks of
    /// `chunk` windows run concurrently on `threads` workers, each with its own workspace and
    /// single-threaded BLAS.
    /// With `dropoutSeed`, the pass keeps the network's dropout and recurrent dropout on (Monte-Carlo
    /// dropout), each chunk's masks drawn from a generator seeded by the seed and the chunk's index
    /// (`firstChunk` + its index here: a caller that forecasts a long list of windows in parts of whole
    /// chunks passes the number of chunks before the part, and gets the bits of one call).
    public static func predict(_ network: Network, inputs: [[Float]],
                               threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                               dropoutSeed: UInt64? = nil, firstChunk: Int = 0) -> [[Float]] {
        let c = network.config, L = c.lookback, D = c.inputDim, W = c.outputWidth
        guard !inputs.isEmpty else { return [] }
        for row in inputs { precondition(row.count == L * D, "window has \(row.count) values, expected \(L)×\(D)") }
        let chunks = (inputs.count + chunk - 1) / chunk
        var out = [[Float]](repeating: [], count: inputs.count)
        out.withUnsafeMutableBufferPointer { buffer in
            let results = UncheckedSendable(buffer)
            concurrentWorkers(chunks, threads: threads) { _, mine in
                let b = min(chunk, inputs.count)
                let ws = network.makeWorkspace(batch: b, steps: L, forwardOnly: dropoutSeed == nil)
                let x = FloatBuffer(count: b * L * D)
                for ci in mine {
                    let start = ci * chunk, n = min(chunk, inputs.count - start)
                    for i in 0..<n {
                        let row = inputs[start + i]
                        for t in 0..<L { for d in 0..<D { x[(t * n + i) * D + d] = row[t * D + d] } }
                    }
                    let y = network.forward(x: x.p, batch: n, workspace: ws, training: dropoutSeed != nil,
                                            dropoutSeed: dropoutSeed.map { mix($0, UInt64(firstChunk + ci)) } ?? 0)
                    let last = c.head == .seq2seq ? y + (L - 1) * n * W : y
                    for i in 0..<n { results.value[start + i] = Array(UnsafeBufferPointer(start: last + i * W, count: W)) }
                }
            }
        }
        return out
    }

    /// Windows per part when a long list of windows is forecast a part at a time (a backtest's fits,
    /// the calibration's validation windows), so their inputs are never all held at once: whole
    /// chunks holding about `inputBytes` of inputs (a window's inputs per variant, and about 1 KiB of
    /// arrays besides), at least one, rounded up to a multiple of `threads` so that every worker has
    /// chunks. Results do not depend on it (with `firstChunk` for Monte-Carlo dropout).
    public static func windowsPerPart(_ pipeline: Pipeline, threads: Int, inputBytes: Int = 4 << 20) -> Int {
        let windowBytes = max(1, pipeline.variantCount) * (pipeline.spec.lookback * pipeline.inputs.count * MemoryLayout<Float>.size + 1024)
        let chunks = max(1, inputBytes / (chunk * windowBytes)), workers = max(1, threads)
        return chunk * ((chunks + workers - 1) / workers * workers)
    }

    /// A seed from two numbers (`SeededRandom.mix`), for independent dropout draws per sample, member and chunk.
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 { SeededRandom.mix(a, b) }

    /// A network's point predictions [K·O] per window: `predict` itself, or for a quantile head the
    /// median of each value's quantiles, sorted first (non-crossing).
    public static func pointPredict(_ network: Network, inputs: [[Float]], threads: Int, dropoutSeed: UInt64? = nil,
                                    firstChunk: Int = 0) -> [[Float]] {
        let raw = predict(network, inputs: inputs, threads: threads, dropoutSeed: dropoutSeed, firstChunk: firstChunk)
        let taus = network.config.quantiles
        guard taus.count > 1, let median = taus.firstIndex(of: 0.5) else { return raw }
        return raw.map { sortedQuantiles($0, count: taus.count).enumerated().compactMap { $0.offset % taus.count == median ? $0.element : nil } }
    }

    /// Each value's Q quantiles of `p` ([K·O·Q]) sorted ascending: the non-crossing rule.
    public static func sortedQuantiles(_ p: [Float], count q: Int) -> [Float] {
        var out = p
        for start in stride(from: 0, to: p.count, by: q) { out[start..<(start + q)].sort() }
        return out
    }

    /// The ensemble's prediction: the mean of its members' predictions (in scaled units, so the
    /// affine inversion that follows commutes with the mean). With `dropoutSeed`, member i draws
    /// its dropout masks from `mix(seed, i)`.
    public static func predict(_ model: Ensemble, inputs: [[Float]],
                               threads: Int = ProcessInfo.processInfo.activeProcessorCount, dropoutSeed: UInt64? = nil,
                               firstChunk: Int = 0) -> [[Float]] {
        var sum = pointPredict(model.members[0].network, inputs: inputs, threads: threads, dropoutSeed: dropoutSeed.map { mix($0, 0) },
                               firstChunk: firstChunk)
        for (i, m) in model.members.enumerated().dropFirst() {
            let p = pointPredict(m.network, inputs: inputs, threads: threads, dropoutSeed: dropoutSeed.map { mix($0, UInt64(i)) },
                                 firstChunk: firstChunk)
            for i in sum.indices { for j in sum[i].indices { sum[i][j] += p[i][j] } }
        }
        let scale = 1 / Float(model.members.count)
        return sum.map { $0.map { $0 * scale } }
    }

    /// The ensemble's forecasts in original units of `windows`. Without baselines, the members' mean
    /// in scaled units, inverted once (the inversion is affine then). With variants, member i
    /// predicts from its variant's input (i mod count) and is inverted with that variant's window;
    /// each variant's members are averaged in original units, and the variants' means share
    /// 1 − w equally with the plain baseline forecast at weight w (`baselineWeight`); with a Theta
    /// member of weight θ, that combination takes 1 − θ and the window's statistical member θ
    /// (Theta, mixed with the damped trend at the member's share; where Theta applies). With `dropoutSeed`, one Monte-Carlo dropout draw of that forecast (`predict`;
    /// `firstChunk` as there).
    public static func forecast(_ model: Ensemble, pipeline: Pipeline, windows: [ForecastWindow],
                                threads: Int = ProcessInfo.processInfo.activeProcessorCount, dropoutSeed: UInt64? = nil,
                                firstChunk: Int = 0) -> [[Float]] {
        guard pipeline.hasBaseline else {
            return zip(predict(model, inputs: windows.map { $0.x[0] }, threads: threads, dropoutSeed: dropoutSeed,
                               firstChunk: firstChunk), windows).map {
                pipeline.invert($0, context: $1.contexts[0])
            }
        }
        let v = pipeline.variantCount
        let width = pipeline.spec.horizon * pipeline.targets.count
        var sums = [[[Float]]](repeating: windows.map { _ in [Float](repeating: 0, count: width) }, count: v)
        var counts = [Int](repeating: 0, count: v)
        for (i, m) in model.members.enumerated() {
            let p = pointPredict(m.network, inputs: windows.map { $0.x[i % v] }, threads: threads,
                                 dropoutSeed: dropoutSeed.map { mix($0, UInt64(i)) }, firstChunk: firstChunk)
            for (w, window) in windows.enumerated() {
                let values = pipeline.invert(p[w], context: window.contexts[i % v], variant: i % v)
                for j in 0..<width { sums[i % v][w][j] += values[j] }
            }
            counts[i % v] += 1
        }
        let used = (0..<v).filter { counts[$0] > 0 }
        let wb = pipeline.baselineLags.isEmpty ? 0 : baselineWeight(model, pipeline: pipeline)
        // Equal shares: weighting the variants by their validation RMSE measured worse (ACCURACY.md).
        let share = (1 - wb) / Float(used.count)
        let O = pipeline.targets.count
        return windows.indices.map { w in
            (0..<width).map { j in
                let v = used.reduce(Float(0)) { $0 + share * sums[$1][w][j] / Float(counts[$1]) } + (wb > 0 ? wb * windows[w].baseline[j] : 0)
                return withTheta(v, theta: windows[w].theta.isEmpty ? nil : windows[w].theta[j], weight: pipeline.thetaWeight(target: j % O))
            }
        }
    }

    /// The final combination's last step: `v` (the variants' and baseline's combination) at 1 − θ
    /// and the statistical member's forecast `theta` (Theta, or its mix with the damped trend) at
    /// θ = `weight`, or `v` alone where Theta does not apply (nil or
    /// NaN) or θ is 0. `CombinationFit` and the calibration combine stored parts with it, bit for bit.
    @inline(__always) static func withTheta(_ v: Float, theta: Float?, weight: Float) -> Float {
        guard weight > 0, let t = theta, t.isFinite else { return v }
        // At weight 1 the statistical member alone, even where the network's value is not finite
        // (0·∞ would be NaN); for a finite v the same bits as the formula.
        if weight >= 1 { return t }
        return (1 - weight) * v + weight * t
    }

    /// The plain baseline's weight in the combination: `Pipeline.baselineWeight` when it is a
    /// number; when it is negative ("auto"), from the validation windows: each member's
    /// √(best loss / untrained loss) = ρ (its RMSE relative to its own baseline's) gives the baseline
    /// ρ / (1 + ρ) (inverse-RMSE weighting), averaged over members: ½ when training never beat the
    /// baseline, less the more it did.
    public static func baselineWeight(_ model: Ensemble, pipeline: Pipeline) -> Float {
        guard pipeline.baselineWeight < 0 else { return pipeline.baselineWeight }
        let rhos = model.members.compactMap { m -> Double? in
            guard let best = m.state.bestLoss, let start = m.state.initialLoss, start > 0, best.isFinite else { return nil }
            return (min(best, start) / start).squareRoot()
        }
        guard !rhos.isEmpty else { return 1.0 / 3 }
        return Float(rhos.map { $0 / (1 + $0) }.reduce(0, +) / Double(rhos.count))
    }

    /// Forecasts every series of `data` (read with the model's selection) from its last window, with
    /// the intervals `intervals` asks for when the model has a calibration (else none).
    public static func forecast(_ model: Ensemble, data: SeriesCollection, intervals: IntervalSettings = IntervalSettings(),
                                threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> Forecast {
        let m = model.manifest
        guard let pipeline = m.pipeline else {
            throw ForecastError.wrongMode("this model was trained on pre-cut HDF5 samples (--x/--y); forecast with --x NAME")
        }
        guard data.channels == m.channels else {
            throw ForecastError.columns(path: data.source, got: data.channels, model: m.channels)
        }
        let L = pipeline.spec.lookback, K = pipeline.spec.horizon
        try data.checkLength(lookback: L, horizon: 0)
        var windows: [ForecastWindow] = [], tails: [SeriesMatrix] = []
        for s in data.series {
            let tail = s.matrix.rows((s.length - L)..<s.length)
            tails.append(tail)
            if tail.values.contains(where: \.isNaN) {
                throw ForecastError.gapsInInput(path: data.source, series: s.id, steps: L)
            }
            let w = pipeline.forecastWindow(s.matrix, origin: s.length, series: s.id,
                                            rowOffset: try firstRow(of: s, pipeline: pipeline, axis: m.timeAxis ?? data.timeAxis,
                                                                    dataAxis: data.timeAxis, source: data.source))
            if w.x.contains(where: { $0.contains { !$0.isFinite } }) {
                throw ForecastError.nonPositiveInput(path: data.source, series: s.id, steps: L)
            }
            windows.append(w)
        }
        let values = forecast(model, pipeline: pipeline, windows: windows, threads: threads)
        let axis = data.timeAxis
        var result = Forecast(
            seriesIds: data.series.map(\.id),
            times: data.series.map { s in
                if let axis, !s.time.isEmpty { return s.time.continuing(on: axis, count: K) }
                return (1...K).map { "t+\($0)" }
            },
            values: values,
            targetNames: m.targetNames, horizon: K)
        if let conformal = ConformalBands(model, settings: intervals) {
            result.levels = conformal.levels
            result.bands = zip(values, tails).map { conformal.band($0, input: $1) }
        } else if intervals.method == .mcDropout {
            result.levels = intervals.levels
            result.bands = Intervals.mcDropout(model, pipeline: pipeline, windows: windows, point: values, settings: intervals, threads: threads)
        } else if intervals.method == .quantile {
            result.levels = intervals.levels
            result.bands = try Intervals.quantile(model, pipeline: pipeline, windows: windows, point: values,
                                                  levels: intervals.levels, threads: threads)
        }
        let positive = pipeline.positiveTargets
        result.bands = zip(values, result.bands).map { $1.flooredAtZero($0, positive: positive) }
        if intervals.method == .conformal, let c = model.calibration, !result.levels.isEmpty,
           let note = Calibration.unsupportedNote(c.unsupportedLevels(result.levels), windows: c.count) {
            result.notes.append("the model has " + note)
        }
        if let period = phaseFromFirstRow(model, data: data) { result.notes.append(phaseNote(period: period)) }
        return result
    }

    /// The row index of `s`'s first row in the training data's counting (0 when it starts where the
    /// training data did), from the time labels. Only a deseasonalising pipeline depends on it; a
    /// series whose seasonal phase cannot be found is an error rather than a forecast at the wrong phase.
    /// `axis`: the model's time axis (else the data's); `dataAxis`: the data's, to name a mismatch.
    static func firstRow(of s: Series, pipeline: Pipeline, axis: TimeAxis?, dataAxis: TimeAxis? = nil,
                         source: String) throws(ForecastError) -> Int {
        for d in pipeline.deseasonalisers {
            guard let key = d.key(s.id) else {
                throw ForecastError.unknownSeries(path: source, series: s.id)
            }
            guard let label = d.firstLabels[key] else { return 0 }   // trained without labels: see `phaseFromFirstRow`
            guard let first = s.time.first else { throw ForecastError.noTimeLabels(path: source, series: s.id, seasonStart: label) }
            if label == first { return 0 }
            if let axis, let n = axis.steps(from: label, to: first) { return n }
            if let axis, let other = dataAxis, !axis.sameFrequency(as: other) {
                throw ForecastError.otherFrequency(path: source, model: axis.frequencyName, data: other.frequencyName)
            }
            throw ForecastError.unknownPhase(path: source, series: s.id, first: first, seasonStart: label)
        }
        return 0
    }

    /// The seasonal period whose phase `forecast` counts from each series' first row, as training
    /// did, because the model's training data had no time labels to count it from — whether or not
    /// `data` has labels, they cannot place it (nil when the model does not deseasonalise, or counts
    /// the phase from a label). Data that starts at another point of the season than the training
    /// data did gets a shifted seasonal pattern: the caller says so.
    public static func phaseFromFirstRow(_ model: Ensemble, data: SeriesCollection) -> Int? {
        guard let pipeline = model.manifest.pipeline else { return nil }
        for d in pipeline.deseasonalisers {
            for s in data.series {
                if let key = d.key(s.id), d.firstLabels[key] == nil { return d.period }
            }
        }
        return nil
    }

    /// The note for `phaseFromFirstRow`'s period.
    public static func phaseNote(period: Int) -> String {
        "the model's training data had no time labels, so its seasonal indices (period \(period)) are applied counting from each series' first row, as in training — data that starts at another point of the season gets a shifted seasonal pattern; train on data with its time column to have the phase found from the labels"
    }

    /// Supervised-mode forecast: one prediction per row of dataset `xName` ([batch, steps, dim]).
    public static func forecastSupervised(_ model: Ensemble, path: String, xName: String,
                                          threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> Forecast {
        guard let scaling = model.manifest.supervised else {
            throw ForecastError.wrongMode("this model was trained in series mode; forecast with --data FILE (and --dataset for HDF5)")
        }
        let f = try HDF5File.open(path)
        let (shape, values) = try f.read(xName)
        let c = model.network.config
        let rowWidth = c.lookback * c.inputDim
        guard (shape.count == 3 && shape[1] == c.lookback && shape[2] == c.inputDim)
                || (shape.count == 2 && shape[1] == c.lookback && c.inputDim == 1) else {
            throw DataError.shapeMismatch(path: path, detail: "dataset '\(xName)' has shape \(shape); the model needs [batch, \(c.lookback), \(c.inputDim)]")
        }
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            let index = shape.count == 3 ? [i / rowWidth, i % rowWidth / c.inputDim, i % c.inputDim] : [i / rowWidth, i % rowWidth]
            throw DataError.invalidValue(path: path, dataset: xName, position: "element [\(index.map(String.init).joined(separator: ", "))]",
                                         value: values[i], samples: true)
        }
        let scaled = scaling.x.apply(SeriesMatrix(steps: values.count / c.inputDim, channels: c.inputDim, values: values)).values
        let inputs = (0..<shape[0]).map { Array(scaled[($0 * rowWidth)..<(($0 + 1) * rowWidth)]) }
        let o = c.outputDim
        let raw = predict(model, inputs: inputs, threads: threads).map { y in
            y.enumerated().map { i, v in scaling.y.invert(v, channel: i % o) }
        }
        return Forecast(seriesIds: (0..<shape[0]).map(String.init), times: inputs.map { _ in (1...c.horizon).map { "t+\($0)" } },
                        values: raw, targetNames: model.manifest.targetNames, horizon: c.horizon)
    }
}

/// Data a model cannot forecast from, said with where and what to do.
public enum ForecastError: Error, Equatable, CustomStringConvertible {
    /// Series-mode data for a supervised model, or the other way round.
    case wrongMode(String)
    case columns(path: String, got: [String], model: [String])
    case gapsInInput(path: String, series: String, steps: Int)
    case nonPositiveInput(path: String, series: String, steps: Int)
    /// A series a deseasonalising model never saw (its seasonal indices are unknown).
    case unknownSeries(path: String, series: String)
    /// A series whose seasonal phase cannot be found from its time labels.
    case unknownPhase(path: String, series: String, first: String, seasonStart: String)
    /// Data on another time step than the model's (its seasonal phase cannot be found).
    case otherFrequency(path: String, model: String, data: String)
    /// Data without time labels for a model whose seasonal indices count from a label.
    case noTimeLabels(path: String, series: String, seasonStart: String)

    public var description: String {
        switch self {
        case .wrongMode(let m): return m
        case .columns(let p, let got, let model):
            return terminalSafe("\(p): columns \(got.joined(separator: ", ")) do not match the model's \(model.joined(separator: ", "))")
        case .gapsInInput(let p, let s, let l):
            return terminalSafe("\(p): series '\(s)' has gaps in its last \(l) steps (the model's --missing policy leaves them as gaps); fill them in the file, or train with --missing interpolate or ffill")
        case .nonPositiveInput(let p, let s, let l):
            return terminalSafe("\(p): series '\(s)' has values the model's log transform cannot take (≤ 0) in its last \(l) steps")
        case .unknownSeries(let p, let s):
            return terminalSafe("\(p): series '\(s)' was not in the model's training data, so its seasonal indices are unknown; train on it first")
        case .unknownPhase(let p, let s, let first, let label):
            return terminalSafe("\(p): series '\(s)' starts at \(first), but the model's seasonal indices count from \(label); forecast from data that includes \(label)")
        case .otherFrequency(let p, let model, let data):
            return terminalSafe("\(p): the time column is \(data), but the model was trained on \(model) data; forecast data of the model's frequency")
        case .noTimeLabels(let p, let s, let label):
            return terminalSafe("\(p): series '\(s)' has no time labels, and the model's seasonal indices count from \(label): without labels the season's phase cannot be found; give the data with its time column")
        }
    }
}
