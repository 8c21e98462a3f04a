// The columnar CSV reader on a large generated file: values read exactly as the String-per-cell
// reader did (Float(Double(text))), types decided over the whole column, text kept only where needed;
// numbers kept in chunks that making the series lets go of in its own copy of the table.
import XCTest
@testable import SeqCast

final class CSVColumnTests: XCTestCase {
    func testLargeGeneratedFileIsReadWithTheRightValuesAndTypes() throws {
        let dir = temporaryDirectory(self)
        let n = 200_000
        var text = "index,y,x,label,late,sparse\n"
        text.reserveCapacity(n * 48)
        var y = [String](), x = [String]()
        for i in 0..<n {
            let yi = String(format: "%.3f", 100 + 10 * sin(Double(i) / 24) + Double(i % 7) * 0.001)
            let xi = i % 1000 == 999 ? "NA" : "\(Double(i) * 0.1 + 1e-7)"
            y.append(yi); x.append(xi)
            let late = i < 10 ? "\(i)" : "t\(i % 3)"       // numbers first, then mostly text
            let sparse = i % 2 == 0 ? "\(i)" : ""           // numbers with empty cells
            text += "\(i + 1),\(yi),\(xi),\(["a", "b", "c"][i % 3]),\(late),\(sparse)\n"
        }
        let path = writeFile(dir, "big.csv", text)
        let t = try CSVTable.read(path)
        XCTAssertEqual(t.rowCount, n)
        XCTAssertEqual(t.line(n - 1), n + 1)
        XCTAssertTrue(t.profile(1).isNumeric && t.profile(2).isNumeric && t.profile(5).isNumeric)
        XCTAssertEqual(t.profile(2).present, n - n / 1000)
        XCTAssertFalse(t.profile(3).isMostlyNumeric)
        XCTAssertFalse(t.profile(4).isMostlyNumeric)
        XCTAssertEqual(t.profile(4).firstBad, 10)
        XCTAssertEqual(t.profile(5).present, n / 2)
        XCTAssertTrue(t.columns[0].keepsText, "named like a time column")
        XCTAssertFalse(t.columns[1].keepsText || t.columns[2].keepsText || t.columns[5].keepsText, "numbers only")
        XCTAssertTrue(t.columns[3].keepsText && t.columns[4].keepsText, "text columns keep their text")
        for r in [0, 1, 9, 10, 11, n / 2, n - 1] {
            XCTAssertEqual(t.text(r, 0), "\(r + 1)")
            XCTAssertEqual(t.text(r, 3), ["a", "b", "c"][r % 3])
            XCTAssertEqual(t.text(r, 4), r < 10 ? "\(r)" : "t\(r % 3)", "texts of a column read again after its first numbers")
        }
        XCTAssertEqual(t.text(999, 2), "NA")
        let s = t.columns[1].stats
        let ys = y.map { Double($0)! }
        XCTAssertEqual(s.count, n)
        XCTAssertEqual(s.min, ys.min()); XCTAssertEqual(s.max, ys.max()); XCTAssertEqual(s.sum, ys.reduce(0, +))

        var sel = DataSelection()
        sel.targets = ["y"]; sel.covariates = ["x", "sparse"]
        let c = try DataSource.load(path, selection: sel)
        XCTAssertEqual(c.channels, ["y", "x", "sparse"])
        XCTAssertEqual(c.series.count, 1)
        let m = c.series[0].matrix
        XCTAssertEqual(m.steps, n)
        XCTAssertEqual(c.series[0].time.first, "1"); XCTAssertEqual(c.series[0].time.last, "\(n)")
        let column = { (k: Int) in (0..<n).map { m[$0, k].bitPattern } }
        XCTAssertEqual(column(0), y.map { Float(Double($0)!).bitPattern }, "Float(Double(text)), as before")
        let xs = column(1)
        XCTAssertEqual((0..<n).filter { Double(x[$0]) != nil }.map { xs[$0] }, x.compactMap { Double($0) }.map { Float($0).bitPattern })
        XCTAssertEqual(column(2), (0..<n).map { Float(min($0, n - 2)).bitPattern }, "every other cell empty: interpolated (the last: carried)")
        XCTAssertEqual(c.missingCount, n / 1000 + n / 2)
        // The default selection leaves the text columns out with a note, and 'late' names its first text cell.
        let d = try DataSource.load(path, selection: DataSelection())
        XCTAssertEqual(d.channels, ["y", "x", "sparse"])
        XCTAssertTrue(d.notes.contains { $0.contains("'late' (row 12: 't1')") }, "\(d.notes)")
    }

