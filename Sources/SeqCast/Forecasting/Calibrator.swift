// Calibrator: what follows a fit, from the ensemble's own forecasts of the validation windows of
// the data it trained on — Theta's automatic weight (CombinationFit) and the conformal calibration
// (Model/Calibration.swift) — and `train`'s job that stores them in model.h5 once every member
// finished. Backtests finish each fit the same way.
import Foundation

/// What follows a fit: Theta's weight chosen on the validation windows (when the pipeline asks
/// for it) and the conformal calibration, from one pass of the ensemble's forecasts of them.
public enum Calibrator {
    /// After `model` is fitted on `data`: when its Theta member is automatic, its weight and
    /// damped-trend share chosen from the validation windows (`CombinationFit.weights`) and stored in
    /// the model's pipeline; with `calibrate`, its conformal calibration (`calibrate`) with them. One forecast pass.
    public static func finish(_ model: Ensemble, data: consuming SeriesCollection, calibrate: Bool,
                              threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                              maximumWindows: Int = Calibration.maximumWindows) {
        let chooses = model.manifest.pipeline?.theta?.fromValidation == true
        guard chooses || calibrate,
              let parts = ValidationForecasts(model, data: data, padded: calibrate, threads: threads, maximumWindows: maximumWindows)
        else { return }
        if chooses, let w = CombinationFit.weights(parts) {
            model.manifest.updatePipeline { $0.theta?.weight = w.theta; if let d = w.damped { $0.theta?.damped = d } }
        }
        if calibrate { model.calibration = parts.calibration(theta: model.manifest.pipeline?.theta) }
    }

    /// The conformal calibration of `model` from its ensemble forecasts of the validation windows of
    /// `data` (`ValidationForecasts`: at most `maximumWindows`, made up to
    /// `Calibration.minimumWindows` with training windows), with the Theta weight and damped-trend
    /// share the model holds.
    /// Nil for models without a series pipeline or without any window.
    public static func calibrate(_ model: Ensemble, data: consuming SeriesCollection,
                                 threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                                 maximumWindows: Int = Calibration.maximumWindows) -> Calibration? {
        ValidationForecasts(model, data: data, padded: true, threads: threads, maximumWindows: maximumWindows)?
            .calibration(theta: model.manifest.pipeline?.theta)
    }
}

/// The ensemble's forecasts of the validation windows of the data it trained on, kept in the
/// parts the final combination mixes last — the network's combination (variants and plain baseline,
/// Theta's weight 0), Theta's forecast (NaN where it does not apply) and, for an automatic Theta
/// member, the damped trend's — beside the actual values, [N, K·O] each, and each window's scales
/// [N, O] (`Calibration.windowScale`).
struct ValidationForecasts {
    let horizon: Int, targets: Int
    /// Per target: forecast by the statistical member alone (`Pipeline.statisticalOnly`; empty: none).
    let statisticalOnly: [Bool]
    /// The windows (series, start), validation ones first, then `inSample` training ones.
    private(set) var cases: [(series: Int, start: Int)] = []
    private(set) var network: [Float] = [], theta: [Float] = [], damped: [Float] = [], actual: [Float] = [], scales: [Float] = []
    private(set) var inSample = 0
    var validation: Int { cases.count - inSample }

