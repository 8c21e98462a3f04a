// CSV reading: dialects, selection, long format, time axes, missing values, and every bad input.
import XCTest
import SeqCast

final class CSVTests: XCTestCase {
    func testDialectsQuotesCRLFAndBOM() throws {
        let dir = temporaryDirectory(self)
        let text = "\u{FEFF}\"date\";\"value\";note\r\n2020-01-01;1,5;\"a;b\"\r\n2020-01-02;2;\"say \"\"hi\"\"\"\r\n"
        let t = try CSVTable.read(writeFile(dir, "semi.csv", text), keepingText: .all)
        XCTAssertEqual(t.header, ["date", "value", "note"])
        XCTAssertEqual(t.rows[0], ["2020-01-01", "1,5", "a;b"])
        XCTAssertEqual(t.rows[1][2], "say \"hi\"")
        XCTAssertEqual(t.lines, [2, 3])
        let tab = try CSVTable.read(writeFile(dir, "tab.csv", "a\tb\n1\t2\n3\t4\n"), keepingText: .all)
        XCTAssertEqual(tab.rows, [["1", "2"], ["3", "4"]])
        let multiline = try CSVTable.read(writeFile(dir, "ml.csv", "a,b\n\"x\ny\",2\n5,6\n"), keepingText: .all)
        XCTAssertEqual(multiline.rows[0][0], "x\ny")
        XCTAssertEqual(multiline.lines, [2, 4], "line numbers count the newline inside quotes")
    }

    func testDefaultSelectionSkipsTimeAndTextColumns() throws {
        let c = try DataSource.load(datasetPath("uschange.csv"), selection: DataSelection())
        XCTAssertEqual(c.channels, ["consumption", "income", "production", "savings", "unemployment"])
        XCTAssertEqual(c.series.count, 1)
        XCTAssertEqual(c.series[0].length, 187)
        XCTAssertEqual(c.timeAxis?.format, .yearQuarter)
        XCTAssertEqual(c.timeAxis?.seasonalPeriod, 4)
        XCTAssertEqual(c.series[0].matrix[0, 0], 0.615986218, accuracy: 1e-7)
    }

    func testTargetsAndCovariates() throws {
        var sel = DataSelection()
        sel.targets = ["income"]; sel.covariates = ["savings", "unemployment"]
        let c = try DataSource.load(datasetPath("uschange.csv"), selection: sel)
        XCTAssertEqual(c.channels, ["income", "savings", "unemployment"])
        XCTAssertEqual(c.targetCount, 1)
    }

    func testTimeAxesOfShippedDatasets() throws {
        let expected: [(String, String, Int?, String)] = [
            ("airline.csv", "monthly", 12, "1961-01"), ("co2_weekly.csv", "weekly", 52, "2002-01-05"),
            ("sunspots.csv", "yearly", nil, "2009"), ("uschange.csv", "quarterly", 4, "2016-Q4")]
        for (file, freq, season, next) in expected {
            let c = try DataSource.load(datasetPath(file), selection: DataSelection())
            let axis = try XCTUnwrap(c.timeAxis, file)
            XCTAssertEqual(axis.frequencyName, freq, file)
            XCTAssertEqual(axis.seasonalPeriod, season, file)
            XCTAssertEqual(axis.continuing(after: c.series[0].time.last!, count: 1), [next], file)
        }
    }

    /// A yearly axis has no season, whatever the autocorrelation shows (sunspots' 11-year peak is a
    /// cycle); without a time axis the peak is taken as the season.
    func testYearlyAxisHasNoSeason() throws {
        let c = try DataSource.load(datasetPath("sunspots.csv"), selection: DataSelection())
        let s = Baselines.season(of: c, before: c.series[0].length)
        XCTAssertEqual(s.period, 1)
        XCTAssertEqual(s.source, "yearly time column: no season")
        let inspect = try Inspector.describe(datasetPath("sunspots.csv"))
        XCTAssertTrue(inspect.contains("season (--season auto): 1 (yearly time column: no season); 'sunactivity' has an autocorrelation peak at lag "), inspect)
        XCTAssertFalse(try Inspector.describe(datasetPath("airline.csv")).contains("season (--season auto)"), "its time column's line says 12")
        let rows = (0..<120).map { t in String(format: "%.3f", 10 + 5 * sin(Double(t) * 2 * Double.pi / 12) + Double(t % 7) * 0.1) }
        let noAxis = try Inspector.describe(writeFile(temporaryDirectory(self), "wave.csv", "v\n" + rows.joined(separator: "\n") + "\n"))
        XCTAssertTrue(noAxis.contains("season (--season auto): 12 (autocorrelation peak)\n"), noAxis)
        var bare = c
        bare.timeAxis = nil
        XCTAssertTrue((9...12).contains(Baselines.season(of: bare, before: bare.series[0].length).period), "the autocorrelation peak")
    }

