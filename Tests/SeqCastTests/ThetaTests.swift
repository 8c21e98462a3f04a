// The Theta member (Preprocessing/Theta.swift): its forecasts against an independent implementation
// (numpy, scripts/offline-combinations.py), when it does not apply, that it reads only the history
// before a window's origin (at most Theta.historyCap rows, from the last gap on), its share of the
// final combination, its automatic weight from the validation windows, and that the choice is
// stored with the model (and absent from older ones); the seasonality test it shares with
// deseasonalising, read in place, against the list-based code.
import Foundation
import XCTest
@testable import SeqCast

final class ThetaTests: XCTestCase {
    private func airline() throws -> [Double] {
        let data = try DataSource.load(datasetPath("airline.csv"), selection: DataSelection())
        let m = data.series[0].matrix
        return (0..<m.steps).map { Double(m[$0, 0]) }
    }

    /// The first 100 airline values, h = 6: with m = 12 (the seasonality test passes, multiplicative
    /// indices of the last 5 seasons) and without a season. Reference: `theta()` of
    /// scripts/offline-combinations.py (numpy), printed to 4 decimals.
    func testForecastsMatchTheReferenceImplementation() throws {
        let y = Array(try airline().prefix(100))
        let seasonal = try XCTUnwrap(Theta.forecast(y, season: 12, horizon: 6))
        for (a, b) in zip(seasonal, [348.0745, 395.8852, 436.4663, 432.4484, 377.9081, 332.2250]) { XCTAssertEqual(a, b, accuracy: 2e-3) }
        let plain = try XCTUnwrap(Theta.forecast(y, season: 1, horizon: 6))
        for (a, b) in zip(plain, [349.2535, 350.4208, 351.5880, 352.7553, 353.9225, 355.0897]) { XCTAssertEqual(a, b, accuracy: 2e-3) }
    }

    /// Too short, a zero, a negative value or a gap: no Theta forecast.
    func testDoesNotApplyToShortNonPositiveOrGappedHistories() {
        XCTAssertNil(Theta.forecast([1, 2], season: 1, horizon: 3))
        XCTAssertNil(Theta.forecast([1, 2, 0, 4], season: 1, horizon: 3))
        XCTAssertNil(Theta.forecast([1, 2, -3, 4], season: 1, horizon: 3))
        XCTAssertNil(Theta.forecast([1, 2, .nan, 4], season: 1, horizon: 3))
        XCTAssertNotNil(Theta.forecast([1, 2, 3], season: 1, horizon: 3))
    }

    /// A window's Theta forecast reads the rows before its origin only, at most `historyCap` of
    /// them, and from the last gap on; a target it does not apply to gets NaN.
    func testWindowForecastReadsOnlyTheHistoryBeforeItsOrigin() throws {
        let y = try airline()
        let n = 700, origin = 650
        var values = [Float]()
        for t in 0..<n { values += [Float(y[t % y.count]) + Float(t), t == 600 ? -1 : 5 + Float(t % 7)] }   // 2 targets
        let m = SeriesMatrix(steps: n, channels: 2, values: values)
        let f = Theta.forecasts(m, origin: origin, targets: [0, 1], season: 12, horizon: 4).theta
        let first = try XCTUnwrap(Theta.forecast((origin - Theta.historyCap..<origin).map { Double(m[$0, 0]) }, season: 12, horizon: 4))
        for k in 0..<4 { XCTAssertEqual(f[k * 2], Float(first[k])); XCTAssertTrue(f[k * 2 + 1].isNaN, "a negative value in its history") }
        var later = m
        for t in origin..<n { later.values[t * 2] *= 3 }
        XCTAssertEqual(Theta.forecasts(later, origin: origin, targets: [0], season: 12, horizon: 4).theta, (0..<4).map { f[$0 * 2] })
        var gapped = m
        gapped.values[620 * 2] = .nan
        let afterGap = try XCTUnwrap(Theta.forecast((621..<origin).map { Double(m[$0, 0]) }, season: 12, horizon: 4))
        XCTAssertEqual(Theta.forecasts(gapped, origin: origin, targets: [0], season: 12, horizon: 4).theta, afterGap.map { Float($0) })
    }