    /// The validation windows of `data` (the last `valFraction` of each series, as in training; every
    /// window, whatever the training window stride). When those are more than `maximumWindows`
    /// (≥ `Calibration.minimumWindows`), only an evenly spaced `maximumWindows` of them, in their
    /// order (series by series, oldest first), are forecast: window ⌊i·N/maximumWindows⌋ of the N for
    /// i in 0..<maximumWindows — chosen by position alone, never by residual, so the scores stay
    /// exchangeable, and spread over every series in proportion to its windows. With `padded`, when
    /// they are fewer than `Calibration.minimumWindows`, the most recent training windows make up the
    /// difference (counted as in-sample). Once the windows are chosen, each series keeps only the rows
    /// they read (look-back, targets, Theta's history) — in the caller's copy too when it gave `data`
    /// up (train: the last 20% of a 2M-row series and 500 rows before, instead of all of it while the
    /// windows are forecast). Nil for models without a series pipeline or without any window.
    init?(_ model: Ensemble, data: consuming SeriesCollection, padded: Bool, threads: Int, maximumWindows: Int) {
        precondition(maximumWindows >= Calibration.minimumWindows, "a cap below the minimum would add training windows")
        guard var pipeline = model.manifest.pipeline else { return nil }
        pipeline.spec.stride = 1
        let L = pipeline.spec.lookback, K = pipeline.spec.horizon, O = pipeline.targets.count
        horizon = K; targets = O; statisticalOnly = pipeline.statisticalOnly
        var starts = WindowStarts()   // every validation window, kept compactly (a progression per series)
        for (i, s) in data.series.enumerated() where s.length >= L + K {
            let cut = SampleSet.validationCut(count: s.length, valFraction: model.manifest.valFraction)
            if cut < s.length { starts.append(series: i, starts: pipeline.validStarts(s.matrix, in: max(0, cut - L)..<s.length)) }
        }
        // Chosen before any forecast: only these are forecast (listing all 400 000 of a 2M-row
        // series took 13 MB at once).
        let n = starts.count, capped = n > maximumWindows
        let validation = (0..<min(n, maximumWindows)).map { starts.window(capped ? $0 * n / maximumWindows : $0) }
        // Most recent training windows first (ties: series order), as many as are missing.
        var training: [(series: Int, start: Int)] = []
        if padded && validation.count < Calibration.minimumWindows {
            for (i, s) in data.series.enumerated() where s.length >= L + K {
                let cut = SampleSet.validationCut(count: s.length, valFraction: model.manifest.valFraction)
                training += pipeline.validStarts(s.matrix, in: 0..<cut).map { (i, $0) }
            }
        }
        let extra = training.sorted { ($0.start, -$0.series) > ($1.start, -$1.series) }
            .prefix(padded ? max(0, Calibration.minimumWindows - validation.count) : 0)
        // The rows the chosen windows read: from the first one's look-back and Theta's history
        // (Theta.forecast: at most max(historyCap, 6 seasons) rows before the origin) on. A series
        // keeps them alone when that is at most half of it (copied: the rest is then let go); row r
        // of the series is row r − offset of what it keeps. A series without a chosen window keeps none.
        let history = pipeline.theta.map { Theta.historyLength(season: $0.season) } ?? 0
        var firstRead = [Int](repeating: Int.max, count: data.series.count)
        for c in [validation[...], extra].joined() {
            firstRead[c.series] = min(firstRead[c.series], c.start, max(0, c.start + L - history))
        }
        var offsets = [Int](repeating: 0, count: data.series.count)
        for i in data.series.indices where firstRead[i] >= data.series[i].length / 2 {
            let s = data.series[i]
            let none = firstRead[i] == .max
            offsets[i] = none ? 0 : firstRead[i]
            let kept = none ? SeriesMatrix(steps: 0, channels: s.matrix.channels, values: []) : s.matrix.rows(offsets[i]..<s.length)
            data.series[i] = Series(id: s.id, time: TimeLabels(), matrix: kept)
        }
        MemoryBudget.returnFreedMemory()
        // The parts: the windows carry Theta's forecast unmixed (damped-trend share 0) and the damped
        // trend's beside it; the network's part is the pipeline with Theta's weight 0.
        if pipeline.theta?.damped != nil { pipeline.theta?.damped = 0 }
        var networkOnly = pipeline
        networkOnly.theta?.weight = 0
        networkOnly.statisticalOnly = []
        // Forecast in parts of whole Forecaster chunks (the same bits as one call), so the windows'
        // inputs are never all held at once.
        let flushAt = Forecaster.windowsPerPart(pipeline, threads: threads)
        let total = (validation.count + extra.count) * K * O   // held whole: the calibration stores them
        network.reserveCapacity(total); actual.reserveCapacity(total); scales.reserveCapacity(total / max(K, 1))
        if pipeline.theta != nil { theta.reserveCapacity(total) }
        if pipeline.theta?.damped != nil { damped.reserveCapacity(total) }
        var windows: [ForecastWindow] = [], pending: [(series: Int, start: Int)] = []
        func flush() {
            guard !windows.isEmpty else { return }
            for p in Forecaster.forecast(model, pipeline: networkOnly, windows: windows, threads: threads) { network += p }
            if pipeline.theta != nil { for w in windows { theta += w.theta } }
            if pipeline.theta?.damped != nil { for w in windows { damped += w.damped } }
            for c in pending {
                let m = data.series[c.series].matrix, start = c.start - offsets[c.series]
                for k in 0..<K { for ch in pipeline.targets { actual.append(m[start + L + k, ch]) } }
                scales += Calibration.windowScale(m.rows(start..<(start + L)), channels: pipeline.targets)
            }
            windows.removeAll(keepingCapacity: true); pending.removeAll(keepingCapacity: true)
        }
        for (n, c) in [validation[...], extra].joined().enumerated() {
            let s = data.series[c.series], offset = offsets[c.series]
            let w = pipeline.forecastWindow(s.matrix, origin: c.start + L - offset, series: s.id, rowOffset: offset, parts: true)
            if w.x.contains(where: { $0.contains { !$0.isFinite } }) { continue }
            cases.append(c); windows.append(w); pending.append(c)
            if n >= validation.count { inSample += 1 }
            if windows.count == flushAt { flush() }
        }
        flush()
        guard !cases.isEmpty else { return nil }
    }

