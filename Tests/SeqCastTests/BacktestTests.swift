// Backtest window arithmetic and metrics against hand-computed expectations, and a small
// end-to-end backtest whose outputs are read back.
import Foundation
import XCTest
import SeqCast

final class BacktestTests: XCTestCase {
    private func plan(_ n: Int, _ start: BacktestStart, k: Int, s: Int, retrain: RetrainPolicy = .always,
                      trainLength: Int? = nil) throws -> [BacktestOrigin] {
        try BacktestPlan.origins(length: n, start: start, horizon: k, stride: s, retrain: retrain, trainLength: trainLength)
    }

    /// Series of equal length on different dates: the origins are rows, so a global backtest's fit
    /// sees another series' values from after this one's origin in calendar time; the run says so
    /// (exploratory testing, 2026-12-02). Series on the same dates get no such note.
    func testSeriesOnDifferentDatesAreNoted() throws {
        let dir = temporaryDirectory(self)
        func rows(_ id: String, from year: Int) -> [String] {
            (0..<48).map { t in "\(id),\(year + t / 12)-\(String(format: "%02d", t % 12 + 1)),\(String(format: "%.3f", 10 + sin(Double(t) / 2) + 0.1 * Double(t)))" }
        }
        let flags = ["--id-column", "id", "--horizon", "3", "--start", "0.8", "--epochs", "1", "--ensemble", "1", "--hidden", "4"]
        let shifted = writeFile(dir, "shifted.csv", "id,month,y\n" + (rows("a", from: 2000) + rows("b", from: 2001)).joined(separator: "\n") + "\n")
        let r = try runCLI(["backtest", "--data", shifted, "--out", dir + "/s"] + flags)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue((r.out + r.err).contains("the series start on different dates ('a' at 2000-01, 'b' at 2001-01)"), r.out + r.err)
        let aligned = writeFile(dir, "aligned.csv", "id,month,y\n" + (rows("a", from: 2000) + rows("b", from: 2000)).joined(separator: "\n") + "\n")
        let q = try runCLI(["backtest", "--data", aligned, "--out", dir + "/q"] + flags)
        XCTAssertEqual(q.status, 0, q.err)
        XCTAssertFalse((q.out + q.err).contains("start on different dates"), q.out + q.err)
    }

    func testExpandingWindowsFromAFraction() throws {
        // n = 100, start 0.8 → Int(99 · 0.8) = 79; horizon 5, stride 5 → 79, 84, 89, 94 (94 + 5 ≤ 100; 99 + 5 > 100).
        let p = try plan(100, .fraction(0.8), k: 5, s: 5)
        XCTAssertEqual(p.map(\.origin), [79, 84, 89, 94])
        XCTAssertEqual(p.map(\.trainRange), [0..<79, 0..<84, 0..<89, 0..<94])
        XCTAssertEqual(p.map(\.fitIndex), [0, 1, 2, 3])
    }

    func testSlidingWindowsAndIndexStartWithUnevenLength() throws {
        // n = 23, start index 10, horizon 3, stride 4 → 10, 14, 18 (18 + 3 = 21 ≤ 23; 22 + 3 > 23).
        let p = try plan(23, .index(10), k: 3, s: 4, trainLength: 8)
        XCTAssertEqual(p.map(\.origin), [10, 14, 18])
        XCTAssertEqual(p.map(\.trainRange), [2..<10, 6..<14, 10..<18])
        let last = try plan(24, .index(10), k: 3, s: 4)
        XCTAssertEqual(last.map(\.origin), [10, 14, 18], "22 + 3 = 25 > 24: forecasts may not run past the end")
        XCTAssertEqual(try plan(25, .index(10), k: 3, s: 4).map(\.origin), [10, 14, 18, 22])
    }

    func testRetrainNeverAndEveryN() throws {
        let never = try plan(50, .index(20), k: 5, s: 5, retrain: .never)
        XCTAssertEqual(never.map(\.origin), [20, 25, 30, 35, 40, 45])
        XCTAssertEqual(Set(never.map(\.fitIndex)), [0])
        XCTAssertEqual(Set(never.map(\.trainRange)), [0..<20], "fit once on the data before --start")
        let every = try plan(50, .index(20), k: 5, s: 5, retrain: .every(2), trainLength: 10)
        XCTAssertEqual(every.map(\.fitIndex), [0, 0, 2, 2, 4, 4])
        XCTAssertEqual(every.map(\.trainRange), [10..<20, 10..<20, 20..<30, 20..<30, 30..<40, 30..<40])
    }

