// Windows and scalers: window arithmetic, the chronological split, fit-on-train-only, inversion.
import XCTest
import SeqCast

final class ScalingTests: XCTestCase {
    func testWindowStartsIncludeTheLatestWindow() {
        let spec = WindowSpec(lookback: 3, horizon: 2, stride: 2)
        XCTAssertEqual(spec.starts(in: 0..<10), [1, 3, 5])   // last start 5: rows 5..<10
        XCTAssertEqual(spec.starts(in: 0..<4), [])
    }

    func testSeq2SeqTargets() {
        let m = SeriesMatrix(steps: 6, channels: 1, values: [0, 1, 2, 3, 4, 5])
        let s = SampleSet(series: m, inputs: [0], targets: [0], spec: WindowSpec(lookback: 3, horizon: 2, perStep: true),
                          starts: [0, 1])
        XCTAssertEqual(s.x, [0, 1, 2, 1, 2, 3])
        XCTAssertEqual(s.y, [1, 2, 2, 3, 3, 4, 2, 3, 3, 4, 4, 5])
    }

    func testSplitIsChronologicalAndScalerSeesTrainingOnly() throws {
        // 100 steps: values 0..79 then a jump to 1000 in the validation part.
        let values = (0..<100).map { $0 < 80 ? Float($0) : 1000 }
        let c = SeriesCollection(source: "mem", channels: ["v"], targetCount: 1,
                                 series: [Series(id: "s", time: [], matrix: SeriesMatrix(steps: 100, channels: 1, values: values))],
                                 timeAxis: nil, missingCount: 0)
        let split = try c.split(spec: WindowSpec(lookback: 10, horizon: 5), scaler: .standard, valFraction: 0.2)
        XCTAssertEqual(split.pipeline.scaler.offset[0], 39.5, accuracy: 1e-4, "fitted on rows 0..<80 only")
        XCTAssertEqual(split.train.count, 66)        // starts 0...65: targets end by row 80
        XCTAssertEqual(split.validation.count, 16)   // starts 70...85: targets in rows 80..<100
        let maxTrainTarget = split.train.materialised().y.max()! * split.pipeline.scaler.scale[0] + split.pipeline.scaler.offset[0]
        XCTAssertEqual(maxTrainTarget, 79, accuracy: 1e-3, "no validation value leaks into training targets")
    }

    func testWindowScalerInvertsExactly() {
        let m = SeriesMatrix(steps: 8, channels: 2, values: [1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60, 7, 70, 8, 80])
        let p = Pipeline(spec: WindowSpec(lookback: 4, horizon: 2), scaler: Scaler.fit(.window, channels: 2, parts: [m]),
                         inputs: [0, 1], targets: [0, 1])
        let (x, w) = p.forecastInput(m)
        XCTAssertEqual(w.center[0], 6.5, accuracy: 1e-6)
        XCTAssertEqual(x[0], (5 - 6.5) / w.scale[0], accuracy: 1e-6)
        let back = p.invert([0, 0, 1, 1], context: w)
        XCTAssertEqual(back[0], 6.5, accuracy: 1e-5); XCTAssertEqual(back[1], 65, accuracy: 1e-4)
        XCTAssertEqual(back[2], 6.5 + w.scale[0], accuracy: 1e-5)
        let stats = Scaler.windowStats(m, start: 0, length: 4)
        let samples = p.samples(m, starts: [0])
        XCTAssertEqual(samples.y[0] * stats[0].sd, 5 - 2.5, accuracy: 1e-5, "targets scaled by their window's stats")
    }

    func testForecastsDoNotDependOnTheSeriesUnits() throws {
        // The degeneracy rule had an absolute floor (a spread ≤ 1e-6 was "constant"): airline in
        // units of 1e-9 passengers (values ~1e-7) was fed unscaled and scored MASE 11,360 against
        // 1.746 in passengers. Every scaler now gives the same MASE and forecasts in any units.
        let dir = temporaryDirectory(self)
        let rows = try String(contentsOfFile: datasetPath("airline.csv"), encoding: .utf8).split(separator: "\n")
        func scaled(_ k: Double) -> String {
            writeFile(dir, "air\(k).csv", ([String(rows[0])] + rows.dropFirst().map { r in
                let f = r.split(separator: ","); return "\(f[0]),\(Double(f[1])! * k)"
            }).joined(separator: "\n") + "\n")
        }
        for scaler in [ScalerKind.window, .standard, .minmax] {
            var results: [BacktestResult] = []
            for k in [1.0, 1e-9, 1e-20] {
                var r = BacktestRequest(train: smallRequest(scaled(k), horizon: 6, epochs: 2, ensemble: 1))
                r.train.preprocessing.scaler = scaler; r.train.preprocessing.transform = .none; r.train.preprocessing.variants = []
                r.backtest.start = .fraction(0.8); r.intervals.method = .none
                results.append(try BacktestJob.run(r))
            }
            for (k, small) in zip([1e-9, 1e-20], results.dropFirst()) {
                XCTAssertEqual(small.overall.model.mase!, results[0].overall.model.mase!, accuracy: 1e-3 * results[0].overall.model.mase!, "\(scaler) ×\(k)")
                for (a, b) in zip(results[0].windows[0].forecast, small.windows[0].forecast) {
                    XCTAssertEqual(Double(b) / k, Double(a), accuracy: 1e-3 * abs(Double(a)), "\(scaler) ×\(k)")
                }
            }
        }
    }
}
