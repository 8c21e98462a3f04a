// Pipeline: from loaded series to network samples and back — window cutting with the chosen
// scaler, the chronological train/validation split, the forecast input of each series and the
// inversion of predictions to original units. Stored with the model (Codable).

/// Everything needed to turn raw series into network inputs and predictions into values.
public struct Pipeline: Codable, Sendable, Equatable {
    public var spec: WindowSpec
    public var scaler: Scaler
    /// Channel indices fed to the network (targets then covariates) and predicted (targets).
    public var inputs: [Int]
    public var targets: [Int]

    public init(spec: WindowSpec, scaler: Scaler, inputs: [Int], targets: [Int]) {
        self.spec = spec; self.scaler = scaler; self.inputs = inputs; self.targets = targets
    }

    /// Samples for the windows of `raw` starting at `starts` (none may touch a gap).
    public func samples(_ raw: SeriesMatrix, starts: [Int]) -> SampleSet {
        guard scaler.kind == .window else {
            return SampleSet(series: scaler.apply(raw), inputs: inputs, targets: targets, spec: spec, starts: starts)
        }
        var out = SampleSet(steps: spec.lookback, inputDim: inputs.count, targetWidth: spec.horizon * targets.count,
                            perStep: spec.perStep)
        for s in starts {
            let stats = Scaler.windowStats(raw, start: s, length: spec.lookback)
            var w = raw.rows(s..<(s + spec.span))
            for t in 0..<w.steps { for c in 0..<w.channels {
                w.values[t * w.channels + c] = (w[t, c] - stats[c].mean) / stats[c].sd
            } }
            out.append(contentsOf: SampleSet(series: w, inputs: inputs, targets: targets, spec: spec, starts: [0]))
        }
        return out
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
    /// per-channel statistics needed to invert it (window scaler).
    public func forecastInput(_ raw: SeriesMatrix) -> (x: [Float], stats: [(mean: Float, sd: Float)]) {
        let L = spec.lookback, s = raw.steps - L
        let stats = scaler.kind == .window ? Scaler.windowStats(raw, start: s, length: L) : []
        var x = [Float](); x.reserveCapacity(L * inputs.count)
        for t in s..<raw.steps {
            for c in inputs {
                let v = raw[t, c]
                switch scaler.kind {
                case .window: x.append((v - stats[c].mean) / stats[c].sd)
                case .standard, .minmax: x.append((v - scaler.offset[c]) / scaler.scale[c])
                case .none: x.append(v)
                }
            }
        }
        return (x, stats)
    }

    /// Converts predictions [K, O] (target channel order) back to original units.
    public func invert(_ y: [Float], stats: [(mean: Float, sd: Float)]) -> [Float] {
        y.enumerated().map { i, v in
            let c = targets[i % targets.count]
            switch scaler.kind {
            case .window: return v * stats[c].sd + stats[c].mean
            case .standard, .minmax: return v * scaler.scale[c] + scaler.offset[c]
            case .none: return v
            }
        }
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

    /// Cuts windows, splitting each series chronologically: the last `valFraction` of its steps
    /// holds the validation targets; training windows end before them. The scaler is fitted on the
    /// training rows only.
    public func split(spec: WindowSpec, scaler kind: ScalerKind, valFraction: Double) throws(DataError) -> SplitSamples {
        try checkLength(lookback: spec.lookback, horizon: spec.horizon)
        let cuts = series.map { s in s.length - Int((Double(s.length) * valFraction).rounded()) }
        let scaler = Scaler.fit(kind, channels: channels.count,
                                parts: zip(series, cuts).map { s, cut in s.matrix.rows(0..<cut) })
        let pipeline = Pipeline(spec: spec, scaler: scaler, inputs: Array(0..<channels.count),
                                targets: Array(0..<targetCount))
        var train = SampleSet(steps: spec.lookback, inputDim: channels.count, targetWidth: spec.horizon * targetCount,
                              perStep: spec.perStep)
        var val = train
        for (s, cut) in zip(series, cuts) {
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