    func testImpossibleStartsAreErrors() {
        XCTAssertTrue(errorMessage { _ = try self.plan(10, .index(8), k: 5, s: 1) }.contains("leaves no room for a 5-step forecast"))
        XCTAssertTrue(errorMessage { _ = try self.plan(10, .fraction(0.0), k: 2, s: 1) }.contains("no data before it"))
        XCTAssertEqual(BacktestStart(argument: "0.8"), .fraction(0.8))
        XCTAssertEqual(BacktestStart(argument: "12"), .index(12))
        XCTAssertEqual(RetrainPolicy(argument: "3"), .every(3))
        XCTAssertNil(RetrainPolicy(argument: "sometimes"))
    }

    func testMetricsAgainstHandComputedValues() throws {
        // actual 2, 4, 0, 5; forecast 3, 2, 1, 5 → errors 1, 2, 1, 0.
        let m = Metrics.of(actual: [2, 4, 0, 5], forecast: [3, 2, 1, 5], scale: 2)
        XCTAssertEqual(m.mae!, 1.0, accuracy: 1e-12)                                  // (1+2+1+0)/4
        XCTAssertEqual(m.rmse!, (6.0 / 4).squareRoot(), accuracy: 1e-12)                // √((1+4+1+0)/4)
        XCTAssertEqual(m.mape!, 100 * (0.5 + 0.5 + 0) / 3, accuracy: 1e-9)             // zero actual left out
        XCTAssertEqual(m.smape!, 100 * (2.0 / 5 + 4.0 / 6 + 2.0 / 1 + 0) / 4, accuracy: 1e-9)
        XCTAssertEqual(m.mase!, 0.5, accuracy: 1e-12)                                  // MAE / scale
        let zeros = Metrics.of(actual: [0, 0], forecast: [0, 1], scale: 0)
        XCTAssertNil(zeros.mape, "all actuals zero: MAPE undefined, not NaN")
        XCTAssertNil(zeros.mase, "zero scale: MASE undefined, not inf")
        XCTAssertEqual(zeros.smape!, 100 * (0 + 2.0) / 2, accuracy: 1e-9)               // 0/0 point counts 0
        let mean = Metrics.mean([m, zeros])
        XCTAssertEqual(mean.mape!, m.mape!, accuracy: 1e-12, "nil entries are ignored in the mean")
    }