    func testLongFormatOneSeriesPerID() throws {
        let dir = temporaryDirectory(self)
        let path = writeFile(dir, "long.csv", "unique_id,ds,y\nA,2020-01-01,1\nB,2020-01-01,10\nA,2020-01-02,2\nB,2020-01-02,20\nA,2020-01-03,3\n")
        var sel = DataSelection(); sel.idColumn = "unique_id"
        let c = try DataSource.load(path, selection: sel)
        XCTAssertEqual(c.series.map(\.id), ["A", "B"])
        XCTAssertEqual(c.series[0].matrix.values, [1, 2, 3])
        XCTAssertEqual(c.series[1].matrix.values, [10, 20])
        XCTAssertEqual(c.series[1].time, ["2020-01-01", "2020-01-02"])
        XCTAssertEqual(c.channels, ["y"])
    }

    func testMissingValuePolicies() throws {
        let dir = temporaryDirectory(self)
        let path = writeFile(dir, "gaps.csv", "time,v\n1,\n2,2\n3,NA\n4,null\n5,8\n6,NaN\n")
        var sel = DataSelection()
        sel.missing = .interpolate
        var c = try DataSource.load(path, selection: sel)
        XCTAssertEqual(c.series[0].matrix.values, [2, 2, 4, 6, 8, 8])
        XCTAssertEqual(c.missingCount, 4)
        sel.missing = .ffill
        c = try DataSource.load(path, selection: sel)
        XCTAssertEqual(c.series[0].matrix.values, [2, 2, 2, 2, 8, 8])
        sel.missing = .drop
        c = try DataSource.load(path, selection: sel)
        let p = Pipeline(spec: WindowSpec(lookback: 1, horizon: 1), scaler: Scaler.fit(.none, channels: 1, parts: []),
                         inputs: [0], targets: [0])
        XCTAssertEqual(p.validStarts(c.series[0].matrix, in: 0..<6), [], "every window of 2 touches a gap")
        sel.missing = .error
        let msg = errorMessage { _ = try DataSource.load(path, selection: sel) }
        XCTAssertTrue(msg.contains("gaps.csv: row 2, column 'v': missing value"), msg)
    }

    func testBadInputsNameFileRowAndColumn() throws {
        let dir = temporaryDirectory(self)
        let cases: [(String, String, String)] = [
            ("ragged.csv", "a,b\n1,2\n3\n", "ragged.csv: row 3 has 1 fields, the header has 2"),
            ("text.csv", "a,b\n1,2\n3,x7\n", "text.csv: row 3, column 'b': 'x7' is not a number"),
            ("inf.csv", "a\n1\ninf\n", "inf.csv: row 3, column 'a': 'inf' is infinite"),
            ("overflow.csv", "a\n1\n1e39\n", "overflow.csv: row 3, column 'a': '1e39' is infinite or out of Float range"),
            ("empty.csv", "", "empty.csv: the file is empty"),
            ("blank.csv", "\n\r\n  \n", "blank.csv: the file is empty"),
            ("header.csv", "a,b\n", "header.csv: only a header row, no data"),
        ]
        for (name, text, expected) in cases {
            let path = writeFile(dir, name, text)
            let msg = errorMessage { _ = try DataSource.load(path, selection: DataSelection()) }
            XCTAssertTrue(msg.contains(expected), "\(name): \(msg)")
            XCTAssertTrue(msg.hasPrefix(path), "\(name): message must start with the path: \(msg)")
        }
        var sel = DataSelection(); sel.targets = ["nope"]
        let msg = errorMessage { _ = try DataSource.load(datasetPath("airline.csv"), selection: sel) }
        XCTAssertTrue(msg.contains("no column 'nope'; columns are: Date, Passengers"), msg)
        let missing = errorMessage { _ = try DataSource.load(dir + "/absent.csv", selection: DataSelection()) }
        XCTAssertTrue(missing.hasSuffix("absent.csv: no such file"), missing)
    }

    func testSeriesTooShortSaysHowLong() throws {
        let c = try DataSource.load(datasetPath("airline.csv"), selection: DataSelection())
        let msg = errorMessage { try c.checkLength(lookback: 140, horizon: 12, valFraction: 0.2) }
        XCTAssertTrue(msg.contains("series 'airline' has 144 steps, needs at least 190 (lookback 140 + horizon 12 in its training part, the steps before the last 20% that --val-fraction 0.2 holds out for validation)"), msg)
        let window = errorMessage { try c.checkLength(lookback: 140, horizon: 12) }   // one window, no training split
        XCTAssertTrue(window.contains("series 'airline' has 144 steps, needs at least 152 (lookback 140 + horizon 12)"), window)
    }
}
