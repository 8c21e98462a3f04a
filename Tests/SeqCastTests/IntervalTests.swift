// Prediction intervals: the conformal quantile (finite-sample rank; coverage of a Gaussian AR(1)'s
// one-step residuals over many seeded draws), interval scores against hand-computed values, the
// normal quantile and seasonal naive's widening band, ensembles calibrated on the ensemble forecast's
// residuals, the cap on calibration windows (an evenly spaced subset, the same residuals, every
// series kept, only the rows they read kept while they are forecast), intervals identical across threads and reproducible for a seed, and the outputs of
// train / forecast / backtest (model.h5 calibration, CSV and HDF5 columns, summary.json, --levels checks).
import Foundation
import XCTest
import SeqCast

final class IntervalTests: XCTestCase {
    func testConformalQuantileTakesTheCorrectedRank() {
        let scores: [Float] = [5, 1, 9, 3, 7, 2, 8, 4, 6]   // n = 9
        // ⌈(9 + 1) · 0.8⌉ = 8 → the 8th smallest; ⌈10 · 0.95⌉ = 10 > 9 → the largest.
        XCTAssertEqual(Calibration.conformalQuantile(scores, coverage: 0.8), 8)
        XCTAssertEqual(Calibration.conformalQuantile(scores, coverage: 0.95), 9)
        XCTAssertEqual(Calibration.conformalQuantile(scores, coverage: 0.5), 5)
        XCTAssertNil(Calibration.conformalQuantile([], coverage: 0.8))
    }

    /// Gaussian AR(1) x_t = 0.7·x_{t−1} + ε_t with the oracle one-step forecast: its residuals are
    /// N(0, 1). Calibrated on n = 50 of them, the intervals cover fresh outcomes with probability in
    /// [p, p + 1/(n+1)] on average over draws (the split-conformal guarantee).
    func testConformalCoverageOfAGaussianAR1() {
        var rng = SeededRandom(seed: 7)
        let n = 50, draws = 400, tests = 50, levels = [80.0, 95.0]
        var covered = [Int](repeating: 0, count: levels.count)
        for _ in 0..<draws {
            var x: Float = 0
            func step() -> (forecast: Float, actual: Float) {
                let f = 0.7 * x; x = f + rng.normal(); return (f, x)
            }
            for _ in 0..<20 { _ = step() }   // burn-in
            let residuals = (0..<n).map { _ in step() }.map { abs($0.actual - $0.forecast) }
            let c = Calibration(horizon: 1, targets: 1, residuals: residuals, scales: [Float](repeating: 1, count: n), inSample: 0)
            let q = c.quantiles(levels: levels, mode: .none)
            for _ in 0..<tests {
                let (f, y) = step()
                for j in levels.indices where abs(y - f) <= q[j] { covered[j] += 1 }
            }
        }
        for (j, p) in levels.enumerated() {
            let coverage = Double(covered[j]) / Double(draws * tests)
            XCTAssertGreaterThan(coverage, p / 100 - 0.01, "level \(p)")
            XCTAssertLessThan(coverage, p / 100 + 1 / Double(n + 1) + 0.01, "level \(p)")
        }
    }

    func testWindowScaledQuantilesUseEachWindowsScale() {
        // Two windows: residual 2 at scale 1 and residual 30 at scale 10 → scaled scores 2 and 3.
        let c = Calibration(horizon: 1, targets: 1, residuals: [2, 30], scales: [1, 10], inSample: 0)
        XCTAssertEqual(c.quantiles(levels: [50], mode: .window), [3])   // ⌈3 · 0.5⌉ = 2nd of [2, 3]
        XCTAssertEqual(c.quantiles(levels: [50], mode: .none), [30])
        XCTAssertEqual(Calibration.windowScale(SeriesMatrix(steps: 4, channels: 1, values: [1, 3, 2, 2]), channels: [0]), [1])
    }