    func testBaselinesAndSeasonalScale() {
        let m = SeriesMatrix(steps: 10, channels: 1, values: [1, 2, 3, 1, 2, 3, 1, 2, 3, 1])
        XCTAssertEqual(Baselines.naive(m, channel: 0, origin: 6, horizon: 2), [3, 3])
        XCTAssertEqual(Baselines.seasonalNaive(m, channel: 0, origin: 6, horizon: 4, season: 3), [1, 2, 3, 1])
        XCTAssertEqual(Baselines.seasonalNaiveMAE(m, channel: 0, range: 0..<6, season: 3), 0)
        XCTAssertEqual(Baselines.seasonalNaiveMAE(m, channel: 0, range: 0..<6, season: 1)!, (1 + 1 + 2 + 1 + 1) / 5, accuracy: 1e-12)
        let wave = SeriesMatrix(steps: 120, channels: 1, values: (0..<120).map { Float(sin(2 * Double.pi * Double($0) / 7)) + Float($0) * 0.05 })
        XCTAssertEqual(Baselines.detectSeason(wave, channel: 0, range: 0..<120), 7)
        // A random walk with drift (a yearly series, say): its differences are white noise, so a
        // local peak above 0.1 is chance, not a season (this one peaks at lag 3, r = 0.158: above the
        // 10% bound 0.156, below the 1% one 0.245).
        var state: UInt64 = 11, level = 100.0
        let walk = (0..<120).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            level += 1 + (Double(state >> 40) / Double(1 << 24) - 0.5) * 4
            return Float(level)
        }
        XCTAssertNil(Baselines.detectSeason(SeriesMatrix(steps: 120, channels: 1, values: walk), channel: 0, range: 0..<120))
        let sunspots = try! DataSource.load(datasetPath("sunspots.csv"), selection: DataSelection())
        XCTAssertEqual(Baselines.detectSeason(sunspots.series[0].matrix, channel: 0, range: 0..<246), 11,
                       "the sunspot cycle is one (r = 0.44, bound 0.31) when there is no time axis (its yearly one has no season)")
    }

    func testEndToEndOutputsAndSummary() throws {
        let dir = temporaryDirectory(self)
        var r = BacktestRequest(train: smallRequest(datasetPath("airline.csv"), out: dir))
        r.backtest.start = .fraction(0.85); r.backtest.retrain = .never
        let result = try BacktestJob.run(r)
        // Int(143 · 0.85) = 121; origins 121, 127, 133 (133 + 6 = 139 ≤ 144; 139 + 6 > 144).
        XCTAssertEqual(result.windows.map(\.origin), [121, 127, 133])
        XCTAssertEqual(result.fits, 1)
        XCTAssertEqual(result.season, 12)
        XCTAssertEqual(result.windows[0].times.first, "1959-02")
        XCTAssertEqual(result.windows[0].naive, [Float](repeating: 360, count: 6), "last value before 1959-02 (1959-01: 360)")
        XCTAssertEqual(result.windows[0].seasonalNaive, [318, 362, 348, 363, 435, 491], "1958-02 … 1958-07")
        try result.write(to: dir + "/bt", config: r.config)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/bt/summary.json"))) as! [String: Any]
        XCTAssertEqual(summary["windows"] as? Int, 3)
        for key in ["mae", "rmse", "mape", "smape", "mase"] {
            XCTAssertNotNil((summary["metrics"] as! [String: Any])[key] as? Double, key)
            XCTAssertNotNil(((summary["baselines"] as! [String: Any])["seasonal_naive"] as! [String: Any])[key] as? Double, key)
        }
        let csv = try CSVTable.read(dir + "/bt/forecasts.csv")
        XCTAssertEqual(csv.rows.count, 3 * 6)
        XCTAssertEqual(csv.header, ["origin", "series", "step", "time", "variable", "actual", "forecast", "naive", "seasonal_naive",
                                    "lo_80", "hi_80", "lo_95", "hi_95", "seasonal_naive_lo_80", "seasonal_naive_hi_80",
                                    "seasonal_naive_lo_95", "seasonal_naive_hi_95"], "the default intervals' bounds follow the forecasts")
        let (shape, actual) = try HDF5File.open(dir + "/bt/forecasts.h5").read("actual")
        XCTAssertEqual(shape, [3, 6, 1]); XCTAssertEqual(actual, result.windows.flatMap(\.actual))
    }

    /// Per-step MASE, recomputed by hand: mean over windows and targets of |error| / that target's own
    /// in-sample seasonal-naive MAE. (uschange's five targets have scales 0.5–4, so a scale shared by
    /// the targets gives different per-step values even though it averages to the right overall MASE.)
    func testPerStepMASEUsesEachTargetsOwnScale() throws {
        var r = BacktestRequest(train: smallRequest(datasetPath("uschange.csv"), horizon: 4, epochs: 2, ensemble: 1))
        r.backtest.start = .fraction(0.85); r.backtest.retrain = .never
        let result = try BacktestJob.run(r)
        let data = try DataSource.load(datasetPath("uschange.csv"), selection: DataSelection())
        let first = result.windows[0].origin, O = 5
        let scales = (0..<O).map { Baselines.seasonalNaiveMAE(data.series[0].matrix, channel: $0, range: 0..<first, season: 4)! }
        for step in 0..<4 {
            var sum = 0.0
            for w in result.windows { for c in 0..<O {
                sum += abs(Double(w.forecast[step * O + c]) - Double(w.actual[step * O + c])) / scales[c]
            } }
            XCTAssertEqual(result.perStep.model[step].mase!, sum / Double(result.windows.count * O), accuracy: 1e-9, "step \(step + 1)")
        }
    }

    func testGapsLeaveWindowsOutInsteadOfPoisoningTheMetrics() throws {
        let dir = temporaryDirectory(self)
        var text = "t,y\n"
        for i in 0..<160 { text += "\(i)," + ([95, 96, 130].contains(i) ? "" : "\(sin(Double(i) / 2) + 0.01 * Double(i))") + "\n" }
        var t = TrainRequest(dataPath: writeFile(dir, "gaps.csv", text), outDir: "")
        t.windows.horizon = 4; t.windows.lookback = 8; t.architecture.hidden = 8; t.training.epochs = 2; t.training.ensemble = 1
        t.data.selection.missing = .drop
        var r = BacktestRequest(train: t)
        r.backtest.start = .index(80); r.train.preprocessing.season = 12; r.backtest.retrain = .never
        let result = try BacktestJob.run(r)
        // Origins 80, 84, …, 156 (156 + 4 = 160); a window uses rows o−8 ..< o+4 and seasonal-naive rows o−12 ..< o−8.
        XCTAssertEqual(result.windows.count + result.skipped, 20)
        XCTAssertGreaterThan(result.skipped, 0)
        for w in result.windows { XCTAssertFalse((w.actual + w.forecast + w.naive + w.seasonalNaive).contains(where: \.isNaN)) }
        for m in ForecastMethod.allCases { XCTAssertTrue(result.overall[m].mase!.isFinite, m.rawValue) }
        try result.write(to: dir + "/bt", config: r.config)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/bt/summary.json"))) as! [String: Any]
        XCTAssertEqual(summary["skipped_windows"] as? Int, result.skipped)
        XCTAssertNotNil((summary["metrics"] as? [String: Any])?["mase"] as? Double)
    }

    func testFilledActualsAreNotScored() throws {
        // Target y has gaps at rows 150 and 153 (inside the last windows), covariate x at 152; both filled
        // for the models' inputs (--missing interpolate). A filled y is no observation: not scored.
        let dir = temporaryDirectory(self)
        var text = "t,y,x\n"
        for i in 0..<160 {
            let y = [150, 153].contains(i) ? "" : "\(10 + sin(Double(i) / 2) + 0.01 * Double(i))"
            text += "\(i),\(y),\(i == 152 ? "" : "\(Double(i % 7))")\n"
        }
        let path = writeFile(dir, "gaps.csv", text)
        var selection = DataSelection(); selection.targets = ["y"]; selection.covariates = ["x"]
        let data = try DataSource.load(path, selection: selection)
        XCTAssertEqual(data.missingCount, 3)
        XCTAssertEqual(data.series[0].filled, [150 * 2, 152 * 2 + 1, 153 * 2], "every filled cell, target and covariate")
        XCTAssertEqual(data.series[0].filledCells(rows: 151..<160).map(\.row), [152, 153])

        var t = TrainRequest(dataPath: path, outDir: "")
        t.data.selection = selection
        t.windows.horizon = 4; t.windows.lookback = 8; t.architecture.hidden = 8; t.training.epochs = 2; t.training.ensemble = 1
        var r = BacktestRequest(train: t)
        r.backtest.start = .index(148); r.train.preprocessing.season = 12; r.backtest.retrain = .never
        let result = try BacktestJob.run(r)
        XCTAssertEqual(result.windows.map(\.origin), [148, 152, 156])
        XCTAssertEqual(result.skipped, 0, "filled windows are scored on their observed values, not left out")
        let w0 = result.windows[0], w1 = result.windows[1]
        XCTAssertTrue(w0.actual[2].isNaN && w1.actual[1].isNaN, "rows 150 and 153 have no actual")
        XCTAssertEqual(w0.actual.filter(\.isNaN).count + w1.actual.filter(\.isNaN).count + result.windows[2].actual.filter(\.isNaN).count, 2)
        for w in result.windows {
            let seen = w.actual.indices.filter { !w.actual[$0].isNaN }
            let expected = Metrics.of(actual: seen.map { w.actual[$0] }, forecast: seen.map { w.forecast[$0] }, scale: w.scales[0])
            XCTAssertEqual(w.metrics.model, expected, "the window's metrics are those of its observed values")
            XCTAssertTrue(w.metrics.model.mase!.isFinite)
        }
        // Step 3 (index 2) of the first window is row 150: that step's MAE is the other two windows'.
        let step2 = result.windows.dropFirst().map { Double(abs($0.forecast[2] - $0.actual[2])) }
        XCTAssertEqual(result.perStep.model[2].mae!, step2.reduce(0, +) / 2, accuracy: 1e-9)
        XCTAssertTrue(result.overall.model.mase!.isFinite)
        try result.write(to: dir + "/bt", config: r.config)
        let rows = try String(contentsOfFile: dir + "/bt/forecasts.csv", encoding: .utf8).split(separator: "\n")
        let header = rows[0].split(separator: ",", omittingEmptySubsequences: false)
        let col = header.firstIndex(of: "actual")!
        let empty = rows.dropFirst().filter { $0.split(separator: ",", omittingEmptySubsequences: false)[col].isEmpty }
        XCTAssertEqual(empty.count, 2, "a filled actual is an empty cell")
    }

    func testAGapBeforeTheOriginIsNotFilledFromTheOriginOn() throws {
        // Rows 147–151 of y and 150–151 of x are missing; origin 152 follows them. Interpolation
        // filled them towards row 152 — the first value the forecast made at 152 is scored on — so
        // a different value there changed the forecast (a leak). Filled from the rows before the
        // origin, the forecasts of two files differing only from row 152 on are the same.
        let dir = temporaryDirectory(self)
        func file(_ name: String, at152 y152: Double) -> String {
            var text = "t,y,x\n"
            for i in 0..<170 {
                let y = (147..<152).contains(i) ? "" : "\(i == 152 ? y152 : 10 + sin(Double(i) / 2) + 0.01 * Double(i))"
                text += "\(i),\(y),\((150..<152).contains(i) ? "" : "\(Double(i % 7))")\n"
            }
            return writeFile(dir, name, text)
        }
        var selection = DataSelection(); selection.targets = ["y"]; selection.covariates = ["x"]
        let a = try DataSource.load(file("a.csv", at152: 10.5), selection: selection)
        let s = a.series[0], causal = s.causal(at: 152)
        for t in 147..<152 { XCTAssertEqual(causal.matrix[t, 0], s.matrix[146, 0], "row \(t) of y carries row 146") }
        for t in 150..<152 { XCTAssertEqual(causal.matrix[t, 1], s.matrix[149, 1], "row \(t) of x carries row 149") }
        XCTAssertNotEqual(s.matrix[151, 0], s.matrix[146, 0], "interpolated towards row 152 in the loaded series")
        XCTAssertEqual(s.causal(at: 160), s, "a gap that ends before the origin is filled from values before it")
        XCTAssertEqual(s.causal(at: 150).matrix[149, 0], s.matrix[146, 0])
        XCTAssertEqual(s.causal(at: 150).matrix[150, 0], s.matrix[150, 0], "rows from the origin on are left as they are")

        // A column whose first value comes after the first origin has no fill from the past there.
        var late = "t,y,x\n"
        for i in 0..<170 { late += "\(i),\(10 + sin(Double(i))),\(i < 155 ? "" : "\(Double(i % 7))")\n" }
        var lateRequest = TrainRequest(dataPath: writeFile(dir, "late.csv", late), outDir: "")
        lateRequest.data.selection = selection; lateRequest.windows.horizon = 4; lateRequest.windows.lookback = 8
        var lateBacktest = BacktestRequest(train: lateRequest)
        lateBacktest.backtest.start = .index(152)
        let lateMessage = errorMessage { _ = try BacktestJob.run(lateBacktest) }
        XCTAssertTrue(lateMessage.contains("column 'x' has no value before the first origin (row 152, counted from 0; its first value is at row 155)"), lateMessage)

        for retrain in [RetrainPolicy.always, .never] {
            func run(_ y152: Double) throws -> BacktestResult {
                var t = TrainRequest(dataPath: file("f\(y152).csv", at152: y152), outDir: "")
                t.data.selection = selection
                t.windows.horizon = 4; t.windows.lookback = 8; t.architecture.hidden = 8; t.training.epochs = 2; t.training.ensemble = 1
                var r = BacktestRequest(train: t)
                r.backtest.start = .index(152); r.train.preprocessing.season = 12; r.backtest.retrain = retrain
                return try BacktestJob.run(r)
            }
            let low = try run(10.5), high = try run(30)
            XCTAssertEqual(low.windows[0].origin, 152)
            XCTAssertEqual(low.windows[0].forecast, high.windows[0].forecast, "\(retrain): the forecast at 152 does not see row 152")
            XCTAssertEqual(low.windows[0].naive, high.windows[0].naive)
            XCTAssertEqual(low.windows[0].scales, high.windows[0].scales)
            XCTAssertEqual(low.windows[0].bands.model?.lower, high.windows[0].bands.model?.lower)
            XCTAssertNotEqual(low.windows[0].actual, high.windows[0].actual)
        }
    }

    func testConcurrentFitsEqualSequentialFits() throws {
        var r = BacktestRequest(train: smallRequest(datasetPath("sunspots.csv"), horizon: 5))
        r.backtest.start = .fraction(0.9)
        let sequential = try BacktestJob.run(r)
        r.train.run.threads = 2
        let concurrent = try BacktestJob.run(r)
        XCTAssertGreaterThan(sequential.fits, 1)
        XCTAssertEqual(sequential.windows.map(\.forecast), concurrent.windows.map(\.forecast))
    }
}
