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
    /// Value transforms applied (in order) before the scaler, shared by every variant.
    public var transforms: [SeriesTransform]
    /// Ensemble variants: member i of an ensemble uses variant i mod count, each with transforms of
    /// its own (after the scaler) and a baseline. Empty: no baseline, the network predicts scaled
    /// values (the behaviour of models written before baselines existed).
    public var variants: [PipelineVariant]
    /// The plain baseline forecast's weight in the final combination (the variants share the rest
    /// equally; negative: auto, see `Forecaster.baselineWeight`), and its lag per target (seasonal
    /// naive where the season fits the look-back; 0: the window's mean, for a mean-reverting target).
    public var baselineWeight: Float
    public var baselineLags: [Int]
    /// Theta's share of the final combination (Theta.swift), with variants only; nil: none (and
    /// models written before it existed).
    public var theta: ThetaMember?
    /// Per target: mean-reverting — no season (`BaselineChoice.seasonless`), and the window's mean
    /// forecasts its training part better than naive (`auto`'s lag 0). Such a target is anchored at the window mean
    /// in every `auto` variant, its plain baseline member is the window's mean, and the statistical
    /// member (Theta, damped trend: a level and trend carried forward) leaves it out. Empty: none
    /// (and models written before the rule).
    public var meanReverting: [Bool] = []
    /// Per target (automatic Theta weight only): no seasonal period (m = 1) and not mean-reverting — a
    /// level that wanders or a trend, with nothing seasonal for the network to learn. The statistical member
    /// alone (θ = 1) forecasts such a target where it applies, the network's combination elsewhere
    /// (ACCURACY.md, "Non-seasonal series"). Empty: none (and models written before the rule).
    public var statisticalOnly: [Bool] = []
    /// Per target, the period of the cycle the cycle rule found (`fitPipeline`): with no season and
    /// only `auto` variants at the automatic plain weight, every target was mean-reverting and every
    /// training part (every series') has a significant autocorrelation peak at a lag the look-back
    /// holds — a cycle of varying length, such as the sunspots' 9–14 years; the period stored is the
    /// first part's. Such a pipeline has no variants: the network alone forecasts it (ACCURACY.md,
    /// "Cycles"). Empty: the rule did not fire (and models written before it).
    public var cycles: [Int] = []

    public init(spec: WindowSpec, scaler: Scaler, inputs: [Int], targets: [Int],
                transforms: [SeriesTransform] = [], variants: [PipelineVariant] = [],
                baselineWeight: Float = 0, baselineLags: [Int] = [], theta: ThetaMember? = nil, meanReverting: [Bool] = [],
                statisticalOnly: [Bool] = [], cycles: [Int] = []) {
        self.spec = spec; self.scaler = scaler; self.inputs = inputs; self.targets = targets
        self.transforms = transforms; self.variants = variants
        self.baselineWeight = baselineWeight; self.baselineLags = baselineLags; self.theta = theta
        self.meanReverting = meanReverting.contains(true) ? meanReverting : []
        self.statisticalOnly = statisticalOnly.contains(true) ? statisticalOnly : []
        self.cycles = cycles
    }

    enum CodingKeys: String, CodingKey { case spec, scaler, inputs, targets, transforms, variants, baselineWeight, baselineLags, theta, meanReverting, statisticalOnly, cycles }

    /// Is target `o` (index into `targets`) mean-reverting?
    @inline(__always) func reverting(_ o: Int) -> Bool { !meanReverting.isEmpty && meanReverting[o] }
    /// Is target `o` forecast by the statistical member alone (where it applies)?
    @inline(__always) func statisticalOnly(_ o: Int) -> Bool { !statisticalOnly.isEmpty && statisticalOnly[o] }
    /// Is every target forecast by the statistical member alone?
    var statisticalOnlyForAll: Bool { !statisticalOnly.isEmpty && !statisticalOnly.contains(false) }
    /// Theta's weight for target `o`: 1 for a target the statistical member forecasts alone.
    @inline(__always) func thetaWeight(target o: Int) -> Float { statisticalOnly(o) ? 1 : theta?.weight ?? 0 }

    /// Models written before transforms and baselines existed have neither.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        spec = try c.decodeIfPresent(WindowSpec.self, forKey: .spec) ?? WindowSpec(lookback: 0, horizon: 0)   // model manifests store it beside
        scaler = try c.decode(Scaler.self, forKey: .scaler)
        inputs = try c.decode([Int].self, forKey: .inputs)
        targets = try c.decode([Int].self, forKey: .targets)
        transforms = try c.decodeIfPresent([SeriesTransform].self, forKey: .transforms) ?? []
        variants = try c.decodeIfPresent([PipelineVariant].self, forKey: .variants) ?? []
        baselineWeight = try c.decodeIfPresent(Float.self, forKey: .baselineWeight) ?? 0
        baselineLags = try c.decodeIfPresent([Int].self, forKey: .baselineLags) ?? []
        theta = try c.decodeIfPresent(ThetaMember.self, forKey: .theta)
        func flags(_ key: CodingKeys) throws -> [Bool] {
            let f = try c.decodeIfPresent([Bool].self, forKey: key) ?? []
            guard f.isEmpty || f.count == targets.count else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(f.count) flags for \(targets.count) targets")
            }
            return f.contains(true) ? f : []
        }
        meanReverting = try flags(.meanReverting)
        statisticalOnly = try flags(.statisticalOnly)
        cycles = try c.decodeIfPresent([Int].self, forKey: .cycles) ?? []
        guard cycles.isEmpty || (cycles.count == targets.count && !cycles.contains { $0 < 2 } && variants.isEmpty) else {
            throw DecodingError.dataCorruptedError(forKey: .cycles, in: c,
                                                   debugDescription: "cycle periods \(cycles) for \(targets.count) targets and \(variants.count) variants")
        }
    }

    public func encode(to encoder: Encoder) throws { try encode(to: encoder, windows: true) }

    /// Encodes the pipeline; without `windows`, leaves out its window spec (a model manifest stores it once).
    public func encode(to encoder: Encoder, windows: Bool) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if windows { try c.encode(spec, forKey: .spec) }
        try c.encode(scaler, forKey: .scaler); try c.encode(inputs, forKey: .inputs); try c.encode(targets, forKey: .targets)
        try c.encode(transforms, forKey: .transforms); try c.encode(variants, forKey: .variants)
        try c.encode(baselineWeight, forKey: .baselineWeight); try c.encode(baselineLags, forKey: .baselineLags)
        try c.encodeIfPresent(theta, forKey: .theta)
        if meanReverting.contains(true) { try c.encode(meanReverting, forKey: .meanReverting) }
        if statisticalOnly.contains(true) { try c.encode(statisticalOnly, forKey: .statisticalOnly) }
        if !cycles.isEmpty { try c.encode(cycles, forKey: .cycles) }
    }

    /// Does the network's output add to a baseline (so its head starts at zero)?
    public var hasBaseline: Bool { !variants.isEmpty }

    /// Per target: positive by construction — a shared transform (log, Box–Cox) was fitted on its
    /// strictly positive values and maps every forecast back into them.
    public var positiveTargets: [Bool] { targets.map { t in transforms.contains { $0.step.keepsPositive(channel: t) } } }

    /// What the fitted pipeline does, in words (for the backtest report), e.g.
    /// "log; variants: seasonal naive (lag 12) | deseasonalised + naive; seasonal naive weight 0.33".
    /// `thetaWeights`: the range to print for an automatic Theta weight (several fits' weights).
    public func summary(names: [String], thetaWeights: ClosedRange<Float>? = nil, dampedShares: ClosedRange<Float>? = nil) -> String {
        func lags(_ l: [Int]) -> String {
            let words = l.map { $0 == 0 ? "window mean" : $0 == 1 ? "naive" : "seasonal naive (lag \($0))" }
            return Set(words).count == 1 ? words[0] : zip(targets, words).map { "\(names[$0]): \($1)" }.joined(separator: ", ")
        }
        func kind(_ t: SeriesTransform) -> String { t.step.summary(names: names, targets: targets) }
        func range(_ r: ClosedRange<Float>) -> String {
            let (a, b) = (String(format: "%.2f", r.lowerBound), String(format: "%.2f", r.upperBound))
            return a == b ? a : a + "–" + b   // not "0.46–0.46" for two weights that round alike
        }
        // The damped trend's share once one is chosen (0 until then: Theta alone, as printed before it existed).
        let share = theta?.damped.map { dampedShares ?? $0...$0 }.flatMap { $0.upperBound > 0 ? range($0) : nil }
        var parts = [String]()
        if !transforms.isEmpty { parts.append(transforms.map(kind).joined(separator: ", ")) }
        parts.append("scaler \(scaler.kind.rawValue)")
        if variants.isEmpty {
            let periods = Array(Set(cycles)).sorted().map(String.init).joined(separator: ", ")
            parts.append(cycles.isEmpty ? "no baseline" : "no baseline: a cycle (period \(periods)) around the mean, forecast by the network alone")
        } else {
            parts.append("variants: " + variants.map { v in (v.transforms.map(kind) + [lags(v.baselineLags)]).joined(separator: " + ") }
                .joined(separator: " | "))
            if baselineWeight != 0 {
                parts.append(lags(baselineLags) + (baselineWeight < 0 ? " weight auto" : String(format: " weight %.2f", baselineWeight)))
            }
            if theta != nil, !meanReverting.isEmpty, !meanReverting.contains(false) {
                parts.append("no Theta (mean-reverting)")
            } else if theta != nil, statisticalOnlyForAll {
                parts.append("the statistical member alone: Theta" + (share.map { " and the damped trend (share " + $0 + ")" } ?? "")
                             + " (no season, not mean-reverting)")
            } else if let theta {
                let alone = targets.indices.filter(statisticalOnly(_:)).map { names[targets[$0]] }
                parts.append("Theta weight " + range(thetaWeights ?? theta.weight...theta.weight)
                             + (share.map { " (damped-trend share " + $0 + ")" } ?? "")
                             + (theta.fromValidation == true ? " (auto)" : "")
                             + (meanReverting.contains(true)
                                ? " (not for " + targets.indices.filter(reverting).map { names[targets[$0]] }.joined(separator: ", ") + ": mean-reverting)" : "")
                             + (alone.isEmpty ? "" : "; the statistical member alone for " + alone.joined(separator: ", ") + " (no season)"))
            }
        }
        return parts.joined(separator: "; ")
    }

    /// The distinct summaries of `fits`, in order; those whose words differ only in Theta's
    /// automatic weight are one, with the range of their weights (fitted values such as scales and
    /// seasonal indices differ between fits but are not in the words).
    public static func summaries(_ fits: [Pipeline], names: [String]) -> [String] {
        var groups: [(pipeline: Pipeline, words: String, weights: [Float], damped: [Float])] = []
        for p in fits {
            var unweighted = p
            if unweighted.theta?.fromValidation == true {
                unweighted.theta?.weight = 0
                if unweighted.theta?.damped != nil { unweighted.theta?.damped = 0 }
            }
            let words = unweighted.summary(names: names), w = p.theta?.weight ?? 0, d = p.theta?.damped ?? 0
            if let i = groups.firstIndex(where: { $0.words == words }) { groups[i].weights.append(w); groups[i].damped.append(d) }
            else { groups.append((p, words, [w], [d])) }
        }
        return groups.map { g in g.pipeline.summary(names: names, thetaWeights: g.weights.min()!...g.weights.max()!,
                                                    dampedShares: g.damped.min()!...g.damped.max()!) }
    }

    /// Ensemble variants the pipeline serves (1 without baselines).
    public var variantCount: Int { max(1, variants.count) }

    /// Every deseasonalising step, shared or a variant's: what depends on a series' seasonal phase.
    public var deseasonalisers: [Deseasonaliser] {
        (transforms + variants.flatMap(\.transforms)).compactMap { $0.step as? Deseasonaliser }
    }

    /// `raw` (rows of `series` from `firstRow` on) prepared for variant `variant`: the shared
    /// transforms, the global scaler, the variant's transforms. Windows are cut from the result.
    public func prepared(_ raw: SeriesMatrix, series: String, firstRow: Int = 0, variant: Int = 0) -> SeriesMatrix {
        variantPrepared(sharedPrepared(raw, series: series, firstRow: firstRow), series: series, firstRow: firstRow, variant: variant)
    }

    /// The part of `prepared` every variant shares: the shared transforms and the global scaler.
    func sharedPrepared(_ raw: SeriesMatrix, series: String, firstRow: Int = 0) -> SeriesMatrix {
        var m = raw
        prepareShared(&m, series: series, firstRow: firstRow)
        return m
    }

    /// `sharedPrepared` in place (no copy when `m`'s storage is not shared).
    func prepareShared(_ m: inout SeriesMatrix, series: String, firstRow: Int = 0) {
        for t in transforms { t.apply(&m, series: series, firstRow: firstRow) }
        scaler.apply(&m)
    }

    /// `sharedPrepared` output with variant `variant`'s own transforms applied (the same storage
    /// when it has none).
    func variantPrepared(_ shared: SeriesMatrix, series: String, firstRow: Int = 0, variant: Int) -> SeriesMatrix {
        var m = shared
        if !variants.isEmpty { for t in variants[variant].transforms { m = t.apply(m, series: series, firstRow: firstRow) } }
        return m
    }

    /// The normalisation of the window of `z` (prepared for `variant`) whose input starts at row `s`.
    func context(_ z: SeriesMatrix, start s: Int, variant: Int) -> WindowContext {
        let L = spec.lookback, K = spec.horizon, O = targets.count
        var center = [Float](repeating: 0, count: z.channels), scale = [Float](repeating: 1, count: z.channels)
        if scaler.kind == .window {
            for (c, st) in Scaler.windowStats(z, start: s, length: L).enumerated() { center[c] = st.mean; scale[c] = st.sd }
        }
        var anchor = [Float](repeating: 0, count: K * O)
        for (o, c) in targets.enumerated() {
            let lag = variants.isEmpty ? 0 : variants[variant].baselineLags[o]
            let base = lag > 0 ? Baselines.seasonalNaive(z, channel: c, origin: s + L, horizon: K, season: lag) : []
            for k in 0..<K { anchor[k * O + o] = lag > 0 ? base[k] : center[c] }
        }
        return WindowContext(center: center, scale: scale, anchor: anchor)
    }

    /// Samples of ensemble variant `variant` for the windows of `raw` (all rows of series `series`)
    /// starting at `starts` (none may touch a gap).
    public func samples(_ raw: SeriesMatrix, series: String = "", starts: [Int], variant: Int = 0) -> SampleSet {
        let z = prepared(raw, series: series, variant: variant)
        let L = spec.lookback, K = spec.horizon, O = targets.count
        var xs = [Float](), ys = [Float]()
        xs.reserveCapacity(starts.count * L * inputs.count)
        ys.reserveCapacity(starts.count * (spec.perStep ? L : 1) * K * O)
        for s in starts {
            precondition(s >= 0 && s + spec.span <= z.steps, "window \(s) out of range")
            let w = context(z, start: s, variant: variant)
            for t in 0..<L { for c in inputs { xs.append(w.normalised(z[s + t, c], channel: c)) } }
            if spec.perStep {
                for t in 0..<L { for k in 0..<K { for c in targets { ys.append(w.normalised(z[s + t + 1 + k, c], channel: c)) } } }
            } else {
                for k in 0..<K { for (o, c) in targets.enumerated() { ys.append(w.target(z[s + L + k, c], index: k * O + o, channel: c)) } }
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

    /// The network input [L, D] of variant `variant` for a forecast from the last `lookback` rows of
    /// `raw` — rows of series `series` from `firstRow` on — and the window's normalisation, needed to
    /// invert the prediction.
    public func forecastInput(_ raw: SeriesMatrix, series: String = "", firstRow: Int = 0,
                              variant: Int = 0) -> (x: [Float], context: WindowContext) {
        let L = spec.lookback, tail = raw.steps - L
        let z = prepared(raw.rows(tail..<raw.steps), series: series, firstRow: firstRow + tail, variant: variant)
        var w = context(z, start: 0, variant: variant)
        w.origin = RowPosition(series: series, row: firstRow + raw.steps)
        var x = [Float](); x.reserveCapacity(L * inputs.count)
        for t in 0..<L { for c in inputs { x.append(w.normalised(z[t, c], channel: c)) } }
        return (x, w)
    }

    /// The forecast from row `origin` of `rows` (a series in original units, `rowOffset` the position
    /// of its row 0 on the series' own row axis): every variant's input and normalisation from the
    /// `lookback` rows before the origin, the plain baseline, and with a Theta member Theta's forecast
    /// from the rows before the origin (never those after it); NaN, as where Theta does not apply, for
    /// a mean-reverting target.
    /// With `parts`, an automatic Theta member's damped-trend forecast is kept in `damped` even at
    /// share 0 (the validation windows' parts, from which the share is chosen).
    public func forecastWindow(_ rows: SeriesMatrix, origin: Int, series: String = "", rowOffset: Int = 0,
                               parts: Bool = false) -> ForecastWindow {
        let raw = rows.rows((origin - spec.lookback)..<origin), firstRow = rowOffset + origin - spec.lookback
        let all = (0..<variantCount).map { forecastInput(raw, series: series, firstRow: firstRow, variant: $0) }
        let K = spec.horizon, O = targets.count, n = raw.steps
        var baseline = [Float](repeating: 0, count: baselineLags.isEmpty ? 0 : K * O)
        for (o, c) in targets.enumerated() where !baselineLags.isEmpty {
            let base = baselineLags[o] == 0 ? [Float](repeating: Baselines.mean(raw, channel: c), count: K)
                : Baselines.seasonalNaive(raw, channel: c, origin: n, horizon: K, season: baselineLags[o])
            for k in 0..<K { baseline[k * O + o] = base[k] }
        }
        var window = ForecastWindow(x: all.map(\.x), contexts: all.map(\.context), baseline: baseline)
        if let theta {
            let share = theta.damped ?? 0   // an automatic member: Theta and the damped trend
            (window.theta, window.damped) = Theta.forecasts(rows, origin: origin, targets: targets, season: theta.season, horizon: K,
                                                            damped: theta.damped != nil && (share > 0 || parts))
            if share > 0 { for j in window.theta.indices { window.theta[j] = Theta.mixed(window.theta[j], damped: window.damped[j], share: share) } }
            for j in window.theta.indices where reverting(j % O) {
                window.theta[j] = .nan
                if !window.damped.isEmpty { window.damped[j] = .nan }
            }
        }
        return window
    }

    /// Converts a prediction [K, O] (target channel order) of variant `variant` back to original
    /// units: the window's scale and anchor, the variant's transforms, the global scaler and the
    /// shared transforms, each inverted in reverse order.
    public func invert(_ y: [Float], context w: WindowContext, variant: Int = 0) -> [Float] {
        let own = variants.isEmpty ? [] : variants[variant].transforms
        return y.enumerated().map { i, v in
            let c = targets[i % targets.count]
            var u = w.denormalised(v, index: i, channel: c)
            let p = RowPosition(series: w.origin.series, row: w.origin.row + i / targets.count)
            for t in own.reversed() { u = t.step.invert(u, channel: c, at: p) }
            u = scaler.invert(u, channel: c)
            for t in transforms.reversed() { u = t.step.invert(u, channel: c, at: p) }
            return u
        }
    }
}

/// One ensemble variant of a pipeline: its own transforms (applied after the scaler) and, per
/// target, the lag of the baseline its output is added to (1 naive, m seasonal naive, 0 the
/// window's center).
public struct PipelineVariant: Codable, Sendable, Equatable {
    public var transforms: [SeriesTransform]
    public var baselineLags: [Int]
}

/// One forecast window: per variant, the network input [L, D] and its normalisation.
public struct ForecastWindow: Sendable {
    public var x: [[Float]]
    public var contexts: [WindowContext]
    /// The plain baseline forecast [K·O] in original units (empty when it has no weight).
    public var baseline: [Float]
    /// The statistical member's forecast [K·O] in original units: Theta's, mixed with the damped
    /// trend's at the member's share (`Theta.mixed`); NaN where it does not apply (empty without a Theta member).
    public var theta: [Float] = []
    /// The damped trend's own forecast [K·O] (automatic Theta members only, for choosing the share).
    public var damped: [Float] = []
}

/// How one window was normalised: per channel x' = (x − center) / scale; per predicted value
/// y' = (y − anchor) / scale, anchor [K·O] being the baseline or the center.
public struct WindowContext: Sendable, Equatable {
    public var center: [Float]
    public var scale: [Float]
    public var anchor: [Float]
    /// Where the first predicted step sits (for position-dependent transforms).
    public var origin = RowPosition(series: "", row: 0)

    /// An input value of channel `c`, normalised: (x − center) / scale.
    @inline(__always) func normalised(_ x: Float, channel c: Int) -> Float { (x - center[c]) / scale[c] }
    /// A target value (the `i`-th predicted value, channel `c`) as the network learns it: (y − anchor) / scale.
    @inline(__always) func target(_ y: Float, index i: Int, channel c: Int) -> Float { (y - anchor[i]) / scale[c] }
    /// The inverse of `target`: y′ · scale + anchor.
    @inline(__always) func denormalised(_ y: Float, index i: Int, channel c: Int) -> Float { y * scale[c] + anchor[i] }
}

/// What a run asks of the preprocessing (the choices the pipeline is fitted from).
public struct PreprocessingChoice: Sendable, Equatable {
    public var scaler: ScalerKind
    public var transform: TransformChoice
    /// The ensemble variants; empty for none (no baseline).
    public var variants: [VariantSpec]
    /// Weight of the plain seasonal-naive forecast (the window's mean for a mean-reverting target) in
    /// the final combination (with variants only).
    public var baselineWeight: Float = 0
    /// Theta's weight in the final combination (with variants only; 0: none; negative: auto,
    /// chosen on the validation windows after training, `CombinationFit`).
    public var thetaWeight: Float = 0
    /// Seasonal period (1: none) for the seasonal-naive baseline and deseasonalisation.
    public var season: Int

    public init(scaler: ScalerKind = .window, transform: TransformChoice = .none, variants: [VariantSpec] = [],
                season: Int = 1) {
        self.scaler = scaler; self.transform = transform; self.variants = variants; self.season = season
    }
}

extension SeriesCollection {
    /// Checks every series is long enough for one window. For training (`valFraction` given), one
    /// series must hold its window before the validation part (`minimumTrainingLength`); of
    /// several, a shorter one may still give validation windows, so each needs one window.
    public func checkLength(lookback: Int, horizon: Int, valFraction: Double? = nil) throws(DataError) {
        let training = valFraction != nil && series.count == 1 ? valFraction : nil
        let need = training.map { Self.minimumTrainingLength(lookback: lookback, horizon: horizon, valFraction: $0) } ?? lookback + horizon
        for s in series where s.length < need {
            throw .seriesTooShort(path: source, series: s.id, length: s.length, needed: need,
                                  lookback: lookback, horizon: horizon, valFraction: training)
        }
    }

    /// Row where each series' validation part starts: the last `valFraction` of its steps hold the
    /// validation targets.
    func validationCuts(_ valFraction: Double) -> [Int] {
        series.map { SampleSet.validationCut(count: $0.length, valFraction: valFraction) }
    }

    /// Fits the pipeline on the training rows (before the validation cut) of every series.
    public func fitPipeline(spec: WindowSpec, choice: PreprocessingChoice, valFraction: Double) throws -> Pipeline {
        let cuts = validationCuts(valFraction)
        let targets = Array(0..<targetCount)
        // Whether a log fits is decided on every row given to training (validation rows included:
        // their windows pass through it too); nothing else sees the validation rows.
        /// The training parts with `steps` applied after `before`.
        func training(_ before: [SeriesMatrix], _ steps: [SeriesTransform]) -> [Series] {
            zip(series, before).map { s, p in
                Series(id: s.id, time: s.time, matrix: steps.reduce(p) { $1.apply($0, series: s.id, firstRow: 0) })
            }
        }
        let base = TransformFit(rows: [], channels: channels.count, targets: targets, names: channels,
                                season: choice.season, required: false)
        // The training parts are copied only for a fit that reads them (not log's), and let go after it.
        let transforms = try choice.transform.fit(base, training: { steps in
            training(zip(series, cuts).map { s, cut in s.matrix.rows(0..<cut) }, steps)
        }, rows: { steps in training(series.map(\.matrix), steps).map(\.matrix) })
        // The training parts after the shared transforms, then scaled: one copy, changed in place
        // (the same values as applying each step to a new copy). A global scaler is fitted on every
        // channel; otherwise only the targets (the first channels) are read from here on
        // (deseasonalising, baselines), so only they are copied.
        let kept = choice.scaler == .standard || choice.scaler == .minmax ? channels.count : targetCount
        var scaled = zip(series, cuts).map { s, cut in s.matrix.rows(0..<cut, channels: kept) }
        for i in scaled.indices { for t in transforms { t.apply(&scaled[i], series: series[i].id, firstRow: 0) } }
        let scaler = Scaler.fit(choice.scaler, channels: channels.count, parts: scaled)
        for i in scaled.indices { scaler.apply(&scaled[i]) }
        if spec.perStep && !choice.variants.isEmpty {
            throw SettingsError.incompatible("--baseline works with the seq2vec and encoder-decoder heads; use --baseline none with --head seq2seq")
        }
        var variants: [PipelineVariant] = []
        var reverting = [Bool](repeating: false, count: targets.count), statistical = reverting
        var cycles = [Int?](repeating: nil, count: targets.count)
        // Where the cycle rule can apply (below); only there is the autocorrelation scanned.
        let cycleRule = choice.scaler == .window && choice.season <= 1 && choice.baselineWeight < 0
            && choice.variants.allSatisfy { $0.baseline == .auto }
        for (k, v) in choice.variants.enumerated() {
            var own: [SeriesTransform] = []
            var fit = base; fit.makeParts = { training(scaled, []) }
            if v.deseasonalise, let d = try Deseasonaliser.fit(fit) { own.append(SeriesTransform(d)) }
            let parts: [SeriesMatrix]
            if k == choice.variants.count - 1 {   // the last variant: the scaled parts are not needed after it
                for i in scaled.indices { for t in own { t.apply(&scaled[i], series: series[i].id, firstRow: 0) } }
                parts = scaled
            } else {
                parts = training(scaled, own).map(\.matrix)
            }
            let lags = v.baseline.lags(targets: targets, parts: parts, season: choice.season, lookback: spec.lookback,
                                       horizon: spec.horizon, deseasonalised: v.deseasonalise, windowMean: choice.scaler == .window)
            if v.baseline == .auto && !v.deseasonalise {
                for (o, c) in targets.enumerated() where !reverting[o] {
                    // Mean-reverting: `auto` chose the mean, and no season. The statistical member alone:
                    // naive (not the mean), and no seasonal period at all (m = 1: where the test merely
                    // failed on a short training part, earlier windows said the network helps).
                    if lags[o] == 0 {
                        reverting[o] = BaselineChoice.seasonless(parts: parts, channel: c, season: choice.season)
                        if reverting[o] && cycleRule { cycles[o] = Baselines.cycle(parts: parts, channel: c, lookback: spec.lookback) }
                    }
                    // Only the window scaler's `auto` tests the mean, so only there is "not reverting" known.
                    else if choice.thetaWeight < 0 && choice.season <= 1 && choice.scaler == .window { statistical[o] = true }
                }
            }
            variants.append(PipelineVariant(transforms: own, baselineLags: lags))
        }
        // The cycle rule: with no season, only `auto` variants and the automatic plain weight (the
        // defaults; an explicit list or weight is kept as asked), when every target is mean-reverting
        // and cycles (a significant autocorrelation peak in every training part, at a lag the look-back
        // holds), the network alone forecasts them: no variants, no plain member, no statistical member.
        // The mean, the last value and seasonal naive at one lag all forecast a cycle of varying length
        // worse than the network that learned it (ACCURACY.md, "Cycles": the benchmark's sunspotarea
        // 1.043 → 0.809; the shipped sunspots). A season whose test merely failed on a short training
        // part is not taken for a cycle (m > 1: the rule does not apply).
        if cycleRule, !reverting.isEmpty, !reverting.contains(false), !cycles.contains(nil) {
            return Pipeline(spec: spec, scaler: scaler, inputs: Array(0..<channels.count), targets: targets,
                            transforms: transforms, cycles: cycles.map { $0! })
        }
        // A mean-reverting target is anchored at the window mean in every `auto` variant (and is
        // never forecast by the statistical member alone, whichever variant found it).
        for o in targets.indices where reverting[o] { statistical[o] = false }
        for (k, v) in choice.variants.enumerated() where v.baseline == .auto {
            for o in targets.indices where reverting[o] { variants[k].baselineLags[o] = 0 }
        }
        let weight = variants.isEmpty ? 0 : choice.baselineWeight   // negative: auto (Forecaster.baselineWeight)
        let plain = choice.season > 1 && choice.season <= spec.lookback ? choice.season : 1
        return Pipeline(spec: spec, scaler: scaler, inputs: Array(0..<channels.count), targets: targets,
                        transforms: transforms, variants: variants, baselineWeight: weight,
                        baselineLags: weight != 0 ? targets.indices.map { reverting[$0] ? 0 : plain } : [],
                        theta: variants.isEmpty || choice.thetaWeight == 0 ? nil
                            : choice.thetaWeight < 0 ? ThetaMember(weight: ThetaMember.fallbackWeight, season: choice.season, fromValidation: true, damped: 0)
                            : ThetaMember(weight: choice.thetaWeight, season: choice.season),
                        meanReverting: reverting, statisticalOnly: choice.thetaWeight < 0 ? statistical : [])
    }

    /// Windows (gathered as they are trained on: SeriesWindows.swift), splitting each series
    /// chronologically: the last `valFraction` of its steps holds the validation targets; training windows end before them. Every fitted step of the
    /// pipeline saw the training rows only.
    public func split(spec: WindowSpec, scaler kind: ScalerKind, valFraction: Double) throws -> SplitSamples {
        try split(spec: spec, choice: PreprocessingChoice(scaler: kind), valFraction: valFraction)
    }

    public func split(spec: WindowSpec, choice: PreprocessingChoice, valFraction: Double) throws -> SplitSamples {
        try checkLength(lookback: spec.lookback, horizon: spec.horizon, valFraction: valFraction)
        return try split(pipeline: try fitPipeline(spec: spec, choice: choice, valFraction: valFraction),
                         valFraction: valFraction)
    }
}
