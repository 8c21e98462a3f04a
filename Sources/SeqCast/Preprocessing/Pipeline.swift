// Pipeline: from loaded series to network samples and back — the one place where preprocessing
// lives. Stored with the model (Codable), fitted on the training part only, and applied the same way
// by train, forecast and backtest:
//
//   raw ──transforms (log …)──▶ ──global scaler (standard/minmax)──▶ z
//   window of z: x' = (x − center) / scale          (window scaler: the window's mean / sd per channel)
//                y' = (y − anchor) / scale          (anchor: the baseline's value, or center without one)
//   forecast:    y  = invert(y'·scale + anchor)     (scaler, then transforms in reverse order)
//
// The chronological train/validation split and the fitting of every step live here too.

/// Everything needed to turn raw series into network inputs and predictions into values.
public struct Pipeline: Codable, Sendable, Equatable {
    public var spec: WindowSpec
    public var scaler: Scaler
    /// Channel indices fed to the network (targets then covariates) and predicted (targets).
    public var inputs: [Int]
    public var targets: [Int]
    /// Value transforms applied (in order) before the scaler.
    public var transforms: [SeriesTransform]
    /// Per target: the lag of the baseline added back to the network's output (0 none, 1 naive,
    /// m seasonal naive); empty when there is no baseline. See Baseline.swift.
    public var baselineLags: [Int]

    public init(spec: WindowSpec, scaler: Scaler, inputs: [Int], targets: [Int],
                transforms: [SeriesTransform] = [], baselineLags: [Int] = []) {
        self.spec = spec; self.scaler = scaler; self.inputs = inputs; self.targets = targets
        self.transforms = transforms; self.baselineLags = baselineLags
    }

