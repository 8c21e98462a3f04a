// Error paths of the jobs: each stops with one message that says what is wrong and what to do.
import Foundation
import XCTest
import SeqCast

final class ErrorPathTests: XCTestCase {
    func testForecastWithOtherColumnsThanTheModel() throws {
        let dir = temporaryDirectory(self)
        var r = TrainRequest(dataPath: datasetPath("airline.csv"), outDir: dir + "/run")
        r.windows.horizon = 3; r.training.epochs = 1; r.training.ensemble = 1
        _ = try TrainJob.run(r)
        let model = try ModelFile.load(dir + "/run")
        let short = writeFile(dir, "short.csv", "Date,Passengers\n2020-01,1\n2020-02,2\n")
        let tooShort = errorMessage { _ = try Forecaster.forecast(model, data: try DataSource.load(short, selection: DataSelection())) }
        XCTAssertTrue(tooShort.contains("series 'short' has 2 steps, needs at least 24 (the model's lookback)"), tooShort)
        let other = writeFile(dir, "other.csv", "Date,Riders\n2020-01,1\n2020-02,2\n")
        let msg = errorMessage { _ = try Forecaster.forecast(model, data: try DataSource.load(other, selection: DataSelection())) }
        XCTAssertTrue(msg.contains("columns Riders do not match the model's Passengers"), msg)
    }

    func testTheLengthATooShortSeriesIsToldToHaveIsEnough() throws {
        // "needs at least lookback + horizon" was not enough: the last --val-fraction is held out,
        // so a series of that length had no training window (and said no number).
        let dir = temporaryDirectory(self)
        for (lookback, horizon, fraction, need) in [(4, 2, 0.2, 7), (140, 12, 0.2, 190), (8, 4, 0.3, 17), (5, 3, 0.0, 8)] {
            XCTAssertEqual(SeriesCollection.minimumTrainingLength(lookback: lookback, horizon: horizon, valFraction: fraction), need)
            for n in [need - 1, need] {
                var r = TrainRequest(dataPath: writeFile(dir, "s\(n).csv", "t,y\n" + (0..<n).map { "\($0),\(sin(Double($0)))\n" }.joined()),
                                     outDir: dir + "/r\(lookback)-\(n)")
                r.windows.lookback = lookback; r.windows.horizon = horizon; r.windows.valFraction = fraction
                r.training.epochs = 1; r.training.ensemble = 1; r.preprocessing.variants = []
                if n < need {
                    let msg = errorMessage { _ = try TrainJob.run(r) }
                    XCTAssertTrue(msg.contains("has \(n) steps, needs at least \(need) (lookback \(lookback) + horizon \(horizon)"), msg)
                } else {
                    XCTAssertNoThrow(try TrainJob.run(r), "\(n) steps, lookback \(lookback), horizon \(horizon), --val-fraction \(fraction)")
                }
            }
        }
    }

    func testBacktestOfUnequalSeriesLengths() throws {
        let dir = temporaryDirectory(self)
        var text = "id,t,y\n"
        for i in 0..<40 { text += "a,\(i),\(i)\n" }
        for i in 0..<30 { text += "b,\(i),\(i)\n" }
        var t = TrainRequest(dataPath: writeFile(dir, "long.csv", text), outDir: dir)
        t.data.selection.idColumn = "id"
        let msg = errorMessage { _ = try BacktestJob.run(BacktestRequest(train: t)) }
        XCTAssertTrue(msg.contains("backtest needs series of equal length (got 30, 40) (one global model's origins are the same rows of every series); --per-series backtests each series on its own"), msg)
    }

    func testWindowScalerNeedsSeriesMode() throws {
        let dir = temporaryDirectory(self)
        do {
            let f = try HDF5File.create(dir + "/s.h5")
            try f.write("X", shape: [4, 5, 1], values: [Float](repeating: 1, count: 20))
            try f.write("y", shape: [4, 1], values: [1, 2, 3, 4])
        }
        var r = TrainRequest(dataPath: dir + "/s.h5", outDir: dir + "/run")
        r.data.x = "X"; r.data.y = "y"; r.preprocessing.scaler = .window
        let msg = errorMessage { _ = try TrainJob.run(r) }
        XCTAssertTrue(msg.contains("--scaler window needs series mode"), msg)
        XCTAssertEqual(listing(dir), ["s.h5"], "nothing written")
    }

    func testWriteBackRefusesAnExistingDatasetName() throws {
        let dir = temporaryDirectory(self)
        let data = try DataSource.load(datasetPath("airline.csv"), selection: DataSelection())
        try data.writeHDF5(to: dir + "/in.h5")
        let f = Forecast(seriesIds: ["airline"], times: [["1961-01"]], values: [[1]], targetNames: ["Passengers"], horizon: 1)
        let msg = errorMessage { try f.writeBack(input: dir + "/in.h5", output: dir + "/out.h5", name: "series") }
        XCTAssertTrue(msg.contains("already has a dataset 'series'; choose another with --forecast-dataset"), msg)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out.h5"))
    }

    func testNoTrainingWindowExplainsWhat() throws {
        let c = try DataSource.load(datasetPath("airline.csv"), selection: DataSelection())
        let msg = errorMessage { _ = try c.split(spec: WindowSpec(lookback: 100, horizon: 12), scaler: .window, valFraction: 0.5) }
        XCTAssertTrue(msg.contains("has 144 steps, needs at least 224 (lookback 100 + horizon 12 in its training part"), msg)
        XCTAssertTrue(msg.contains("lower --lookback, --horizon or --val-fraction"), msg)
        // Of several series, one that is long enough for a window but not for a training window
        // gives validation windows; with none giving a training window, the message names the need.
        var two = c; two.series = [c.series[0], c.series[0]]; two.series[1].id = "again"
        let none = errorMessage { _ = try two.split(spec: WindowSpec(lookback: 100, horizon: 12), scaler: .window, valFraction: 0.5) }
        XCTAssertTrue(none.contains("no training window: the shortest series has 144 steps"), none)
        XCTAssertTrue(none.contains("(a series of 224 steps has one; lower --lookback or --val-fraction)"), none)
    }
}

/// Error paths that had no test: each one line naming the file and what to do.
final class MoreErrorPathTests: XCTestCase {
    func testATextOnlyCSVHasNoTarget() {
        let dir = temporaryDirectory(self)
        let path = writeFile(dir, "text.csv", "name,colour\na,red\nb,blue\nc,green\n")
        let msg = errorMessage { _ = try DataSource.load(path, selection: DataSelection()) }
        XCTAssertTrue(msg.contains("text.csv: no numeric target column; columns are: name, colour"), msg)
    }

    /// A time label decades after the others would be filled with tens of thousands of invented
    /// rows; it is refused, naming the row.
    func testAnImplausibleTimeGapIsRefused() {
        let dir = temporaryDirectory(self)
        var text = "date,v\n"
        for d in 1...20 { text += String(format: "2020-01-%02d,%d\n", d, d) }
        text += "2090-01-21,21\n"
        let path = writeFile(dir, "gap.csv", text)
        let msg = errorMessage { _ = try DataSource.load(path, selection: DataSelection()) }
        XCTAssertTrue(msg.contains("gap.csv: row 22") && msg.contains("is more than the series holds — is a time label wrong?"), msg)
    }

    func testAnHDF5FileThatIsNotAModel() {
        let msg = errorMessage { _ = try ModelFile.load(datasetPath("airline.h5")) }
        XCTAssertTrue(msg.contains("airline.h5: not a seqcast model (no 'manifest' dataset or attribute)"), msg)
    }
}
