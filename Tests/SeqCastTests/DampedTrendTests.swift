// The damped trend (Preprocessing/DampedTrend.swift): its forecasts against an independent
// implementation (numpy, `damped()` of scripts/offline-combinations.py), exact on a straight line,
// the same support as Theta, a window's forecast read from the history before its origin only, and
// automatic Theta members stored before it existed forecasting with Theta alone.
import Foundation
import XCTest
@testable import SeqCast

final class DampedTrendTests: XCTestCase {
    /// The first 100 airline values, h = 6, with m = 12 (deseasonalised as Theta is) and without a
    /// season. Reference: `damped()` of scripts/offline-combinations.py (the grid vectorised in
    /// numpy), printed to 4 decimals.
    func testForecastsMatchTheReferenceImplementation() throws {
        let data = try DataSource.load(datasetPath("airline.csv"), selection: DataSelection())
        let y = (0..<100).map { Double(data.series[0].matrix[$0, 0]) }
        let seasonal = try XCTUnwrap(DampedTrend.forecast(y, season: 12, horizon: 6))
        for (a, b) in zip(seasonal, [347.5367, 394.9962, 434.9542, 430.2462, 375.2468, 329.1538]) { XCTAssertEqual(a, b, accuracy: 2e-3) }
        let plain = try XCTUnwrap(DampedTrend.forecast(y, season: 1, horizon: 6))
        for (a, b) in zip(plain, [348.2654, 348.4156, 348.5357, 348.6319, 348.7088, 348.7703]) { XCTAssertEqual(a, b, accuracy: 2e-3) }
    }

    /// The grid fitted 8 triples at a time (SIMD lanes) is the plain loop over the triples, bit for
    /// bit: every triple's error sum, final level and slope, and the triple chosen.
    func testTheLaneFitIsTheLoopOverTheGrid() throws {
        let data = try DataSource.load(datasetPath("airline.csv"), selection: DataSelection())
        for y in [(0..<144).map { Double(data.series[0].matrix[$0, 0]) }, (0..<40).map { 10 + sin(Double($0)) + 0.3 * Double($0) }, [5, 3]] {
            var best = (sse: Double.infinity, level: y[0], slope: 0.0, phi: 1.0)
            XCTAssertEqual(DampedTrend.grid.count, 294)
            for (a, b, phi) in DampedTrend.grid {
                var level = y[0], slope = y[1] - y[0], sse = 0.0
                for t in 1..<y.count {
                    let f = level + phi * slope, e = y[t] - f
                    sse += e * e; level = f + a * e; slope = phi * slope + b * e
                }
                if sse < best.sse { best = (sse, level, slope, phi) }
            }
            let lanes = DampedTrend.fit(y)
            XCTAssertEqual(lanes.sse.bitPattern, best.sse.bitPattern)
            XCTAssertEqual(lanes.level.bitPattern, best.level.bitPattern)
            XCTAssertEqual(lanes.slope.bitPattern, best.slope.bitPattern)
            XCTAssertEqual(lanes.phi, best.phi)
        }
    }

    /// On a straight line every undamped fit (φ = 1) has no error, so the forecast continues the line.
    func testContinuesAStraightLine() throws {
        let y = (0..<30).map { 5 + 0.75 * Double($0) }
        let f = try XCTUnwrap(DampedTrend.forecast(y, season: 1, horizon: 4))
        for (h, v) in f.enumerated() { XCTAssertEqual(v, 5 + 0.75 * Double(29 + h + 1), accuracy: 1e-9) }
    }

    /// Where Theta does not apply, neither does the damped trend (the two are mixed value by value).
    func testAppliesWhereThetaDoes() {
        for y: [Double] in [[1, 2], [1, 2, 0, 4], [1, 2, -3, 4], [1, 2, .nan, 4]] {
            XCTAssertNil(DampedTrend.forecast(y, season: 1, horizon: 3), "\(y)")
            XCTAssertNil(Theta.forecast(y, season: 1, horizon: 3), "\(y)")
        }
        XCTAssertNotNil(DampedTrend.forecast([1, 2, 3], season: 1, horizon: 3))
    }

