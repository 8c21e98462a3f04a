// Plots: every kind renders from small real outputs to a valid PNG / SVG of the requested size,
// is not blank, and gnuplot prints no warnings; a missing gnuplot is a clear error.
import Foundation
import XCTest
import SeqCast

/// Width and height from a PNG's IHDR chunk, or nil when the file is not a PNG.
func pngSize(_ path: String) -> (Int, Int)? {
    guard let d = FileManager.default.contents(atPath: path), d.count > 24,
          Array(d.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
          String(decoding: d[12..<16], as: UTF8.self) == "IHDR" else { return nil }
    func be32(_ o: Int) -> Int { d[o..<(o + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return (be32(16), be32(20))
}

final class PlotTests: XCTestCase {
    private var dir = ""
    private var model: Ensemble!
    private var data: SeriesCollection!

    override func setUpWithError() throws {
        dir = temporaryDirectory(self)
        var r = TrainRequest(dataPath: datasetPath("uschange.csv"), outDir: dir + "/run")
        r.windows.horizon = 4; r.architecture.hidden = 8; r.training.epochs = 5
        _ = try TrainJob.run(r)
        model = try ModelFile.load(dir + "/run")
        data = try DataSource.load(datasetPath("uschange.csv"), selection: model.manifest.selection)
    }

    /// Bytes of a blank white PNG canvas of this size, rendered by gnuplot itself.
    private func blankCanvasBytes(_ width: Int, _ height: Int) throws -> Int {
        let out = dir + "/blank-\(width)x\(height).png"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gnuplot", "-e", "set terminal pngcairo size \(width),\(height) background '#ffffff'; set output '\(out)'; unset border; unset tics; unset key; set xrange [0:1]; set yrange [0:1]; plot 2 notitle"]
        try p.run(); p.waitUntilExit()
        return (try FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
    }

    /// A rendered PNG is valid, of the requested size, and at least 3× the bytes of a blank canvas
    /// (measured here: blank 1200×600 ≈ 3.5 kB, the plainest training plot ≈ 15 kB).
    private func checkPNG(_ path: String, width: Int, height: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let (w, h) = pngSize(path) else { return XCTFail("\(path) is not a PNG", file: file, line: line) }
        XCTAssertEqual(w, width, file: file, line: line); XCTAssertEqual(h, height, file: file, line: line)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let blank = try blankCanvasBytes(width, height)
        XCTAssertGreaterThan(blank, 500)
        XCTAssertGreaterThan(bytes, 3 * blank, "image is barely larger than a blank canvas", file: file, line: line)
    }

    func testForecastPlotPNGAndSVG() throws {
        let f = try Forecaster.forecast(model, data: data)
        for ext in ["png", "svg"] {
            let out = dir + "/forecast." + ext
            let warnings = try Plots.forecast(f, series: 0, history: data.series[0], timeColumn: "quarter", season: 4,
                                              lookback: model.manifest.model.lookback, to: out)
            XCTAssertNil(warnings, "gnuplot warned: \(warnings ?? "")")
            if ext == "png" {
                try checkPNG(out, width: 1200, height: 5 * 300)   // one 300-px panel per variable, 5 variables
            } else {
                let svg = try String(contentsOfFile: out, encoding: .utf8)
                XCTAssertTrue(svg.contains("<svg") && svg.contains("width=\"1200\"") && svg.contains("height=\"1500\""))
                XCTAssertGreaterThanOrEqual(svg.components(separatedBy: "<path").count, 10, "no curves drawn")
                for name in ["consumption", "unemployment", "4-step forecast", "history"] { XCTAssertTrue(svg.contains(name), name) }
            }
        }
    }

    func testTrainingPlot() throws {
        let out = dir + "/training.png"
        XCTAssertNil(try Plots.training(model.members[0].state.history, loss: .mse, to: out, title: "t"))
        try checkPNG(out, width: 1200, height: 600)
    }

    func testBacktestPlotFromResultAndFromDirectory() throws {
        var r = BacktestRequest(train: smallRequest(datasetPath("airline.csv"), epochs: 2))
        r.backtest.start = .fraction(0.8); r.backtest.retrain = .never
        let result = try BacktestJob.run(r)
        try result.write(to: dir + "/bt", config: r.config)
        XCTAssertNil(try Plots.backtest(BacktestPlotData(result), to: dir + "/a.png", title: "bt"))
        XCTAssertNil(try Plots.backtest(BacktestPlotData(directory: dir + "/bt"), to: dir + "/b.png", title: "bt"))
        try checkPNG(dir + "/a.png", width: 1200, height: 900)   // with intervals: a third panel, coverage by step
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/a.png")),
                       try Data(contentsOf: URL(fileURLWithPath: dir + "/b.png")), "same data, same picture")
        // The top panel draws the first series' first target, and says so when there are more.
        XCTAssertEqual(Plots.topLabel(BacktestPlotData(result)), "Passengers")
        var several = BacktestPlotData(result)
        several.series = several.series.enumerated().map { $0.offset % 2 == 0 ? "a" : "b" }; several.targets = ["x", "y"]
        XCTAssertEqual(Plots.topLabel(several), "x (series a, 1st of 2; 1st of 2 targets)")
        r.intervals.method = .none
        let plain = try BacktestJob.run(r)
        XCTAssertNil(try Plots.backtest(BacktestPlotData(plain), to: dir + "/c.png", title: "bt"))
        try checkPNG(dir + "/c.png", width: 1200, height: 600)
    }

    func testMissingGnuplotIsAClearErrorAndLeavesNoImage() throws {
        setenv("SEQCAST_GNUPLOT", "/nonexistent/gnuplot", 1)
        defer { unsetenv("SEQCAST_GNUPLOT") }
        let msg = errorMessage { _ = try Plots.training(self.model.members[0].state.history, loss: .mse, to: self.dir + "/x.png", title: "") }
        XCTAssertTrue(msg.contains("gnuplot not found"), msg)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.png"))
    }

    func testUserTextCannotBreakTheScript() throws {
        // Quotes, a backslash, gnuplot syntax and a newline in a title and a column name are drawn as text.
        let out = dir + "/quoted.svg"
        let evil = "it's \"x\"; system('touch \(dir)/pwned') \\ \n next"
        XCTAssertNil(try PlotRenderer.render(.training, to: out, title: evil,
                                             settings: [("logscale", .number(0)), ("has_validation", .number(0)), ("ylabel_1", .text(evil))],
                                             files: ["training.tsv": "1\t3\t?\n2\t2\t?\n3\t1\t?\n"]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/pwned"))
        XCTAssertTrue(try String(contentsOfFile: out, encoding: .utf8).contains("system("))
    }
}