    /// Models written before transforms and baselines existed have neither.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        spec = try c.decode(WindowSpec.self, forKey: .spec)
        scaler = try c.decode(Scaler.self, forKey: .scaler)
        inputs = try c.decode([Int].self, forKey: .inputs)
        targets = try c.decode([Int].self, forKey: .targets)
        transforms = try c.decodeIfPresent([SeriesTransform].self, forKey: .transforms) ?? []
        baselineLags = try c.decodeIfPresent([Int].self, forKey: .baselineLags) ?? []
    }

    /// Does the network's output add to a baseline (so its head starts at zero)?
    public var hasBaseline: Bool { baselineLags.contains { $0 > 0 } }

    /// `raw` with the transforms and the global scaler applied: the series windows are cut from.
    public func prepared(_ raw: SeriesMatrix) -> SeriesMatrix {
        var m = raw
        for t in transforms { m = t.apply(m) }
        return scaler.apply(m)
    }

    /// The normalisation of the window of `z` whose input starts at row `s`.
    func context(_ z: SeriesMatrix, start s: Int) -> WindowContext {
        let L = spec.lookback, K = spec.horizon, O = targets.count
        var center = [Float](repeating: 0, count: z.channels), scale = [Float](repeating: 1, count: z.channels)
        if scaler.kind == .window {
            for (c, st) in Scaler.windowStats(z, start: s, length: L).enumerated() { center[c] = st.mean; scale[c] = st.sd }
        }
        var anchor = [Float](repeating: 0, count: K * O)
        for k in 0..<K {
            for (o, c) in targets.enumerated() {
                let lag = baselineLags.isEmpty ? 0 : baselineLags[o]
                anchor[k * O + o] = lag > 0 ? z[s + L - lag + k % lag, c] : center[c]
            }
        }
        return WindowContext(center: center, scale: scale, anchor: anchor)
    }

    /// Samples for the windows of `raw` starting at `starts` (none may touch a gap).
    public func samples(_ raw: SeriesMatrix, starts: [Int]) -> SampleSet {
        let z = prepared(raw)
        let L = spec.lookback, K = spec.horizon, O = targets.count
        var xs = [Float](), ys = [Float]()
        xs.reserveCapacity(starts.count * L * inputs.count)
        ys.reserveCapacity(starts.count * (spec.perStep ? L : 1) * K * O)
        for s in starts {
            precondition(s >= 0 && s + spec.span <= z.steps, "window \(s) out of range")
            let w = context(z, start: s)
            for t in 0..<L { for c in inputs { xs.append((z[s + t, c] - w.center[c]) / w.scale[c]) } }
            if spec.perStep {
                for t in 0..<L { for k in 0..<K { for c in targets { ys.append((z[s + t + 1 + k, c] - w.center[c]) / w.scale[c]) } } }
            } else {
                for k in 0..<K { for (o, c) in targets.enumerated() { ys.append((z[s + L + k, c] - w.anchor[k * O + o]) / w.scale[c]) } }
            }
        }
        return SampleSet(steps: L, inputDim: inputs.count, targetWidth: K * O, perStep: spec.perStep, x: xs, y: ys)
    }

    /// Window starts in rows `range` of `raw`, skipping windows that touch a gap (NaN).
    public func validStarts(_ raw: SeriesMatrix, in range: Range<Int>) -> [Int] {
        let starts = spec.starts(in: range)
        guard raw.values.contains(where: \.isNaN) else { return starts }
        var gapBefore = [Int](repeating: 0, count: raw.steps + 1)   // prefix count of rows with a gap
        for t in 0..<raw.steps {
            let gap = (0..<raw.channels).contains { raw[t, $0].isNaN }
            gapBefore[t + 1] = gapBefore[t] + (gap ? 1 : 0)
        }
        return starts.filter { gapBefore[$0 + spec.span] - gapBefore[$0] == 0 }
    }

    /// The network input [L, D] for a forecast from the last `lookback` rows of `raw`, and the
    /// window's normalisation, needed to invert the prediction.
    public func forecastInput(_ raw: SeriesMatrix) -> (x: [Float], context: WindowContext) {
        let L = spec.lookback
        let z = prepared(raw.rows((raw.steps - L)..<raw.steps))
        let w = context(z, start: 0)
        var x = [Float](); x.reserveCapacity(L * inputs.count)
        for t in 0..<L { for c in inputs { x.append((z[t, c] - w.center[c]) / w.scale[c]) } }
        return (x, w)
    }

    /// Converts a prediction [K, O] (target channel order) back to original units.
    public func invert(_ y: [Float], context w: WindowContext) -> [Float] {
        let global = scaler.kind == .standard || scaler.kind == .minmax
        return y.enumerated().map { i, v in
            let c = targets[i % targets.count]
            var u = v * w.scale[c] + w.anchor[i]
            if global { u = u * scaler.scale[c] + scaler.offset[c] }
            for t in transforms.reversed() { u = t.step.invert(u, channel: c) }
            return u
        }
    }
}

/// How one window was normalised: per channel x' = (x − center) / scale; per predicted value
/// y' = (y − anchor) / scale, anchor [K·O] being the baseline or the center.
public struct WindowContext: Sendable, Equatable {
    public var center: [Float]
    public var scale: [Float]
    public var anchor: [Float]
}

/// What a run asks of the preprocessing (the choices the pipeline is fitted from).
public struct PreprocessingChoice: Sendable, Equatable {
    public var scaler: ScalerKind
    public var transform: TransformChoice
    public var baseline: BaselineChoice
    /// Seasonal period (1: none) for the seasonal-naive baseline.
    public var season: Int

    public init(scaler: ScalerKind = .window, transform: TransformChoice = .none, baseline: BaselineChoice = .none,
                season: Int = 1) {
        self.scaler = scaler; self.transform = transform; self.baseline = baseline; self.season = season
    }
}

/// Training and validation samples of a collection.
public struct SplitSamples: Sendable {
    public var train: SampleSet
    public var validation: SampleSet
    public var pipeline: Pipeline
}

extension SeriesCollection {
    /// Checks every series is long enough for one window.
    public func checkLength(lookback: Int, horizon: Int) throws(DataError) {
        for s in series where s.length < lookback + horizon {
            throw .seriesTooShort(path: source, series: s.id, length: s.length, needed: lookback + horizon,
                                  lookback: lookback, horizon: horizon)
        }
    }

