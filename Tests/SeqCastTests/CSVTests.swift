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

    /// `inspect --id-column` describes the series a long-format file holds (the default selection
    /// stops on it with a hint to add --id-column): how many, their lengths and spans, the shortest.
    func testInspectDescribesLongFormatSeries() throws {
        let dir = temporaryDirectory(self)
        var text = "unique_id,ds,y\n"
        for (id, months) in [("A", 1...6), ("B", 3...6), ("C", 1...6)] {
            for m in months { text += "\(id),2020-\(String(format: "%02d", m)),\(m)\n" }
        }
        let path = writeFile(dir, "long.csv", text)
        let plain = try Inspector.describe(path)
        XCTAssertTrue(plain.contains("add --id-column unique_id"), plain)
        var sel = DataSelection(); sel.idColumn = "unique_id"
        let out = try Inspector.describe(path, selection: sel)
        XCTAssertTrue(out.contains("series (id column 'unique_id'): 3, 4–6 steps; starts 2020-01 to 2020-03 (2 different), ends 2020-06\n"), out)
        XCTAssertTrue(out.contains("shortest: 'B' 4 steps, 'A' 6 steps, 'C' 6 steps\n"), out)
        XCTAssertFalse(out.contains("would stop"), out)
        sel.idColumn = "series"
        XCTAssertThrowsError(try Inspector.describe(path, selection: sel)) { e in
            XCTAssertTrue("\(e)".contains("no column 'series'"), "\(e)")
        }
    }

    /// Files that are not CSV text are named for what they are (one line, with what to do), not
    /// parsed into a column called '\u{FFFD}PNG'.
    func testBinaryFilesAreNotReadAsCSV() throws {
        let dir = temporaryDirectory(self)
        func file(_ name: String, _ bytes: [UInt8]) -> String {
            let p = dir + "/" + name
            FileManager.default.createFile(atPath: p, contents: Data(bytes))
            return p
        }
        let csv = Array("t,y\n1,2\n2,3\n3,4\n".utf8)
        let utf16: [UInt8] = csv.flatMap { b -> [UInt8] in [b, 0] }
        let cases: [(String, [UInt8], String)] = [
            ("a.csv.gz", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0], "gzip-compressed"),
            ("a.xlsx", [0x50, 0x4B, 3, 4, 20, 0, 6, 0], "ZIP archive"),
            ("a.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0], "PNG image"),
            ("bom16.csv", [0xFF, 0xFE] + utf16, "UTF-16 text"),
            ("nobom16.csv", utf16, "UTF-16 text"),
            ("blob.csv", Array("t,y\n1,2\n".utf8) + [0, 7, 200, 3], "a zero byte at byte 9"),
        ]
        for (name, bytes, expected) in cases {
            let path = file(name, bytes)
            for attempt in [{ try Inspector.describe(path) }, { try DataSource.load(path, selection: DataSelection()); return "" }] {
                XCTAssertThrowsError(try attempt()) { e in
                    let m = "\(e)"
                    XCTAssertTrue(m.contains("\(name): not a CSV file: ") && m.contains(expected), "\(name): \(m)")
                    XCTAssertFalse(m.contains("\n"), m)
                }
            }
        }
        // Text with bytes ≥ 0x80 that are not UTF-8 (Latin-1) is still read.
        let latin1 = file("latin1.csv", Array("t,caf".utf8) + [0xE9] + Array("\n1,2\n2,3\n3,4\n".utf8))
        let read = try DataSource.load(latin1, selection: DataSelection())
        XCTAssertEqual(read.channels.count, 2)
        XCTAssertEqual(read.series[0].matrix.values, [1, 2, 2, 3, 3, 4])
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
