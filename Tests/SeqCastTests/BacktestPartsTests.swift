// A fit's backtest windows are forecast in parts of whole Forecaster chunks (their inputs are never
// all held at once); the results must be those of one pass over all of them, Monte-Carlo dropout's
// sampled bands included.
import Foundation
import XCTest
@testable import SeqCast

final class BacktestPartsTests: XCTestCase {
    func testForecastingInPartsGivesTheBitsOfOnePass() throws {
        // 700 generated months with three gaps (--missing drop); origins from 100 on, stride 1, horizon 4,
        // refitted every 300 origins: fits of 300 and 297 windows, a few left out at the gaps. Parts of
        // two chunks (128 windows): three parts per fit, the last one short, against one part per fit. Recurrent dropout, so MC dropout's masks depend on each chunk's index in the fit.
        let dir = temporaryDirectory(self)
        var text = "month,y\n"
        for i in 0..<700 {
            let gap = [230, 231, 520].contains(i)
            text += String(format: "%04d-%02d,", 1900 + i / 12, 1 + i % 12) + (gap ? "" : "\(10 + sin(Double(i) * .pi / 6) + 0.002 * Double(i) + 0.3 * sin(Double(i) * 0.37))") + "\n"
        }
        var t = smallRequest(writeFile(dir, "gaps.csv", text), horizon: 4, epochs: 1, ensemble: 2)
        t.windows.lookback = 12; t.architecture.recurrentDropout = 0.3
        t.data.selection.missing = .drop
        t.preprocessing.season = 12
        var r = BacktestRequest(train: t)
        r.backtest.start = .index(100); r.backtest.stride = 1; r.backtest.retrain = .every(300)
        let data = try DataSource.load(r.train.data.path, selection: r.train.data.selection)
        let setup = try BacktestJob.setup(r, data: data)
        let models = try BacktestJob.fitModels(setup.settings, plan: setup.plan, data: data, calibrate: true, threads: 2,
                                               clock: Date(), progress: { _ in })
        XCTAssertEqual(models.count, 2)
        for method in [IntervalMethod.mcDropout, .conformal] {
            var intervals = IntervalSettings(); intervals.method = method; intervals.samples = 8
            func run(_ part: Int?) throws -> ([BacktestWindow], Int) {
                try BacktestJob.forecastWindows(setup.plan, models: models, data: data, season: setup.season, intervals: intervals,
                                                threads: 2, progress: { _ in }, windowsPerPart: part)
            }
            let (whole, skippedWhole) = try run(1 << 20), (parts, skippedParts) = try run(2 * Forecaster.chunk)
            XCTAssertEqual(whole.count + skippedWhole, 597)
            XCTAssertGreaterThan(skippedWhole, 0, "the gaps leave windows out")
            XCTAssertEqual(skippedParts, skippedWhole)
            XCTAssertEqual(parts.map(\.origin), whole.map(\.origin))
            func bits(_ w: BacktestWindow) -> [UInt32] {
                (w.forecast + (w.bands.model?.lower ?? []) + (w.bands.model?.upper ?? [])).map(\.bitPattern)
            }
            let differing = zip(parts, whole).enumerated().filter { bits($0.element.0) != bits($0.element.1) }.map(\.offset)
            XCTAssertEqual(differing, [], "\(method): windows whose forecast or band differ between parts and one pass")
            // The bands are real: every window has one, with width, and MC dropout's move from window to window.
            let widths = whole.compactMap { w in w.bands.model.map { $0.upper[0] - $0.lower[0] } }
            XCTAssertEqual(widths.count, whole.count)
            XCTAssertTrue(widths.allSatisfy { $0 > 0 }, "\(method): \(widths.enumerated().filter { $0.element <= 0 }.prefix(5))")
            if method == .mcDropout { XCTAssertGreaterThan(Set(widths).count, 100) }
        }
        // The part size: whole chunks of about 4 MiB of inputs, a multiple of the thread count.
        var p = try XCTUnwrap(models[0]?.manifest.pipeline)
        XCTAssertEqual(p.variantCount, 2); XCTAssertEqual(p.inputs.count, 1)
        // 2 variants × (12 steps × 4 B + 1 KiB) = 2 144 B a window: 4 MiB hold 30 chunks of 64.
        XCTAssertEqual(Forecaster.windowsPerPart(p, threads: 2), 30 * Forecaster.chunk)
        XCTAssertEqual(Forecaster.windowsPerPart(p, threads: 4), 32 * Forecaster.chunk, "rounded up to a multiple of 4 workers")
        p.spec.lookback = 4_000   // 34 048 B a window: one chunk in 4 MiB
        XCTAssertEqual(Forecaster.windowsPerPart(p, threads: 1), Forecaster.chunk)
        XCTAssertEqual(Forecaster.windowsPerPart(p, threads: 16), 16 * Forecaster.chunk, "a chunk for every worker")
        p.spec.lookback = 1_000_000
        XCTAssertEqual(Forecaster.windowsPerPart(p, threads: 1), Forecaster.chunk, "never less than one chunk")
    }
}
