// Names and dates that the HDF5 layout's separators and shared time axis could not hold (found by
// exploratory testing, 2026-12-02): column names with a comma (selected by `--target "Sales, EUR"`,
// which the CLI splits), series ids with a line break, and long-format series of equal length on
// different dates — each through a CSV and its `convert`ed HDF5 file. Also the selections that are
// refused: a column both target and covariate, and a selected name two columns carry.
import Foundation
import XCTest
@testable import SeqCast

final class ColumnNameTests: XCTestCase {
    private func months(_ n: Int, from start: Int = 0) -> [String] {
        (start..<(start + n)).map { String(format: "%04d-%02d", 2000 + $0 / 12, $0 % 12 + 1) }
    }

    func testANameWithACommaIsSelectedAndSurvivesTheHDF5RoundTrip() throws {
        let dir = temporaryDirectory(self)
        let t = months(40)
        let text = "Date,\"Sales, EUR\",\"Cost,EUR\",x\n" + t.enumerated().map { "\($1),\($0),\(2 * $0),\($0 % 3)" }.joined(separator: "\n") + "\n"
        let csv = writeFile(dir, "c.csv", text)
        var sel = DataSelection()
        sel.targets = ["Sales", "EUR"]; sel.covariates = ["Cost", "EUR"]   // as the CLI splits "Sales, EUR" and "Cost,EUR"
        let c = try DataSource.load(csv, selection: sel)
        XCTAssertEqual(c.channels, ["Sales, EUR", "Cost,EUR"])
        XCTAssertEqual(c.series[0].matrix.values[2 * 5], 5)   // row 5, the target
        XCTAssertEqual(DataSelection.rejoined(["x", "Sales", "EUR"], columns: ["x", "Sales, EUR"]), ["x", "Sales, EUR"])
        XCTAssertEqual(DataSelection.rejoined(["Sales", "EUR"], columns: ["Sales", "EUR", "Sales, EUR"]), ["Sales", "EUR"],
                       "names that are columns as they are stay apart")

        let all = try DataSource.load(csv, selection: DataSelection())
        XCTAssertEqual(all.channels, ["Sales, EUR", "Cost,EUR", "x"])
        try all.writeHDF5(to: dir + "/c.h5")
        let back = try DataSource.load(dir + "/c.h5", selection: DataSelection())
        XCTAssertEqual(back.channels, all.channels, "the names read back, not v0, v1, v2")
        XCTAssertEqual(try DataSource.load(dir + "/c.h5", selection: sel).channels, ["Sales, EUR", "Cost,EUR"])
        // The message lists a name with a comma quoted.
        sel.targets = ["Sales"]; sel.covariates = []
        XCTAssertThrowsError(try DataSource.load(csv, selection: sel)) { e in
            XCTAssertTrue("\(e)".contains("no column 'Sales'; columns are: Date, 'Sales, EUR', 'Cost,EUR', x"), "\(e)")
        }
    }

    func testLongFormatSeriesOnDifferentDatesKeepTheirOwnLabelsInHDF5() throws {
        let dir = temporaryDirectory(self)
        // Two ids of 30 months each: A from 2000-01, B from 2001-10; and an id with a line break.
        let a = months(30), b = months(30, from: 21)
        let rows = a.enumerated().map { "A,\($1),\($0)" } + b.enumerated().map { "\"B\nx\",\($1),\(100 + $0)" }
        let csv = writeFile(dir, "long.csv", "id,ds,y\n" + rows.joined(separator: "\n") + "\n")
        var sel = DataSelection(); sel.idColumn = "id"
        let c = try DataSource.load(csv, selection: sel)
        XCTAssertEqual(c.series.map(\.id), ["A", "B\nx"])
        try c.writeHDF5(to: dir + "/long.h5")
        let back = try DataSource.load(dir + "/long.h5", selection: DataSelection())
        XCTAssertEqual(back.series.map(\.id), ["A", "B\nx"])
        XCTAssertEqual(Array(back.series[0].time), a)
        XCTAssertEqual(Array(back.series[1].time), b, "B's own dates, not A's")
        // Series on the same dates still share one [steps] `time`.
        let same = writeFile(dir, "same.csv", "id,ds,y\n" + (a.map { "A,\($0),1" } + a.map { "B,\($0),2" }).joined(separator: "\n") + "\n")
        try DataSource.load(same, selection: sel).writeHDF5(to: dir + "/same.h5")
        XCTAssertEqual(try HDF5File.open(dir + "/same.h5").readStrings("time").count, 30)
        XCTAssertEqual(try HDF5File.open(dir + "/long.h5").readStrings("time").count, 60)
    }

    func testAColumnSelectedTwiceOrANameTwoColumnsCarryIsRefused() throws {
        let dir = temporaryDirectory(self)
        let t = months(30)
        let csv = writeFile(dir, "d.csv", "Date,y,y,z\n" + t.enumerated().map { "\($1),\($0),\($0 + 1),\($0 % 4)" }.joined(separator: "\n") + "\n")
        XCTAssertThrowsError(try DataSource.load(csv, selection: DataSelection())) { e in
            XCTAssertEqual("\(e)", "\(csv): column 'y' names 2 columns (2, 3 of the header); give each its own name")
        }
        var sel = DataSelection(); sel.targets = ["z"]
        XCTAssertNoThrow(try DataSource.load(csv, selection: sel), "the duplicated name is not selected")
        sel.covariates = ["z"]
        XCTAssertThrowsError(try DataSource.load(csv, selection: sel)) { e in
            XCTAssertEqual("\(e)", "\(csv): column 'z' is both a target and a covariate; name it in one of --target and --covariates")
        }
    }

    /// The forecast and backtest HDF5 outputs store the names as `convert` does (they were joined by
    /// their separator, so a comma-named column read back as `v0`; second exploratory round).
    func testOutputsKeepNamesWithSeparators() throws {
        XCTAssertEqual(HDF5List.decode(HDF5List.encode(["a, b", "c"], separator: ","), separator: ",", count: 2), ["a, b", "c"])
        XCTAssertEqual(HDF5List.encode(["a", "b"], separator: ","), "a,b", "plain names as before")
        XCTAssertEqual(HDF5List.decode("a,b", separator: ",", count: 2), ["a", "b"])
        XCTAssertEqual(HDF5List.decode(HDF5List.encode(["x\ny", "z"], separator: "\n"), separator: "\n", count: 2), ["x\ny", "z"])
        let dir = temporaryDirectory(self)
        let t = months(60)
        let csv = writeFile(dir, "c.csv", "Date,\"Sales, EUR\"\n" + t.enumerated().map { "\($1),\(100 + $0 % 12 + $0)" }.joined(separator: "\n") + "\n")
        let quick = ["--epochs", "1", "--ensemble", "1", "--horizon", "3", "--quiet"]
        XCTAssertEqual(try runCLI(["train", "--data", csv, "--out", dir + "/run"] + quick).status, 0)
        XCTAssertEqual(try runCLI(["forecast", "--model", dir + "/run", "--data", csv, "--out", dir + "/f.h5"]).status, 0)
        let f = try HDF5File.open(dir + "/f.h5")
        XCTAssertEqual(HDF5List.decode(try XCTUnwrap(f.stringAttribute("columns", of: "forecast")), separator: ",", count: 1), ["Sales, EUR"])
        XCTAssertEqual(try runCLI(["backtest", "--data", csv, "--start", "0.8", "--out", dir + "/bt"] + quick).status, 0)
        XCTAssertEqual(try BacktestPlotData(directory: dir + "/bt").targets, ["Sales, EUR"])
    }
}