    /// An untrained model (head at zero) forecasts (1 − θ)·baseline + θ·Theta; with a zero in the
    /// history Theta does not apply and the baseline alone is left; --theta-weight 0 takes it out.
    func testUntrainedModelForecastsItsBaselineAndTheta() throws {
        let dir = temporaryDirectory(self)
        var r = TrainRequest(dataPath: datasetPath("airline.csv"), outDir: dir)
        r.windows.horizon = 6; r.preprocessing.variants = [VariantSpec(.seasonal)]; r.training.ensemble = 2
        r.preprocessing.thetaWeight = .fixed(0.25)
        let data = try DataSource.load(r.data.path, selection: r.data.selection)
        let (model, _) = try TrainJob.seriesModel(r.settings, data: data)
        let p = try XCTUnwrap(model.manifest.pipeline)
        XCTAssertEqual(p.theta, ThetaMember(weight: 0.25, season: 12))
        XCTAssertTrue(p.summary(names: ["Passengers"]).hasSuffix("Theta weight 0.25"), p.summary(names: ["Passengers"]))
        let y = try airline(), n = y.count
        let theta = try XCTUnwrap(Theta.forecast(y, season: 12, horizon: 6))
        let f = try Forecaster.forecast(model, data: data)
        for k in 0..<6 {
            let expected = 0.75 * Float(y[n - 12 + k]) + 0.25 * Float(theta[k])
            XCTAssertEqual(f.values[0][k], expected, accuracy: 1e-3 * expected, "step \(k)")
        }
        var zero = data
        zero.series[0].matrix.values[10] = 0
        let g = try Forecaster.forecast(model, data: zero)
        for k in 0..<6 { XCTAssertEqual(g.values[0][k], Float(y[n - 12 + k]), accuracy: 1e-3 * Float(y[n - 12 + k])) }
        r.preprocessing.thetaWeight = .fixed(0)
        XCTAssertNil(try TrainJob.seriesModel(r.settings, data: data).model.manifest.pipeline?.theta)
    }

