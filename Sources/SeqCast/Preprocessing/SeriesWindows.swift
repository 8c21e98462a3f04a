// SeriesWindows: the training or validation windows of one pipeline variant, cut from the prepared
// series as the Trainer gathers them (a window is a view of its series, not a copy). Each gathered
// window is normalised exactly as `Pipeline.samples` does it (window scaler, anchor, targets), so a
// gathered batch equals the rows of the materialised samples bit for bit. The prepared series are
// kept once, shared by every variant: a variant's own transforms (the default `deseasonalise+auto`
// variant's seasonal index) are applied to a window's rows as it is gathered — the same operations
// on the same values as preparing the whole series for that variant, so the same bits.

/// Windows of variant `variant` over `series` (Pipeline.prepared without the variant's own
/// transforms, one per series of the collection, ids `ids`).
/// Shape key: T = L look-back steps, D input channels, K horizon, O targets.
public struct SeriesWindows: WindowSource {
    public let pipeline: Pipeline
    public let variant: Int
    /// The series every variant shares: the shared transforms and the global scaler applied.
    public let series: [SeriesMatrix]
    public let ids: [String]
    public let windows: WindowStarts

    public init(pipeline: Pipeline, variant: Int, series: [SeriesMatrix], ids: [String], windows: WindowStarts) {
        precondition(series.count == ids.count, "one id per series")
        self.pipeline = pipeline; self.variant = variant; self.series = series; self.ids = ids; self.windows = windows
    }

    public var count: Int { windows.count }
    public var steps: Int { pipeline.spec.lookback }
    public var inputDim: Int { pipeline.inputs.count }
    public var targetWidth: Int { pipeline.spec.horizon * pipeline.targets.count }
    public var perStep: Bool { pipeline.spec.perStep }

    /// Window n (series, start), normalised into x [T, b, D] and y [b, K·O] or [T, b, K·O] at column i.
    public func gather(_ indices: ArraySlice<Int>, x xb: UnsafeMutablePointer<Float>, y yb: UnsafeMutablePointer<Float>) {
        let b = indices.count, L = steps, K = pipeline.spec.horizon, D = inputDim, O = pipeline.targets.count, W = K * O
        let inputs = pipeline.inputs, targets = pipeline.targets
        let own = pipeline.variants.isEmpty ? [] : pipeline.variants[variant].transforms
        // Rows before the window a seasonal-naive anchor may read (none: lags never exceed the look-back).
        let before = max(0, ((pipeline.variants.isEmpty ? [] : pipeline.variants[variant].baselineLags).max() ?? 0) - L)
        var rows = SeriesMatrix(steps: 0, channels: 0, values: [])
        for (i, n) in indices.enumerated() {
            let (j, start) = windows.window(n)
            precondition(start >= 0 && start + pipeline.spec.span <= series[j].steps, "window \(start) out of range")
            // The window's rows as the variant prepares them: its own transforms applied at their rows.
            var z = series[j], s = start
            if !own.isEmpty {
                let first = max(0, start - before), C = z.channels
                rows.steps = start + pipeline.spec.span - first; rows.channels = C
                rows.values.removeAll(keepingCapacity: true)
                rows.values.append(contentsOf: z.values[(first * C)..<((start + pipeline.spec.span) * C)])
                for t in own { t.apply(&rows, series: ids[j], firstRow: first) }
                z = rows; s = start - first
            }
            let C = z.channels
            let w = pipeline.context(z, start: s, variant: variant)
            z.values.withUnsafeBufferPointer { v in
                let zs = v.baseAddress!
                for t in 0..<L {
                    let row = zs + (s + t) * C, dst = xb + (t * b + i) * D
                    for (d, c) in inputs.enumerated() { dst[d] = w.normalised(row[c], channel: c) }
                }
                if perStep {
                    for t in 0..<L {
                        let dst = yb + (t * b + i) * W
                        for k in 0..<K { for (o, c) in targets.enumerated() { dst[k * O + o] = w.normalised(zs[(s + t + 1 + k) * C + c], channel: c) } }
                    }
                } else {
                    let dst = yb + i * W
                    for k in 0..<K {
                        for (o, c) in targets.enumerated() { dst[k * O + o] = w.target(zs[(s + L + k) * C + c], index: k * O + o, channel: c) }
                    }
                }
            }
        }
    }
}

/// Training and validation windows of a collection, one source per ensemble variant of the pipeline.
public struct SplitSamples: Sendable {
    public var trains: [SeriesWindows]
    public var validations: [SeriesWindows]
    public var pipeline: Pipeline
    public var train: SeriesWindows { trains[0] }
    public var validation: SeriesWindows { validations[0] }
}

/// Where the windows of a collection start, before any series is prepared (cheap: no values copied).
public struct WindowPlan: Sendable {
    public var train: WindowStarts
    public var validation: WindowStarts
}

extension SeriesCollection {
    /// The fewest steps a series needs for one training window (lookback + horizon before the
    /// validation cut) when the last `valFraction` of its steps is held out for validation.
    public static func minimumTrainingLength(lookback: Int, horizon: Int, valFraction: Double) -> Int {
        var n = lookback + horizon
        while SampleSet.validationCut(count: n, valFraction: valFraction) < lookback + horizon { n += 1 }
        return n
    }

    /// Window starts of every series: training windows end before the validation cut, validation
    /// windows have their targets after it; windows touching a gap are left out.
    public func windowPlan(pipeline: Pipeline, valFraction: Double) throws -> WindowPlan {
        let spec = pipeline.spec
        try checkLength(lookback: spec.lookback, horizon: spec.horizon, valFraction: valFraction)
        var plan = WindowPlan(train: WindowStarts(), validation: WindowStarts())
        for (j, (s, cut)) in zip(series, validationCuts(valFraction)).enumerated() {
            plan.train.append(series: j, starts: pipeline.validStarts(s.matrix, in: 0..<cut))
            if cut < s.length {
                plan.validation.append(series: j, starts: pipeline.validStarts(s.matrix, in: max(0, cut - spec.lookback)..<s.length))
            }
        }
        guard plan.train.count > 0 else {
            let shortest = series.map(\.length).min() ?? 0
            throw DataError.noTrainingWindow(path: source, shortest: shortest, valFraction: valFraction, lookback: spec.lookback, horizon: spec.horizon)
        }
        return plan
    }

    /// Training and validation windows with an already fitted pipeline. Consumes the collection:
    /// each series' raw values are let go once it is prepared (when the caller gave up its copy),
    /// so raw and prepared values of the whole collection are never held together.
    public consuming func split(pipeline: Pipeline, valFraction: Double) throws -> SplitSamples {
        let plan = try windowPlan(pipeline: pipeline, valFraction: valFraction)
        var prepared: [SeriesMatrix] = [], ids: [String] = []
        for j in series.indices {
            let id = series[j].id
            var shared = series[j].matrix
            series[j] = Series(id: id, time: TimeLabels(), matrix: SeriesMatrix(steps: 0, channels: 0, values: []))
            pipeline.prepareShared(&shared, series: id)   // in place when the caller let go of the collection
            prepared.append(shared); ids.append(id)
        }
        let sets = (0..<pipeline.variantCount).map { v in
            (SeriesWindows(pipeline: pipeline, variant: v, series: prepared, ids: ids, windows: plan.train),
             SeriesWindows(pipeline: pipeline, variant: v, series: prepared, ids: ids, windows: plan.validation))
        }
        return SplitSamples(trains: sets.map(\.0), validations: sets.map(\.1), pipeline: pipeline)
    }
}