    /// Row where each series' validation part starts: the last `valFraction` of its steps hold the
    /// validation targets.
    func validationCuts(_ valFraction: Double) -> [Int] {
        series.map { s in s.length - Int((Double(s.length) * valFraction).rounded()) }
    }

    /// Fits the pipeline on the training rows (before the validation cut) of every series.
    public func fitPipeline(spec: WindowSpec, choice: PreprocessingChoice, valFraction: Double) throws(DataError) -> Pipeline {
        let parts = zip(series, validationCuts(valFraction)).map { s, cut in s.matrix.rows(0..<cut) }
        let targets = Array(0..<targetCount)
        var transforms: [SeriesTransform] = []
        // Whether a log fits is decided on every row given to training (validation rows included:
        // their windows pass through it too); nothing else sees the validation rows.
        if choice.transform != .none,
           let log = try LogTransform.fit(channels: channels.count, targets: targets, names: channels,
                                          parts: series.map(\.matrix),
                                          required: choice.transform == .log) {
            transforms.append(.log(log))
        }
        let transformed = parts.map { p in transforms.reduce(p) { $1.apply($0) } }
        let scaler = Scaler.fit(choice.scaler, channels: channels.count, parts: transformed)
        let scaled = transformed.map(scaler.apply)
        if spec.perStep && (choice.baseline == .naive || choice.baseline == .seasonal) {
            throw .invalidArgument("--baseline \(choice.baseline.rawValue) works with the seq2vec head; use --baseline none with --head seq2seq")
        }
        let lags = spec.perStep ? [] : choice.baseline.lags(targets: targets, parts: scaled, season: choice.season,
                                                             lookback: spec.lookback)
        return Pipeline(spec: spec, scaler: scaler, inputs: Array(0..<channels.count), targets: targets,
                        transforms: transforms, baselineLags: lags.contains { $0 > 0 } ? lags : [])
    }

    /// Cuts windows, splitting each series chronologically: the last `valFraction` of its steps
    /// holds the validation targets; training windows end before them. Every fitted step of the
    /// pipeline saw the training rows only.
    public func split(spec: WindowSpec, scaler kind: ScalerKind, valFraction: Double) throws(DataError) -> SplitSamples {
        try split(spec: spec, choice: PreprocessingChoice(scaler: kind), valFraction: valFraction)
    }

    public func split(spec: WindowSpec, choice: PreprocessingChoice, valFraction: Double) throws(DataError) -> SplitSamples {
        try checkLength(lookback: spec.lookback, horizon: spec.horizon)
        return try split(pipeline: try fitPipeline(spec: spec, choice: choice, valFraction: valFraction),
                         valFraction: valFraction)
    }

    /// Training and validation samples cut with an already fitted pipeline.
    public func split(pipeline: Pipeline, valFraction: Double) throws(DataError) -> SplitSamples {
        let spec = pipeline.spec
        try checkLength(lookback: spec.lookback, horizon: spec.horizon)
        var train = SampleSet(steps: spec.lookback, inputDim: channels.count, targetWidth: spec.horizon * targetCount,
                              perStep: spec.perStep)
        var val = train
        for (s, cut) in zip(series, validationCuts(valFraction)) {
            train.append(contentsOf: pipeline.samples(s.matrix, starts: pipeline.validStarts(s.matrix, in: 0..<cut)))
            if cut < s.length {
                val.append(contentsOf: pipeline.samples(s.matrix, starts: pipeline.validStarts(s.matrix,
                                                        in: max(0, cut - spec.lookback)..<s.length)))
            }
        }
        guard train.count > 0 else {
            let shortest = series.map(\.length).min() ?? 0
            throw .invalidArgument("\(source): no training window: the shortest series has \(shortest) steps; with --val-fraction \(valFraction) its training part must hold lookback \(spec.lookback) + horizon \(spec.horizon) steps without gaps (lower --lookback or --val-fraction)")
        }
        return SplitSamples(train: train, validation: val, pipeline: pipeline)
    }
}