    /// A constant series: every calibration look-back is flat (scale 0), so no window-scaled score
    /// exists; the residuals themselves are the scores (a forecast window takes the typical scale,
    /// 1), not NaN bounds (exploratory testing, 2026-12-02: `nan` in forecast.csv with exit 0).
    func testWindowScaledQuantilesOfFlatWindowsAreTheResiduals() throws {
        let c = Calibration(horizon: 1, targets: 1, residuals: [0, 0.5, 2], scales: [0, 0, 0], inSample: 0)
        XCTAssertEqual(c.quantiles(levels: [50], mode: .window), c.quantiles(levels: [50], mode: .none))
        XCTAssertEqual(c.quantiles(levels: [50], mode: .window), [0.5])
        XCTAssertEqual(c.typicalScales, [1])

        let dir = temporaryDirectory(self)
        let rowsText: [String] = (0..<60).map { (i: Int) -> String in String(format: "%04d-%02d,5", 2000 + i / 12, i % 12 + 1) }
        let text = "month,v\n" + rowsText.joined(separator: "\n") + "\n"
        let path = writeFile(dir, "constant.csv", text)
        let train = try runCLI(["train", "--data", path, "--horizon", "3", "--epochs", "2", "--ensemble", "1", "--out", dir + "/run"])
        XCTAssertEqual(train.status, 0, train.err)
        let out = try runCLI(["forecast", "--model", dir + "/run", "--data", path, "--out", dir + "/f.csv"])
        XCTAssertEqual(out.status, 0, out.err)
        let rows = try String(contentsOfFile: dir + "/f.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(rows.count, 3)
        for row in rows {
            let cells = row.split(separator: ",", omittingEmptySubsequences: false).dropFirst(4).map { Float($0) }
            XCTAssertEqual(cells.count, 5, String(row))
            for v in cells { XCTAssertTrue(v?.isFinite == true, "a bound that is not a number: \(row)") }
            XCTAssertLessThanOrEqual(cells[1]!, cells[0]!); XCTAssertGreaterThanOrEqual(cells[2]!, cells[0]!)
        }
    }

    /// A target the log (or Box–Cox) transform was fitted on is positive by construction, so its
    /// bands stop at 0 (at the point forecast where that is below 0); a symmetric band in original
    /// units reached below 0 near the series' floor (exploratory testing, 2026-12-02). Without the
    /// transform the same data's band does go below 0, and is left as it is.
    func testBandsOfALoggedSeriesStopAtZero() throws {
        let band = Band(lower: [-3, -1, 2, -5, -4, -9], upper: [9, 9, 9, 9, 9, 9])   // K 3, O 1, Lv 2
        XCTAssertEqual(band.flooredAtZero([1, 4, -2], positive: [true]).lower, [0, 0, 2, 0, -2, -2])
        XCTAssertEqual(band.flooredAtZero([1, 4, -2], positive: [false]), band)
        let two = Band(lower: [-3, -1, -2, -5], upper: [9, 9, 9, 9])   // K 2, O 2, Lv 1: target 0 positive, target 1 not
        XCTAssertEqual(two.flooredAtZero([1, 1, 1, 1], positive: [true, false]).lower, [0, -1, 0, -5])

        let dir = temporaryDirectory(self)
        let rows: [String] = (0..<72).map { (i: Int) -> String in
            String(format: "%04d-%02d,%g", 2000 + i / 12, i % 12 + 1, 1 + Double(i % 5) * 0.3 + ((i * 7) % 11 == 0 ? 40 : 0))
        }
        let path = writeFile(dir, "spiky.csv", "month,v\n" + rows.joined(separator: "\n") + "\n")
        func lowerBounds(_ transform: String) throws -> [Float] {
            let train = try runCLI(["train", "--data", path, "--horizon", "3", "--epochs", "2", "--ensemble", "1", "--transform", transform,
                                    "--out", dir + "/" + transform])
            XCTAssertEqual(train.status, 0, train.err)
            let out = try runCLI(["forecast", "--model", dir + "/" + transform, "--data", path, "--out", dir + "/\(transform).csv"])
            XCTAssertEqual(out.status, 0, out.err)
            return try String(contentsOfFile: dir + "/\(transform).csv", encoding: .utf8).split(separator: "\n").dropFirst().flatMap { row in
                let c = row.split(separator: ",").map(String.init)
                return [Float(c[5])!, Float(c[7])!]
            }
        }
        let logged = try lowerBounds("log"), plain = try lowerBounds("none")
        XCTAssertTrue(logged.allSatisfy { $0 >= 0 }, "\(logged)")
        XCTAssertTrue(logged.contains(0), "the floor is reached on this series: \(logged)")
        XCTAssertTrue(plain.contains { $0 < 0 }, "without the log transform the band is not floored: \(plain)")
        let bt = try runCLI(["backtest", "--data", path, "--horizon", "3", "--start", "60", "--epochs", "1", "--ensemble", "1",
                             "--out", dir + "/bt", "--quiet"])
        XCTAssertEqual(bt.status, 0, bt.err)
        let table = try String(contentsOfFile: dir + "/bt/forecasts.csv", encoding: .utf8).split(separator: "\n")
        let header = table[0].split(separator: ",").map(String.init)
        let lo = try XCTUnwrap(header.firstIndex(of: "lo_95"))
        XCTAssertTrue(table.dropFirst().allSatisfy { Float($0.split(separator: ",", omittingEmptySubsequences: false)[lo])! >= 0 })
    }

    /// Levels the calibration windows cannot support (⌈(n+1)p⌉ > n) are named: their bands were the
    /// largest residual, identical for 97.5% and 99.9%, without a word (exploratory testing, 2026-12-02).
    func testLevelsTooHighForTheCalibrationAreNamed() {
        let c = Calibration(horizon: 1, targets: 1, residuals: (0..<40).map(Float.init), scales: [Float](repeating: 1, count: 40), inSample: 0)
        XCTAssertEqual(c.unsupportedLevels([80, 95, 97.5, 99, 99.9]), [99, 99.9])   // ⌈41 · 0.975⌉ = 40 ≤ 40; ⌈41 · 0.99⌉ = 41
        XCTAssertEqual(Calibration.unsupportedNote([99, 99.9], windows: 40),
                       "40 calibration windows: the 99%, 99.9% bands are the largest residual seen and may cover less than asked (99.9% needs at least 999 windows)")
        XCTAssertNil(Calibration.unsupportedNote([], windows: 40))
        XCTAssertEqual(Calibration.unsupportedNote([97.5], windows: 3), "3 calibration windows: the 97.5% band is the largest residual seen and may cover less than asked (97.5% needs at least 39 windows)")
    }

    func testIntervalScoresAgainstHandComputedValues() {
        // Level 80 (α = 0.2): y = 5 inside [4, 6]; y = 10 above [4, 6] by 4; y = 0 below [1, 3] by 1.
        let s = IntervalScore.of(actual: [5, 10, 0], lower: [4, 4, 1], upper: [6, 6, 3], levels: [80], scale: 2)
        XCTAssertEqual(s.coverage[0]!, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(s.width[0]!, 2, accuracy: 1e-12)
        // MSIS = mean(2, 2 + 10·4, 2 + 10·1) / 2 = (2 + 42 + 12) / 3 / 2.
        XCTAssertEqual(s.msis[0]!, 56.0 / 3 / 2, accuracy: 1e-9)
        // Pinball at τ = 0.1 (lower) and 0.9 (upper): y=5: 0.1·1 + 0.1·1; y=10: 0.1·6 + 0.9·4; y=0: 0.9·1 + 0.1·3.
        XCTAssertEqual(s.pinball!, (0.2 + 4.2 + 1.2) / 6, accuracy: 1e-9)
        let none = IntervalScore.of(actual: [1], lower: [.nan], upper: [.nan], levels: [80], scale: 1)
        XCTAssertNil(none.coverage[0]); XCTAssertNil(none.pinball)
    }

    func testNormalQuantileAndSeasonalNaiveBand() {
        XCTAssertEqual(Intervals.normalQuantile(0.975), 1.959964, accuracy: 1e-5)
        XCTAssertEqual(Intervals.normalQuantile(0.9), 1.281552, accuracy: 1e-5)
        XCTAssertEqual(Intervals.normalQuantile(0.01), -2.326348, accuracy: 1e-5)
        // σ = 1, season 4: steps 1–4 ± 1.2816, steps 5–8 ± 1.2816·√2.
        let b = Intervals.seasonalNaive([Float](repeating: 10, count: 8), sigma: [1], season: 4, levels: [80])
        for k in 0..<8 {
            XCTAssertEqual(Double(b.upper[k] - 10), 1.281552 * (k < 4 ? 1 : 2.0.squareRoot()), accuracy: 1e-4)
            XCTAssertEqual(b.upper[k] - 10, 10 - b.lower[k], accuracy: 1e-5)
        }
        XCTAssertTrue(Intervals.seasonalNaive([1], sigma: [nil], season: 1, levels: [80]).lower[0].isNaN)
    }

    func testLevelsAreCheckedByTheSettings() {
        var s = IntervalSettings()
        XCTAssertEqual(s.levels, [80, 95]); XCTAssertEqual(s.method, .conformal)
        s.levels = [120]
        XCTAssertEqual(errorMessage { try s.validate() }, "--levels are percentages in [1, 100), got 120")
        s.levels = [0.8]
        XCTAssertTrue(errorMessage { try s.validate() }.contains("write 80"))
        s.levels = [80, 80]
        XCTAssertTrue(errorMessage { try s.validate() }.contains("twice"))
        XCTAssertEqual(try IntervalSettings.parseLevels("95, 80"), [80, 95])
        XCTAssertTrue(errorMessage { _ = try IntervalSettings.parseLevels("80,abc") }.contains("'abc'"))
    }

    /// A two-member ensemble's calibration residuals are those of the ensemble's forecast (the
    /// members pooled into one forecast), not of each member.
    func testEnsembleCalibratesOnTheEnsembleForecast() throws {
        let data = try DataSource.load(datasetPath("airline.csv"), selection: DataSelection())
        var r = smallRequest(datasetPath("airline.csv"), horizon: 3, epochs: 2, ensemble: 2)
        r.windows.lookback = 12
        r.preprocessing.variants = []   // no baseline: the untrained members' heads differ (with one, they start at zero)
        let (model, _) = try TrainJob.seriesModel(r.settings, data: data)
        let c = try XCTUnwrap(Calibrator.calibrate(model, data: data, threads: 1))
        let p = model.manifest.pipeline!, s = data.series[0]
        let cut = SampleSet.validationCut(count: s.length, valFraction: model.manifest.valFraction)
        let start = cut - 12   // the first validation window
        let w = p.forecastWindow(s.matrix, origin: start + 12, series: s.id)
        let ensemble = Forecaster.forecast(model, pipeline: p, windows: [w], threads: 1)[0]
        for k in 0..<3 { XCTAssertEqual(c.residuals[k], abs(s.matrix[start + 12 + k, 0] - ensemble[k]), accuracy: 1e-4) }
        // 144 rows, cut 115: 27 validation windows, made up to 40 with the 13 most recent training windows.
        XCTAssertEqual(c.count - c.inSample, s.length - start - 12 - 3 + 1)
        XCTAssertEqual(c.count, Calibration.minimumWindows)
        let member = Forecaster.forecast(try Ensemble(manifest: model.manifest, count: 1, seed: 42), pipeline: p, windows: [w], threads: 1)[0]
        XCTAssertNotEqual(member, ensemble, "the members differ, so pooling matters")
    }

    /// For each window of `subset`, the index of the window of `all` with bit-equal residuals and
    /// scales, searched in order after the previous one's; nil when one has none.
    private func positions(of subset: Calibration, in all: Calibration) -> [Int]? {
        let KO = all.horizon * all.targets, O = all.targets
        func row(_ c: Calibration, _ w: Int) -> [UInt32] {
            (c.residuals[(w * KO)..<((w + 1) * KO)] + c.scales[(w * O)..<((w + 1) * O)]).map(\.bitPattern)
        }
        var found: [Int] = [], next = 0
        for w in 0..<subset.count {
            let r = row(subset, w)
            guard let i = (next..<all.count).first(where: { row(all, $0) == r }) else { return nil }
            found.append(i); next = i + 1
        }
        return found
    }

    /// co2_weekly's 2 284 rows have 454 validation windows (K = 4): capped at 50, the calibration
    /// forecasts an evenly spaced 50 of them, from the first to within a step of the last, and their
    /// residuals are the uncapped calibration's, bit for bit. At or above the count nothing changes.
    func testCalibrationCapTakesEvenlySpacedValidationWindows() throws {
        let data = try DataSource.load(datasetPath("co2_weekly.csv"), selection: DataSelection())
        var r = smallRequest(datasetPath("co2_weekly.csv"), horizon: 4, ensemble: 1)
        r.windows.lookback = 12
        let (model, _) = try TrainJob.seriesModel(r.settings, data: data)
        let all = try XCTUnwrap(Calibrator.calibrate(model, data: data, threads: 1, maximumWindows: .max))
        XCTAssertEqual(all.count, 454); XCTAssertEqual(all.inSample, 0)
        XCTAssertEqual(Calibrator.calibrate(model, data: data, threads: 1), all, "below Calibration.maximumWindows")
        XCTAssertEqual(Calibrator.calibrate(model, data: data, threads: 1, maximumWindows: all.count), all)

        let capped = try XCTUnwrap(Calibrator.calibrate(model, data: data, threads: 2, maximumWindows: 50))
        XCTAssertEqual(capped.count, 50); XCTAssertEqual(capped.inSample, 0)
        let chosen = try XCTUnwrap(positions(of: capped, in: all), "every chosen window's residuals are the uncapped ones")
        let step = Double(all.count) / 50   // 9.08
        XCTAssertEqual(chosen.first, 0)
        XCTAssertGreaterThanOrEqual(chosen.last!, all.count - 1 - Int(step.rounded(.up)))
        for (a, b) in zip(chosen, chosen.dropFirst()) { XCTAssertLessThanOrEqual(b - a, Int(step.rounded(.up)), "gap \(a)…\(b)") }
    }

    /// Three series with 57, 97 and 37 validation windows (191), capped at 50: each keeps its share
    /// (within one window of 50 · its count / 191), its windows' residuals the uncapped ones.
    func testCalibrationCapKeepsWindowsOfEverySeries() throws {
        let lengths = [300, 500, 200]
        let series = lengths.enumerated().map { i, n in
            let y = (0..<n).map { t in
                Float(20 + 5 * sin(2 * Double.pi * Double(t) / 12 + Double(i)) + 0.05 * Double(t * (i + 1))
                      + Double((t * 7919 + i * 104729) % 13) / 13)
            }
            return Series(id: "s\(i)", time: [String](), matrix: SeriesMatrix(steps: n, channels: 1, values: y))
        }
        let data = SeriesCollection(source: "three", channels: ["y"], targetCount: 1, series: series, timeAxis: nil, missingCount: 0)
        var r = smallRequest("three", horizon: 4, ensemble: 1)
        r.windows.lookback = 12
        let (model, _) = try TrainJob.seriesModel(r.settings, data: data)
        let all = try XCTUnwrap(Calibrator.calibrate(model, data: data, threads: 1, maximumWindows: .max))
        let counts = lengths.map { $0 - SampleSet.validationCut(count: $0, valFraction: model.manifest.valFraction) - 4 + 1 }
        XCTAssertEqual(counts, [57, 97, 37]); XCTAssertEqual(all.count, 191)

        let capped = try XCTUnwrap(Calibrator.calibrate(model, data: data, threads: 1, maximumWindows: 50))
        XCTAssertEqual(capped.count, 50)
        let chosen = try XCTUnwrap(positions(of: capped, in: all))
        let firsts = counts.indices.map { counts.prefix($0).reduce(0, +) }   // each series' first window in `all`
        for (i, count) in counts.enumerated() {
            let own = chosen.filter { (firsts[i]..<(firsts[i] + count)).contains($0) }.count
            XCTAssertEqual(Double(own), 50 * Double(count) / 191, accuracy: 1, "series s\(i)")
        }
    }

    /// The calibration keeps only the rows its chosen windows read (from the first look-back and
    /// Theta's history on) while it forecasts them: the residuals and scales are those of the same
    /// windows forecast from the whole series, bit for bit — with Theta mixed with the damped trend
    /// (the calibration mixes the stored parts, the forecast mixes in the window).
    func testCalibrationOnTheRowsItReadsIsThatOfTheWholeSeries() throws {
        let data = try DataSource.load(datasetPath("co2_weekly.csv"), selection: DataSelection())
        var r = smallRequest(datasetPath("co2_weekly.csv"), horizon: 4, ensemble: 1)
        r.windows.lookback = 12
        let (model, _) = try TrainJob.seriesModel(r.settings, data: data)
        XCTAssertNotNil(model.manifest.pipeline?.theta?.damped)
        model.manifest.updatePipeline { $0.theta?.weight = 0.3; $0.theta?.damped = 0.4 }
        var pipeline = try XCTUnwrap(model.manifest.pipeline)
        pipeline.spec.stride = 1
        let theta = try XCTUnwrap(pipeline.theta, "Theta's history is part of what is read")
        let s = data.series[0], L = 12, K = 4, O = pipeline.targets.count
        let cut = SampleSet.validationCut(count: s.length, valFraction: model.manifest.valFraction)
        let starts = pipeline.validStarts(s.matrix, in: (cut - L)..<s.length)
        let chosen = (0..<60).map { starts[$0 * starts.count / 60] }
        XCTAssertGreaterThanOrEqual(chosen[0] + L - max(Theta.historyCap, 6 * theta.season), s.length / 2, "only the rows read are kept")

        // Also with the target forecast by the statistical member alone (Pipeline.statisticalOnly).
        for alone in [false, true] {
            if alone { model.manifest.updatePipeline { $0.statisticalOnly = [true] }; pipeline.statisticalOnly = [true] }
            let calibration = try XCTUnwrap(Calibrator.calibrate(model, data: data, threads: 2, maximumWindows: 60))
            let windows = chosen.map { pipeline.forecastWindow(s.matrix, origin: $0 + L, series: s.id) }
            let predictions = Forecaster.forecast(model, pipeline: pipeline, windows: windows, threads: 1)
            if alone { XCTAssertEqual(predictions.map { $0 }, windows.map(\.theta), "the statistical member's forecast") }
            var residuals = [Float](), scales = [Float]()
            for (start, p) in zip(chosen, predictions) {
                for k in 0..<K { for (o, c) in pipeline.targets.enumerated() { residuals.append(abs(s.matrix[start + L + k, c] - p[k * O + o])) } }
                scales += Calibration.windowScale(s.matrix.rows(start..<(start + L)), channels: pipeline.targets)
            }
            XCTAssertEqual(calibration.residuals.map(\.bitPattern), residuals.map(\.bitPattern), "alone: \(alone)")
            XCTAssertEqual(calibration.scales.map(\.bitPattern), scales.map(\.bitPattern))
        }
        XCTAssertEqual(data.series[0].length, s.length, "the caller's data is whole")
    }

    func testBacktestIntervalsAreIdenticalAcrossThreadsAndReproducible() throws {
        var r = BacktestRequest(train: smallRequest(datasetPath("airline.csv"), horizon: 6, ensemble: 2))
        r.backtest.start = .fraction(0.85)
        let one = try BacktestJob.run(r)
        r.train.run.threads = 2
        let two = try BacktestJob.run(r), again = try BacktestJob.run(r)
        XCTAssertEqual(one.levels, [80, 95])
        XCTAssertNotNil(one.windows[0].bands.model); XCTAssertNotNil(one.windows[0].bands.seasonalNaive)
        XCTAssertNil(one.windows[0].bands.naive)
        XCTAssertEqual(one.windows.map(\.bands.model), two.windows.map(\.bands.model))
        XCTAssertEqual(two.windows.map(\.bands.model), again.windows.map(\.bands.model))
        XCTAssertEqual(one.overallIntervals.model, two.overallIntervals.model)
        for w in one.windows {
            let b = w.bands.model!
            for i in 0..<(6 * 2) where i % 2 == 0 {   // [K, O = 1, Lv = 2]: the 95% band holds the 80% band
                XCTAssertLessThanOrEqual(b.lower[i + 1], b.lower[i]); XCTAssertGreaterThanOrEqual(b.upper[i + 1], b.upper[i])
                XCTAssertLessThan(b.lower[i], w.forecast[i / 2]); XCTAssertGreaterThan(b.upper[i], w.forecast[i / 2])
            }
        }
        let cover = try XCTUnwrap(one.overallIntervals.model?.coverage[1])
        XCTAssertTrue((0...1).contains(cover))
        XCTAssertEqual(one.perStepIntervals.model?.count, 6)

        let dir = temporaryDirectory(self)
        try one.write(to: dir, config: r.config)
        let csv = try String(contentsOfFile: dir + "/forecasts.csv", encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("origin,series,step,time,variable,actual,forecast,naive,seasonal_naive,lo_80,hi_80,lo_95,hi_95,seasonal_naive_lo_80,"), csv)
        let metrics = try String(contentsOfFile: dir + "/metrics.csv", encoding: .utf8)
        XCTAssertTrue(metrics.hasPrefix("scope,origin,series,step,method,mae,rmse,mape,smape,mase,coverage_80,width_80,msis_80,coverage_95,width_95,msis_95,pinball\n"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as! [String: Any]
        let iv = try XCTUnwrap(summary["intervals"] as? [String: Any])
        XCTAssertEqual(iv["method"] as? String, "conformal")
        XCTAssertNotNil(((iv["seasonal_naive"] as? [String: Any])?["msis"] as? [String: Any])?["95"] as? Double)
        let f = try HDF5File.open(dir + "/forecasts.h5")
        XCTAssertEqual(try f.read("forecast_lower").shape, [one.windows.count, 6, 1, 2])
        XCTAssertTrue(one.table.contains("cover80%"))

        r.intervals.method = .none
        let plain = try BacktestJob.run(r)
        XCTAssertTrue(plain.levels.isEmpty)
        XCTAssertEqual(plain.windows.map(\.forecast), two.windows.map(\.forecast), "intervals do not change the point forecasts")
    }

    func testTrainStoresTheCalibrationAndForecastWritesTheBands() throws {
        let dir = temporaryDirectory(self)
        var r = smallRequest(datasetPath("airline.csv"), out: dir + "/run", horizon: 4, epochs: 2, ensemble: 2)
        r.windows.lookback = 12
        _ = try TrainJob.runCalibrated(r)
        let model = try ModelFile.load(dir + "/run")
        let c = try XCTUnwrap(model.calibration)
        XCTAssertGreaterThanOrEqual(c.count, Calibration.minimumWindows)
        XCTAssertEqual(c.horizon, 4)
        let data = try DataSource.load(datasetPath("airline.csv"), selection: model.manifest.selection)
        XCTAssertEqual(c, Calibrator.calibrate(model, data: data, threads: 2), "stored as computed, whatever the threads")

        let out = try runCLI(["forecast", "--model", dir + "/run", "--data", datasetPath("airline.csv"), "--levels", "90",
                              "--out", dir + "/f.csv"])
        XCTAssertEqual(out.status, 0, out.err)
        let lines = try String(contentsOfFile: dir + "/f.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines[0], "series,time,step,variable,value,lo_90,hi_90")
        let cells = lines[1].split(separator: ",").map { Float($0) }
        XCTAssertLessThan(cells[5]!, cells[4]!); XCTAssertGreaterThan(cells[6]!, cells[4]!)

        XCTAssertEqual(try runCLI(["forecast", "--model", dir + "/run", "--data", datasetPath("airline.csv"),
                                   "--out", dir + "/f.h5"]).status, 0)
        let forecast = try Forecaster.forecast(model, data: data, threads: 1)
        XCTAssertEqual(forecast.levels, [80, 95])
        try forecast.writeBack(input: datasetPath("airline.h5"), output: dir + "/wb.h5", name: "fc")
        for (path, name) in [(dir + "/f.h5", "forecast"), (dir + "/wb.h5", "fc")] {
            let f = try HDF5File.open(path)
            XCTAssertEqual(try f.read(name + "_lower").shape, [1, 4, 1, 2])
            XCTAssertEqual(try f.read(name + "_upper").shape, [1, 4, 1, 2])
        }
        let bad = try runCLI(["forecast", "--model", dir + "/run", "--data", datasetPath("airline.csv"), "--levels", "120",
                              "--out", dir + "/bad.csv"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("--levels are percentages in [1, 100), got 120"), bad.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/bad.csv"))
    }

    func testAModelWithoutCalibrationForecastsPointsOnly() throws {
        let dir = temporaryDirectory(self)
        _ = try TrainJob.run(smallRequest(datasetPath("airline.csv"), out: dir + "/run", epochs: 1, ensemble: 1))
        XCTAssertNil(try ModelFile.load(dir + "/run").calibration)
        let out = try runCLI(["forecast", "--model", dir + "/run", "--data", datasetPath("airline.csv"), "--out", dir + "/f.csv"])
        XCTAssertEqual(out.status, 0, out.err)
        XCTAssertTrue(out.out.contains("no calibration residuals"), out.out)
        XCTAssertTrue(try String(contentsOfFile: dir + "/f.csv", encoding: .utf8).hasPrefix("series,time,step,variable,value\n"))
    }

    /// An untrained model (no baseline, so its head is not zero) with the given recurrent dropout, and
    /// forecast windows of airline's last rows.
    private func dropoutModel(_ rate: Float, ensemble: Int) throws -> (Ensemble, Pipeline, [ForecastWindow]) {
        let data = try DataSource.load(datasetPath("airline.csv"), selection: DataSelection())
        var r = smallRequest(datasetPath("airline.csv"), horizon: 4, ensemble: ensemble)
        r.windows.lookback = 12; r.preprocessing.variants = []; r.architecture.recurrentDropout = rate
        let (model, _) = try TrainJob.seriesModel(r.settings, data: data)
        let p = model.manifest.pipeline!, m = data.series[0].matrix
        let windows = [100, 120, 132].map { p.forecastWindow(m, origin: $0, series: "airline") }
        return (model, p, windows)
    }

    func testMCDropoutWithoutDropoutGivesZeroWidth() throws {
        let (model, p, windows) = try dropoutModel(0, ensemble: 2)
        var s = IntervalSettings(); s.method = .mcDropout; s.samples = 5
        let point = Forecaster.forecast(model, pipeline: p, windows: windows, threads: 1)
        for (b, f) in zip(Intervals.mcDropout(model, pipeline: p, windows: windows, point: point, settings: s, threads: 1), point) {
            for i in f.indices { for j in 0..<2 { XCTAssertEqual(b.lower[i * 2 + j], f[i]); XCTAssertEqual(b.upper[i * 2 + j], f[i]) } }
        }
    }

    func testMCDropoutIsReproducibleAndIdenticalAcrossThreads() throws {
        let (model, p, windows) = try dropoutModel(0.3, ensemble: 2)
        var s = IntervalSettings(); s.method = .mcDropout; s.samples = 20
        let point = Forecaster.forecast(model, pipeline: p, windows: windows, threads: 1)
        let one = Intervals.mcDropout(model, pipeline: p, windows: windows, point: point, settings: s, threads: 1)
        XCTAssertEqual(one, Intervals.mcDropout(model, pipeline: p, windows: windows, point: point, settings: s, threads: 2))
        let b = one[0]
        for i in 0..<4 {
            XCTAssertGreaterThan(b.upper[i * 2] - b.lower[i * 2], 0, "dropout on: the draws differ")
            XCTAssertGreaterThanOrEqual(b.upper[i * 2 + 1] - b.lower[i * 2 + 1], b.upper[i * 2] - b.lower[i * 2], "95% holds 80%")
        }
        // The bands are centred on the point forecast (the draws' median moved onto it): every point
        // lies inside its own bands.
        for (band, f) in zip(one, point) {
            for i in f.indices { for j in 0..<2 { XCTAssertLessThanOrEqual(band.lower[i * 2 + j], f[i]); XCTAssertGreaterThanOrEqual(band.upper[i * 2 + j], f[i]) } }
        }
        // The draws pool the members: a one-member ensemble's band differs from the two-member one's.
        let single = try Ensemble(manifest: model.manifest, count: 1, seed: 42)
        let singlePoint = Forecaster.forecast(single, pipeline: p, windows: windows, threads: 1)
        XCTAssertNotEqual(Intervals.mcDropout(single, pipeline: p, windows: windows, point: singlePoint, settings: s, threads: 1)[0], b)
        XCTAssertEqual(Intervals.empiricalQuantile([1, 2, 3, 4, 5], 0.1), 1.4, accuracy: 1e-6)
        // Draws 0…10 (median 5) around a point of 100 (with --layer-norm the dropout-free point sat
        // beside the draws): the 80% band is the draws' 10%–90% range moved onto the point.
        let centred = Intervals.centredBounds((0...10).map(Float.init), point: 100, levels: [80, 95])
        XCTAssertEqual(centred[0].0, 96, accuracy: 1e-5); XCTAssertEqual(centred[0].1, 104, accuracy: 1e-5)
        XCTAssertEqual(centred[1].0, 95.25, accuracy: 1e-5); XCTAssertEqual(centred[1].1, 104.75, accuracy: 1e-5)
    }

    func testQuantilesAreSortedAndMembersPooledAsAMixture() {
        XCTAssertEqual(Forecaster.sortedQuantiles([3, 1, 2, 6, 5, 4], count: 3), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(ArchitectureSettings.quantiles(levels: [80, 95]), [0.025, 0.1, 0.5, 0.9, 0.975])
        let taus: [Float] = [0.1, 0.5, 0.9]
        XCTAssertEqual(Intervals.mixtureQuantile([[0, 1, 2]], taus: taus, index: 0), 0, "one member: its own quantile")
        // Members at 0…2 and 10…12: the mixture's 10% quantile is where member A's CDF reaches 0.2
        // (0.25), its 90% where B's reaches 0.8 (11.75) — not the mean of the bounds (5 and 7).
        let pooled = [[Float(0), 1, 2], [10, 11, 12]]
        XCTAssertEqual(Intervals.mixtureQuantile(pooled, taus: taus, index: 0), 0.25, accuracy: 1e-3)
        XCTAssertEqual(Intervals.mixtureQuantile(pooled, taus: taus, index: 2), 11.75, accuracy: 1e-3)
    }

    func testQuantileHeadTrainsForecastsAndBacktests() throws {
        let dir = temporaryDirectory(self)
        var t = smallRequest(datasetPath("airline.csv"), out: dir + "/run", horizon: 4, epochs: 3, ensemble: 2)
        t.architecture.quantileLevels = [80]
        _ = try TrainJob.runCalibrated(t)
        let model = try ModelFile.load(dir + "/run")
        XCTAssertEqual(model.manifest.model.quantiles, [0.1, 0.5, 0.9])
        XCTAssertEqual(model.manifest.model.architecture.quantileLevels, [80])
        let ok = try runCLI(["forecast", "--model", dir + "/run", "--data", datasetPath("airline.csv"), "--interval-method", "quantile",
                             "--levels", "80", "--out", dir + "/q.csv"])
        XCTAssertEqual(ok.status, 0, ok.err)
        let row = try String(contentsOfFile: dir + "/q.csv", encoding: .utf8).split(separator: "\n")[1].split(separator: ",").map { Float($0) }
        XCTAssertLessThanOrEqual(row[5]!, row[6]!)
        let bad = try runCLI(["forecast", "--model", dir + "/run", "--data", datasetPath("airline.csv"), "--interval-method", "quantile",
                              "--out", dir + "/bad.csv"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("trained for levels 80"), bad.err)

        var r = BacktestRequest(train: smallRequest(datasetPath("airline.csv"), horizon: 4, ensemble: 2))
        r.backtest.start = .fraction(0.9); r.intervals.method = .quantile
        let one = try BacktestJob.run(r)
        r.train.run.threads = 2
        let two = try BacktestJob.run(r)
        XCTAssertEqual(one.windows.map(\.bands.model), two.windows.map(\.bands.model))
        for w in one.windows {
            let b = try XCTUnwrap(w.bands.model)
            for i in 0..<4 {
                XCTAssertLessThanOrEqual(b.lower[i * 2 + 1], b.lower[i * 2]); XCTAssertLessThanOrEqual(b.lower[i * 2], b.upper[i * 2])
                XCTAssertLessThanOrEqual(b.upper[i * 2], b.upper[i * 2 + 1])
            }
        }
        XCTAssertEqual(try r.resolved().train.architecture.quantileLevels, [80, 95])
        r.train.architecture.quantileLevels = [80]
        XCTAssertTrue(errorMessage { _ = try r.resolved() }.contains("--levels 95 is not among --quantile-levels 80"))
    }
}