    /// Series made from a table over several chunks of numbers (FloatChunks) — forward, newest
    /// first, long format, a subset of the columns — hold every value, and the table they were made
    /// from (whose numbers the series builder lets go of in its own copy) still reads every cell.
    /// A missing cell (with `--missing error`) in a chunk after some were let go of is still reported
    /// with its row, forward and newest first (the series builder releases chunks as it goes).
    func testAMissingCellAfterReleasedChunksNamesItsRow() throws {
        let dir = temporaryDirectory(self)
        let n = 2 * FloatChunks.size + 10, hole = FloatChunks.size + 5   // row index of the empty cell
        var forward = "index,y\n", reversed = "index,y\n"
        for i in 0..<n { forward += "\(i + 1),\(i == hole ? "" : "\(i % 97)")\n" }
        for i in (0..<n).reversed() { reversed += "\(i + 1),\(i == hole ? "" : "\(i % 97)")\n" }
        var selection = DataSelection()
        selection.missing = .error
        for (name, text, line) in [("forward", forward, hole + 2), ("reversed", reversed, n - hole + 1)] {
            let path = writeFile(dir, "\(name).csv", text)
            let msg = errorMessage { _ = try DataSource.load(path, selection: selection) }
            XCTAssertTrue(msg.contains("row \(line)") && msg.contains("'y'"), "\(name): \(msg)")
        }
    }

    func testSeriesOverSeveralChunksLeaveTheCallersTableWhole() throws {
        let dir = temporaryDirectory(self)
        let n = 3 * FloatChunks.size + 123
        func value(_ i: Int, _ k: Int) -> String { String(format: "%.3f", Double(i % 9973) * 0.01 + Double(k)) }
        func label(_ i: Int) -> String { "\(i + 1)" }
        var forward = "index,y,x,unused\n", reversed = "index,y,x,unused\n", long = "id,index,y,x,unused\n"
        for i in 0..<n { forward += "\(label(i)),\(value(i, 0)),\(value(i, 1)),\(value(i, 2))\n" }
        for i in (0..<n).reversed() { reversed += "\(label(i)),\(value(i, 0)),\(value(i, 1)),\(value(i, 2))\n" }
        for i in 0..<n { long += "\(i % 2 == 0 ? "a" : "b"),\(label(i / 2)),\(value(i, 0)),\(value(i, 1)),\(value(i, 2))\n" }
        var subset = DataSelection()
        subset.targets = ["x"]; subset.covariates = ["y"]
        var byId = DataSelection()
        byId.idColumn = "id"; byId.targets = ["y", "x"]
        let cases: [(String, String, DataSelection, [[Int]])] = [
            ("forward", forward, DataSelection(), [Array(0..<n)]),
            ("reversed", reversed, DataSelection(), [Array(0..<n)]),
            ("subset", forward, subset, [Array(0..<n)]),
            ("long", long, byId, [Array(stride(from: 0, to: n, by: 2)), Array(stride(from: 1, to: n, by: 2))]),
        ]
        for (name, text, selection, rows) in cases {
            let path = writeFile(dir, "\(name).csv", text)
            let table = try CSVTable.read(path, keepingText: .named(Set([selection.idColumn].compactMap { $0 })))
            let channels = selection.targets.map { $0 + selection.covariates } ?? ["y", "x", "unused"]
            for _ in 0..<2 {   // the same table twice: the first series let go of nothing the table holds
                let c = try table.series(selection)
                XCTAssertEqual(c.channels, channels, name)
                XCTAssertEqual(c.series.map(\.length), rows.map(\.count), name)
                for (s, rows) in zip(c.series, rows) {
                    for (k, channel) in channels.enumerated() {
                        let column = ["y": 0, "x": 1, "unused": 2][channel]!
                        XCTAssertEqual((0..<s.length).map { s.matrix[$0, k].bitPattern },
                                       rows.map { Float(Double(value($0, column))!).bitPattern }, "\(name) \(channel)")
                    }
                }
            }
            for r in [0, FloatChunks.size - 1, FloatChunks.size, 2 * FloatChunks.size + 7, n - 1] {
                let i = name == "reversed" ? n - 1 - r : r
                XCTAssertEqual(table.text(r, name == "long" ? 4 : 3), "\(Float(Double(value(i, 2))!))", "\(name): the table's cells")
            }
        }
        // DataSource.load gives the table up: the same values as from a table kept.
        let path = dir + "/forward.csv"
        XCTAssertEqual(try DataSource.load(path, selection: DataSelection()).series[0].matrix,
                       try CSVTable.read(path).series(DataSelection()).series[0].matrix)
    }
}
