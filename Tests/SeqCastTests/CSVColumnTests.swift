// The columnar CSV reader on a large generated file: values read exactly as the String-per-cell
// reader did (Float(Double(text))), types decided over the whole column, text kept only where needed.
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
}