    /// The statistical member's forecast at value `at` of the flat [N·K·O] parts, at damped-trend share ρ.
    func statistical(_ at: Int, dampedShare ρ: Float) -> Float? {
        theta.isEmpty ? nil : Theta.mixed(theta[at], damped: damped.isEmpty ? nil : damped[at], share: ρ)
    }

    /// The final combination's forecast of window `i`, value `j` (step-major [K·O]), at Theta weight θ
    /// (1 for a target the statistical member forecasts alone) and damped-trend share ρ.
    func combined(_ i: Int, _ j: Int, thetaWeight θ: Float, dampedShare ρ: Float) -> Float {
        let at = i * horizon * targets + j
        return Forecaster.withTheta(network[at], theta: statistical(at, dampedShare: ρ), weight: alone(j % targets) ? 1 : θ)
    }

    /// Is target `o` forecast by the statistical member alone?
    func alone(_ o: Int) -> Bool { !statisticalOnly.isEmpty && statisticalOnly[o]
    }

    /// The conformal calibration: every window's absolute residuals in original units and its
    /// scales, with the Theta member `theta` as the model holds it (its weight and damped-trend
    /// share). The residuals are written over the actual values (the buffer is taken, not copied),
    /// so the calibration holds no further [N, K·O] array.
    consuming func calibration(theta member: ThetaMember?) -> Calibration? {
        var residuals = actual
        actual = []
        guard !residuals.isEmpty else { return nil }
        let θ = member?.weight ?? 0, ρ = member?.damped ?? 0, width = horizon * targets
        for at in residuals.indices { residuals[at] = abs(residuals[at] - combined(at / width, at % width, thetaWeight: θ, dampedShare: ρ)) }
        return Calibration(horizon: horizon, targets: targets, residuals: residuals, scales: scales, inSample: inSample)
    }
}

extension TrainJob {
    /// `run`, then (when every member finished) what follows a fit (`Calibrator.finish`): Theta's
    /// automatic weight and the model's conformal calibration from its training data, stored in its
    /// model.h5 (a library caller of `run` alone keeps Theta's fallback weight). The CLI's `train` calls this. `--per-series` runs (and
    /// `--resume` of a stored per-series run, whatever the flags) go to `PerSeriesJob`, which
    /// calibrates each series' model itself.
    public static func runCalibrated(_ r: TrainRequest, progress: @escaping @Sendable (TrainEvent) -> Void = { _ in }) throws -> TrainSummary {
        try AtomicFile.refuseOverwriting(input: r.settings.data.path, folder: r.run.outDir, names: outputNames)
        let index = PerSeriesModel.indexPath(r.run.outDir)
        let storedKind = r.run.resume && FileManager.default.fileExists(atPath: index) ? PerSeriesModel.isIndex(index) : nil
        if storedKind ?? r.settings.isPerSeries { return try PerSeriesJob.train(r, progress: progress) }
        let summary = try run(r, progress: progress)
        guard summary.finished else { return summary }
        try r.run.group.onRoot {   // rank 0 alone (it writes model.h5)
            let model = try ModelFile.load(summary.modelPath, current: true)
            guard model.manifest.pipeline != nil else { return }   // supervised samples: no windows to calibrate on
            // `--resume` of a finished run: calibrated already, unless the run stopped between its
            // last checkpoint and the calibration; then that is what is left to do.
            if summary.alreadyFinished, model.calibration != nil { return }
            let data = try DataSource.load(model.manifest.source, selection: model.manifest.selection)
            let before = model.manifest.pipeline?.theta
            Calibrator.finish(model, data: consume data, calibrate: true, threads: r.run.threads)
            if let p = model.manifest.pipeline, let theta = p.theta, theta != before {
                progress(.note((p.statisticalOnlyForAll ? "the statistical member alone (no season, not mean-reverting)"
                                      : String(format: "Theta's weight from the validation windows: %.2f", theta.weight))
                               + (theta.damped.map { String(format: " (damped-trend share %.2f)", $0) } ?? "")))
            }
            if let c = model.calibration {
                progress(.note("calibrated intervals on \(c.count) windows\(c.inSample > 0 ? " (\(c.inSample) of them training windows: too few validation windows)" : "")"))
            }
            if model.calibration != nil || model.manifest.pipeline?.theta != before { try ModelFile.save(model, to: summary.modelPath) }
        }
        return summary
    }
}