    /// A window's damped-trend forecast reads the rows before its origin only: changing the rows from
    /// the origin on changes nothing; the window mixes it into the statistical member at the share.
    func testWindowForecastReadsOnlyTheHistoryBeforeItsOrigin() throws {
        let data = try DataSource.load(datasetPath("airline.csv"), selection: DataSelection())
        let m = data.series[0].matrix, origin = 120
        let (theta, f) = Theta.forecasts(m, origin: origin, targets: [0], season: 12, horizon: 6, damped: true)
        let direct = try XCTUnwrap(DampedTrend.forecast((0..<origin).map { Double(m[$0, 0]) }, season: 12, horizon: 6))
        XCTAssertEqual(f, direct.map { Float($0) })
        var later = m
        for t in origin..<m.steps { later.values[t] *= 3 }
        XCTAssertEqual(Theta.forecasts(later, origin: origin, targets: [0], season: 12, horizon: 6, damped: true).damped, f)
        XCTAssertEqual(Theta.forecasts(m, origin: origin, targets: [0], season: 12, horizon: 6).theta, theta, "Theta's are the same with or without")

        var p = Pipeline(spec: WindowSpec(lookback: 24, horizon: 6), scaler: Scaler.fit(.window, channels: 1, parts: []),
                         inputs: [0], targets: [0], variants: [PipelineVariant(transforms: [], baselineLags: [12])],
                         baselineLags: [12], theta: ThetaMember(weight: 0.3, season: 12, fromValidation: true, damped: 0.4))
        let w = p.forecastWindow(m, origin: origin)
        XCTAssertEqual(w.damped, f)
        for k in 0..<6 { XCTAssertEqual(w.theta[k], 0.6 * theta[k] + 0.4 * f[k], accuracy: 1e-3) }
        XCTAssertEqual(p.forecastWindow(later, origin: origin).theta, w.theta)
        // An automatic member stored before the damped trend existed (no share): Theta alone, and no
        // damped-trend forecast made.
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(p.theta)) as? [String: Any])
        XCTAssertNotNil(json["damped"])
        json["damped"] = nil
        p.theta = try JSONDecoder().decode(ThetaMember.self, from: JSONSerialization.data(withJSONObject: json))
        XCTAssertEqual(p.theta, ThetaMember(weight: 0.3, season: 12, fromValidation: true))
        let old = p.forecastWindow(m, origin: origin)
        XCTAssertEqual(old.theta, theta)
        XCTAssertTrue(old.damped.isEmpty)
        // Extending such a finished run re-chooses the weight but keeps it Theta alone; a member
        // with a share goes back to 0 until it is chosen again.
        var member = try XCTUnwrap(p.theta)
        member.resetChoice()
        XCTAssertEqual(member, ThetaMember(weight: ThetaMember.fallbackWeight, season: 12, fromValidation: true))
        member = ThetaMember(weight: 0.3, season: 12, fromValidation: true, damped: 0.4)
        member.resetChoice()
        XCTAssertEqual(member, ThetaMember(weight: ThetaMember.fallbackWeight, season: 12, fromValidation: true, damped: 0))
        // At share 0 the window carries Theta alone, and the damped trend only when its parts are asked for.
        p.theta = member
        XCTAssertEqual(p.forecastWindow(m, origin: origin).theta, theta)
        XCTAssertTrue(p.forecastWindow(m, origin: origin).damped.isEmpty)
        XCTAssertEqual(p.forecastWindow(m, origin: origin, parts: true).damped, f)
    }

    /// Fits that differ only in the automatic weight and share print as one configuration with their
    /// ranges (what backtest and per-series backtest print); a fixed member is another.
    func testSummariesMergeFitsThatDifferOnlyInTheChosenWeights() {
        func pipeline(_ theta: ThetaMember) -> Pipeline {
            Pipeline(spec: WindowSpec(lookback: 24, horizon: 6), scaler: Scaler.fit(.window, channels: 1, parts: []),
                     inputs: [0], targets: [0], variants: [PipelineVariant(transforms: [], baselineLags: [12])],
                     baselineLags: [12], theta: theta)
        }
        let fits = [pipeline(ThetaMember(weight: 0.5, season: 12, fromValidation: true, damped: 0.2)),
                    pipeline(ThetaMember(weight: 0.3, season: 12, fromValidation: true, damped: 0.4)),
                    pipeline(ThetaMember(weight: 0.25, season: 12))]
        let lines = Pipeline.summaries(fits, names: ["y"])
        XCTAssertEqual(lines.count, 2, "\(lines)")
        XCTAssertTrue(lines[0].hasSuffix("Theta weight 0.30–0.50 (damped-trend share 0.20–0.40) (auto)"), lines[0])
        XCTAssertTrue(lines[1].hasSuffix("Theta weight 0.25"), lines[1])
        // Before the share is chosen (0) it is not printed.
        XCTAssertTrue(pipeline(ThetaMember(weight: 0.25, season: 12, fromValidation: true, damped: 0)).summary(names: ["y"])
            .hasSuffix("Theta weight 0.25 (auto)"))
    }
}