    /// The member is stored with the pipeline; a pipeline stored before it existed has none, and a
    /// run's settings stored before it existed (a per-series index) decode as none too.
    func testStoredWithThePipelineAndAbsentFromOlderOnes() throws {
        let p = Pipeline(spec: WindowSpec(lookback: 24, horizon: 6), scaler: Scaler.fit(.window, channels: 1, parts: []),
                         inputs: [0], targets: [0], variants: [PipelineVariant(transforms: [], baselineLags: [12])],
                         baselineWeight: -1, baselineLags: [12], theta: ThetaMember(weight: 0.25, season: 12))
        let json = try JSONEncoder().encode(p)
        XCTAssertEqual(try JSONDecoder().decode(Pipeline.self, from: json), p)
        var old = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        old["theta"] = nil
        XCTAssertNil(try JSONDecoder().decode(Pipeline.self, from: JSONSerialization.data(withJSONObject: old)).theta)
        var settings = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(PreprocessingSettings())) as? [String: Any])
        XCTAssertNotNil(settings["thetaWeight"])
        func decoded(_ stored: Any?) throws -> CombinationWeight? {
            settings["thetaWeight"] = stored
            return try JSONDecoder().decode(PreprocessingSettings.self, from: JSONSerialization.data(withJSONObject: settings)).thetaWeight
        }
        XCTAssertNil(try decoded(nil))
        XCTAssertEqual(try decoded(0.25), .fixed(0.25), "stored as a number before auto existed")
        XCTAssertEqual(try decoded("auto"), .auto)
        XCTAssertEqual(try decoded("0.5"), .fixed(0.5))
        XCTAssertThrowsError(try decoded("most"))
        // A member stored before auto existed is a fixed one.
        var member = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(ThetaMember(weight: 0.3, season: 12, fromValidation: true))) as? [String: Any])
        member["fromValidation"] = nil
        XCTAssertEqual(try JSONDecoder().decode(ThetaMember.self, from: JSONSerialization.data(withJSONObject: member)), ThetaMember(weight: 0.3, season: 12))
    }

    /// `--theta-weight auto` (the default): after training, the damped trend's share of the statistical
    /// member is the inverse-MAE weight of Theta T and the damped trend H, ρ = MAE(T) / (MAE(T) + MAE(H)),
    /// and Theta's weight the inverse-MAE weight of the network's combination D and that member
    /// S = (1 − ρ)T + ρH, θ = MAE(D) / (MAE(D) + MAE(S)), over the validation windows — computed here
    /// independently from the stored model's own forecasts of those windows; both are stored in
    /// model.h5 and the calibration scores the forecasts made with them.
    func testAutomaticWeightIsInverseMAEOnTheValidationWindows() throws {
        let dir = temporaryDirectory(self)
        var r = TrainRequest(dataPath: datasetPath("airline.csv"), outDir: dir + "/run")
        r.windows.horizon = 6; r.windows.lookback = 24; r.architecture.hidden = 6; r.training.epochs = 3; r.training.ensemble = 2
        XCTAssertEqual(r.preprocessing.thetaWeight, .auto, "the default")
        let data = try DataSource.load(r.data.path, selection: r.data.selection)
        let untrained = try XCTUnwrap(TrainJob.seriesModel(r.settings, data: data).model.manifest.pipeline?.theta)
        XCTAssertEqual(untrained, ThetaMember(weight: ThetaMember.fallbackWeight, season: 12, fromValidation: true, damped: 0))
        _ = try TrainJob.runCalibrated(r)
        let model = try ModelFile.load(dir + "/run")
        let pipeline = try XCTUnwrap(model.manifest.pipeline), chosen = try XCTUnwrap(pipeline.theta)
        let share = try XCTUnwrap(chosen.damped)
        XCTAssertEqual(chosen.fromValidation, true)
        XCTAssertTrue(pipeline.summary(names: ["Passengers"]).hasSuffix(String(format: "Theta weight %.2f (damped-trend share %.2f) (auto)", chosen.weight, share)))
        // T and H: the windows of the pipeline with the share 0 (Theta unmixed, the damped trend beside it).
        var parts = pipeline
        parts.theta?.damped = 0
        // D: the stored model with Theta's weight 0, on every validation window (the last 20% of targets).
        var networkOnly = pipeline
        networkOnly.theta?.weight = 0
        let m = data.series[0].matrix, L = 24, K = 6
        let cut = SampleSet.validationCut(count: m.steps, valFraction: model.manifest.valFraction)
        let starts = Array(max(0, cut - L)...(m.steps - L - K))
        let windows = starts.map { parts.forecastWindow(m, origin: $0 + L, parts: true) }
        let d = Forecaster.forecast(model, pipeline: networkOnly, windows: windows, threads: 1)
        var errT = 0.0, errH = 0.0
        for (i, s) in starts.enumerated() {
            for k in 0..<K {
                let y = Double(m[s + L + k, 0])
                errT += abs(y - Double(windows[i].theta[k])); errH += abs(y - Double(windows[i].damped[k]))
            }
        }
        XCTAssertEqual(Double(share), errT / (errT + errH), accuracy: 1e-5)
        XCTAssertGreaterThan(share, 0)
        var errD = 0.0, errS = 0.0
        for (i, s) in starts.enumerated() {
            for k in 0..<K {
                let y = Double(m[s + L + k, 0]), rho = Double(share)
                errD += abs(y - Double(d[i][k]))
                errS += abs(y - ((1 - rho) * Double(windows[i].theta[k]) + rho * Double(windows[i].damped[k])))
            }
        }
        XCTAssertEqual(Double(chosen.weight), errD / (errD + errS), accuracy: 1e-5)
        XCTAssertNotEqual(chosen.weight, ThetaMember.fallbackWeight)
        // The stored model's windows carry the mixed member.
        let mixed = pipeline.forecastWindow(m, origin: starts[0] + L)
        XCTAssertEqual(Double(mixed.theta[0]), (1 - Double(share)) * Double(windows[0].theta[0]) + Double(share) * Double(windows[0].damped[0]), accuracy: 1e-3)
        // The calibration stored with them is the one they give; with another weight or share it differs.
        let stored = try XCTUnwrap(model.calibration)
        XCTAssertEqual(stored, Calibrator.calibrate(model, data: data, threads: 2))
        model.manifest.updatePipeline { $0.theta?.damped = 0 }
        XCTAssertNotEqual(stored.residuals, Calibrator.calibrate(model, data: data, threads: 1)?.residuals)
        model.manifest.updatePipeline { $0.theta?.damped = share; $0.theta?.weight = 0.25 }
        XCTAssertNotEqual(stored.residuals, Calibrator.calibrate(model, data: data, threads: 1)?.residuals)
    }

    /// A backtest's forecasts do not change when the values after each origin do (Theta is fitted on
    /// the history before the origin, the network on the training part).
    func testBacktestForecastsIgnoreTheValuesTheyForecast() throws {
        let dir = temporaryDirectory(self)
        let lines = try String(contentsOfFile: datasetPath("airline.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        let changed = lines.enumerated().map { i, l -> String in
            guard i > 132 else { return l }   // the last 12 rows: the second origin's test window
            let f = l.split(separator: ","); return "\(f[0]),\(Double(f[1])! * 3)"
        }
        let a = writeFile(dir, "a.csv", lines.joined(separator: "\n") + "\n"), b = writeFile(dir, "b.csv", changed.joined(separator: "\n") + "\n")
        func forecasts(_ data: String, _ out: String, theta: String = "0.25") throws -> [Substring] {
            let r = try runCLI(["backtest", "--data", data, "--horizon", "12", "--start", "120", "--origin-stride", "12",
                                "--hidden", "6", "--epochs", "2", "--ensemble", "2", "--theta-weight", theta,
                                "--out", dir + "/" + out, "--quiet"])
            XCTAssertEqual(r.status, 0, r.err)
            let rows = try String(contentsOfFile: dir + "/\(out)/forecasts.csv", encoding: .utf8).split(separator: "\n")
            let column = try XCTUnwrap(rows[0].split(separator: ",").firstIndex(of: "forecast"))
            return rows.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[column] }
        }
        let fa = try forecasts(a, "a"), fb = try forecasts(b, "b")
        XCTAssertEqual(fa.count, 24)
        XCTAssertEqual(fa, fb)
        XCTAssertNotEqual(fa, try forecasts(a, "none", theta: "0"), "the backtest's windows carry Theta")
        // The automatic weight is chosen on the training part's validation windows: the same.
        let autoA = try forecasts(a, "auto-a", theta: "auto")
        // The fits' pipelines differ only in Theta's weight and the damped trend's share: one
        // configuration, with their ranges.
        let printed = try runCLI(["backtest", "--data", a, "--horizon", "12", "--start", "0.7",
                                  "--hidden", "6", "--epochs", "2", "--ensemble", "2", "--out", dir + "/printed", "--quiet"])
        let configuration = try XCTUnwrap(printed.out.split(separator: "\n").first { $0.hasPrefix("configuration:") })
        XCTAssertEqual(configuration.components(separatedBy: "Theta weight").count, 2, String(configuration))
        XCTAssertTrue(configuration.contains(try Regex("Theta weight 0\\.[0-9]{2}(–0\\.[0-9]{2})? \\(damped-trend share [01]\\.[0-9]{2}(–[01]\\.[0-9]{2})?\\) \\(auto\\)$")), String(configuration))
        XCTAssertEqual(autoA, try forecasts(b, "auto-b", theta: "auto"))
        XCTAssertNotEqual(autoA, fa)
        for (flag, message) in [("2", "--theta-weight must be auto or a number in [0, 1], got 2.0"),
                                ("most", "--theta-weight must be auto or a number in [0, 1], got 'most'")] {
            let bad = try runCLI(["backtest", "--data", a, "--horizon", "12", "--theta-weight", flag, "--out", dir + "/bad"])
            XCTAssertNotEqual(bad.status, 0)
            XCTAssertTrue(bad.err.contains(message), bad.err)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/bad"))
        }
    }

    /// With `--val-fraction 0` no validation window exists: the automatic weight keeps the fallback ¼
    /// and the damped trend's share 0 (the calibration then stands on training windows alone).
    func testAutomaticWeightWithoutValidationWindowsKeepsTheFallback() throws {
        let dir = temporaryDirectory(self)
        var r = TrainRequest(dataPath: datasetPath("airline.csv"), outDir: dir + "/run")
        r.windows.horizon = 6; r.windows.lookback = 24; r.windows.valFraction = 0
        r.architecture.hidden = 6; r.training.epochs = 2; r.training.ensemble = 1
        _ = try TrainJob.runCalibrated(r)
        let model = try ModelFile.load(dir + "/run")
        XCTAssertEqual(model.manifest.pipeline?.theta, ThetaMember(weight: ThetaMember.fallbackWeight, season: 12, fromValidation: true, damped: 0))
        XCTAssertEqual(model.calibration?.inSample, model.calibration?.count, "training windows only")
    }

    /// The conformal calibration scores the forecasts the model makes, Theta's share included.
    func testCalibrationScoresTheForecastWithTheta() throws {
        let data = try DataSource.load(datasetPath("airline.csv"), selection: DataSelection())
        var r = TrainRequest(dataPath: datasetPath("airline.csv"), outDir: temporaryDirectory(self))
        r.windows.horizon = 6; r.training.ensemble = 2
        let (model, _) = try TrainJob.seriesModel(r.settings, data: data)
        let with = try XCTUnwrap(Calibrator.calibrate(model, data: data, threads: 1))
        model.manifest.updatePipeline { $0.theta = nil }
        let without = try XCTUnwrap(Calibrator.calibrate(model, data: data, threads: 1))
        XCTAssertEqual(with.count, without.count)
        XCTAssertNotEqual(with.residuals, without.residuals)
    }

    /// The seasonality test reads a part's values where they are (no lists of Doubles): the same
    /// statistic, bit for bit, as the list-based code it replaced, with and without gaps, below,
    /// near and above the bound. (The seasonal indices are checked against numbers by
    /// `testForecastsMatchTheReferenceImplementation` and the deseasonalising tests.)
    func testSeasonalityReadInPlaceIsThatOfTheLists() {
        func listStatistic(_ x: [Double], _ m: Int) -> (Double, Double)? {   // the list-based code it replaced
            let n = x.count
            guard m > 1, n >= 3 * m else { return nil }
            let mean = x.reduce(0, +) / Double(n)
            let c = x.map { $0 - mean }
            let v = c.reduce(0) { $0 + $1 * $1 }
            guard v > 0 else { return nil }
            func r(_ k: Int) -> Double { (0..<(n - k)).reduce(0.0) { $0 + c[$1] * c[$1 + k] } / v }
            var sum = 1.0
            for k in 1..<m { let rk = r(k); sum += 2 * rk * rk }
            return (abs(r(m)), 1.645 * (sum / Double(n)).squareRoot())
        }
        var state: UInt64 = 11
        func noise() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 40) / Double(1 << 24) - 0.5
        }
        var verdicts = Set<Bool>()
        for m in [4, 12, 24] {
            for amplitude in [0, 0.02, 0.1, 1.0] {
                for gaps in [false, true] {
                    let steps = 40 * m
                    var values = [Float]()
                    for t in 0..<steps {
                        values.append(Float(t))
                        let gap = gaps && (t % 37 == 5 || (t > steps / 2 && t < steps / 2 + 3))
                        values.append(gap ? .nan : Float(10 + amplitude * sin(2 * Double.pi * Double(t) / Double(m)) + noise()))
                    }
                    let p = SeriesMatrix(steps: steps, channels: 2, values: values)
                    let x = (0..<steps).map { Double(p[$0, 1]) }.filter { !$0.isNaN }
                    let want = listStatistic(zip(x.dropFirst(), x).map { $0 - $1 }, m)
                    let got = Seasonality.statistic(part: p, channel: 1, period: m)
                    XCTAssertEqual(got?.r.bitPattern, want?.0.bitPattern, "m \(m), amplitude \(amplitude), gaps \(gaps)")
                    XCTAssertEqual(got?.bound.bitPattern, want?.1.bitPattern)
                    if let got { verdicts.insert(got.r > got.bound) }
                }
            }
        }
        XCTAssertEqual(verdicts, [true, false], "both verdicts were compared")
    }
}
