// Calibrator: a trained model's conformal calibration (Model/Calibration.swift) from its own
// ensemble forecasts of the validation windows of the data it trained on — and `train`'s job that
// stores it in model.h5 once every member finished. Backtests calibrate each fit the same way.
import Foundation

/// Conformal calibration of a trained model from its own forecasts of the data it trained on.
public enum Calibrator {
    /// The ensemble's forecasts of the validation windows of `data` (the last `valFraction` of each
    /// series, as in training; every window, whatever the training window stride), their absolute
    /// residuals in original units and their scales. When those are more than `maximumWindows`
    /// (≥ `Calibration.minimumWindows`), only an evenly spaced `maximumWindows` of them, in their
    /// order (series by series, oldest first), are forecast: window ⌊i·N/maximumWindows⌋ of the N for
    /// i in 0..<maximumWindows — chosen by position alone, never by residual, so the scores stay
    /// exchangeable, and spread over every series in proportion to its windows. When they are fewer
    /// than `Calibration.minimumWindows`, the most recent training windows make up the difference
    /// (counted as in-sample). Nil for models without a series pipeline or without any window.
    /// Once the windows are chosen, each series keeps only the rows they read (look-back, targets,
    /// Theta's history) — in the caller's copy too when it gave `data` up (train: the last 20% of a
    /// 2M-row series and 500 rows before, instead of all of it while the windows are forecast).
    public static func calibrate(_ model: Ensemble, data: consuming SeriesCollection,
                                 threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                                 maximumWindows: Int = Calibration.maximumWindows) -> Calibration? {
        precondition(maximumWindows >= Calibration.minimumWindows, "a cap below the minimum would add training windows")
        guard var pipeline = model.manifest.pipeline else { return nil }
        pipeline.spec.stride = 1
        let L = pipeline.spec.lookback, K = pipeline.spec.horizon, O = pipeline.targets.count
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
        if validation.count < Calibration.minimumWindows {
            for (i, s) in data.series.enumerated() where s.length >= L + K {
                let cut = SampleSet.validationCut(count: s.length, valFraction: model.manifest.valFraction)
                training += pipeline.validStarts(s.matrix, in: 0..<cut).map { (i, $0) }
            }
        }
        let extra = training.sorted { ($0.start, -$0.series) > ($1.start, -$1.series) }
            .prefix(max(0, Calibration.minimumWindows - validation.count))
        // The rows the chosen windows read: from the first one's look-back and Theta's history
        // (Theta.forecast: at most max(historyCap, 6 seasons) rows before the origin) on. A series
        // keeps them alone when that is at most half of it (copied: the rest is then let go); row r
        // of the series is row r − offset of what it keeps. A series without a chosen window keeps none.
        let history = pipeline.theta.map { max(Theta.historyCap, 6 * $0.season) } ?? 0
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
        // Forecast in chunks of whole Forecaster chunks (the same bits as one call), so the windows'
        // inputs are never all held at once: about 4 MiB of them (a window's inputs and, per variant,
        // about 1 KiB of arrays besides), at most 64 chunks.
        let windowBytes = pipeline.variantCount * (L * pipeline.inputs.count * MemoryLayout<Float>.size + 1024)
        let flushAt = Forecaster.chunk * max(1, min(64, (4 << 20) / (Forecaster.chunk * windowBytes)))
        var cases: [(series: Int, start: Int)] = [], windows: [ForecastWindow] = [], inSample = 0
        var residuals = [Float](), scales = [Float]()
        residuals.reserveCapacity((validation.count + extra.count) * K * O)   // held whole: model.h5 stores them
        scales.reserveCapacity((validation.count + extra.count) * O)
        func flush() {
            guard !cases.isEmpty else { return }
            let predictions = Forecaster.forecast(model, pipeline: pipeline, windows: windows, threads: threads)
            for (c, p) in zip(cases, predictions) {
                let m = data.series[c.series].matrix, start = c.start - offsets[c.series]
                for k in 0..<K { for (o, ch) in pipeline.targets.enumerated() { residuals.append(abs(m[start + L + k, ch] - p[k * O + o])) } }
                scales += Calibration.windowScale(m.rows(start..<(start + L)), channels: pipeline.targets)
            }
            cases.removeAll(keepingCapacity: true); windows.removeAll(keepingCapacity: true)
        }
        for (n, c) in [validation[...], extra].joined().enumerated() {
            let s = data.series[c.series], offset = offsets[c.series]
            let w = pipeline.forecastWindow(s.matrix, origin: c.start + L - offset, series: s.id, rowOffset: offset)
            if w.x.contains(where: { $0.contains { !$0.isFinite } }) { continue }
            cases.append(c); windows.append(w)
            if n >= validation.count { inSample += 1 }
            if cases.count == flushAt { flush() }
        }
        flush()
        guard !residuals.isEmpty else { return nil }
        return Calibration(horizon: K, targets: O, residuals: residuals, scales: scales, inSample: inSample)
    }
}

extension TrainJob {
    /// `run`, then (when every member finished) the model's conformal calibration from its training
    /// data, stored in its model.h5. The CLI's `train` calls this. `--per-series` runs (and
    /// `--resume` of a stored per-series run, whatever the flags) go to `PerSeriesJob`, which
    /// calibrates each series' model itself.
    public static func runCalibrated(_ r: TrainRequest, progress: @escaping @Sendable (TrainEvent) -> Void = { _ in }) throws -> TrainSummary {
        let index = PerSeriesModel.indexPath(r.run.outDir)
        let storedKind = r.run.resume && FileManager.default.fileExists(atPath: index) ? PerSeriesModel.isIndex(index) : nil
        if storedKind ?? r.settings.isPerSeries { return try PerSeriesJob.train(r, progress: progress) }
        let summary = try run(r, progress: progress)
        guard summary.finished else { return summary }
        try r.run.group.onRoot {   // rank 0 alone (it writes model.h5)
            let model = try ModelFile.load(summary.modelPath, current: true)
            guard model.manifest.pipeline != nil else { return }   // supervised samples: no windows to calibrate on
            let data = try DataSource.load(model.manifest.source, selection: model.manifest.selection)
            model.calibration = Calibrator.calibrate(model, data: consume data, threads: r.run.threads)
            if let c = model.calibration {
                try ModelFile.save(model, to: summary.modelPath)
                progress(.note("calibrated intervals on \(c.count) windows\(c.inSample > 0 ? " (\(c.inSample) of them training windows: too few validation windows)" : "")"))
            }
        }
        return summary
    }
}
