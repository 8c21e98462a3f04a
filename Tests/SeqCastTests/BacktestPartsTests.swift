// A fit's backtest windows are forecast in parts of whole Forecaster chunks (their inputs are never
// all held at once); the results must be those of one pass over all of them, Monte-Carlo dropout's
// sampled bands included.
import Foundation
import XCTest
@testable import SeqCast

final class BacktestPartsTests: XCTestCase {
    func testForecastingInPartsGivesTheBitsOfOnePass() throws {
        // airline (144 rows), one fit serving every origin from 40 on, stride 1, horizon 4: 101 windows,
        // two parts of 64 against one part. Recurrent dropout, so MC dropout's masks depend on the chunk.
        var t = smallRequest(datasetPath("airline.csv"), horizon: 4, epochs: 1, ensemble: 2)
        t.architecture.recurrentDropout = 0.3
        var r = BacktestRequest(train: t)
        r.backtest.start = .index(40); r.backtest.stride = 1; r.backtest.retrain = .never
        let data = try DataSource.load(r.train.data.path, selection: r.train.data.selection)
        let setup = try BacktestJob.setup(r, data: data)
        let models = try BacktestJob.fitModels(setup.settings, plan: setup.plan, data: data, calibrate: true, threads: 1,
                                               clock: Date(), progress: { _ in })
        XCTAssertEqual(models.count, 1)
        for method in [IntervalMethod.mcDropout, .conformal] {
            var intervals = IntervalSettings(); intervals.method = method; intervals.samples = 8
            func run(_ part: Int?) throws -> [BacktestWindow] {
                try BacktestJob.forecastWindows(setup.plan, models: models, data: data, season: setup.season, intervals: intervals,
                                                threads: 2, progress: { _ in }, windowsPerPart: part).0
            }
            let whole = try run(nil), parts = try run(Forecaster.chunk)
            XCTAssertEqual(whole.count, 101)
            XCTAssertGreaterThan(whole.count, Forecaster.chunk, "more than one part")
            XCTAssertEqual(parts.map(\.origin), whole.map(\.origin))
            func bits(_ w: BacktestWindow) -> [UInt32] {
                (w.forecast + (w.bands.model?.lower ?? []) + (w.bands.model?.upper ?? [])).map(\.bitPattern)
            }
            let differing = zip(parts, whole).enumerated().filter { bits($0.element.0) != bits($0.element.1) }.map(\.offset)
            XCTAssertEqual(differing, [], "\(method): windows whose forecast or band differ between parts and one pass")
            // The bands are real: MC dropout's differ from window to window and have width.
            let widths = whole.compactMap { w in w.bands.model.map { $0.upper[0] - $0.lower[0] } }
            XCTAssertEqual(widths.count, whole.count)
            XCTAssertTrue(widths.allSatisfy { $0 > 0 }, "\(method): \(widths.prefix(5))")
        }
        XCTAssertEqual(BacktestJob.windowsPerPart(lookback: 96, inputs: 250, variants: 2), 8 * Forecaster.chunk, "wide inputs: 8 chunks per part")
        XCTAssertEqual(BacktestJob.windowsPerPart(lookback: 12, inputs: 1, variants: 2) % Forecaster.chunk, 0)
        XCTAssertLessThanOrEqual(BacktestJob.windowsPerPart(lookback: 1, inputs: 1, variants: 1), 64 * Forecaster.chunk)
    }
}
