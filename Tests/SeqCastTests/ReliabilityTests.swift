// Reliability: inputs that used to be misread silently or crash — stray quotes, huge fields, bad
// cells in the first row, all-missing and text targets, bad / duplicate / unsorted / reversed
// time stamps, gaps, long format without --id-column, control characters in names — each stop
// with one line naming file and place, or are read with a note saying what was decided.
// RELIABILITY.md lists which test covers which item.
import Foundation
import XCTest
import SeqCast

/// The error message of loading `text` as `name` with `selection`, checked to be one line that starts with the path.
private func loadError(_ test: XCTestCase, _ name: String, _ text: String, _ selection: DataSelection = DataSelection(),
                       file: StaticString = #filePath, line: UInt = #line) -> String {
    let path = writeFile(temporaryDirectory(test), name, text)
    let msg = errorMessage({ _ = try DataSource.load(path, selection: selection) }, file: file, line: line)
    XCTAssertTrue(msg.hasPrefix(path), "message must start with the path: \(msg)", file: file, line: line)
    XCTAssertFalse(msg.contains("\n"), "message must be one line: \(msg)", file: file, line: line)
    return msg
}

private func load(_ test: XCTestCase, _ name: String, _ text: String, _ selection: DataSelection = DataSelection()) throws -> SeriesCollection {
    try DataSource.load(writeFile(temporaryDirectory(test), name, text), selection: selection)
}

/// A monthly series "date,v" of `n` rows starting 2000-01.
private func monthly(_ n: Int, extra: (Int) -> String = { _ in "" }) -> String {
    (0..<n).map { i in String(format: "%04d-%02d,%d", 2000 + i / 12, i % 12 + 1, i) + extra(i) }.joined(separator: "\n")
}

final class ReliabilityTests: XCTestCase {
    // MARK: 1. CSV quoting and sizes

    func testUnclosedQuoteNamesTheLineWhereItStarted() {
        let msg = loadError(self, "q.csv", "date,v,note\n2020-01,1,ok\n2020-02,2,\"oops\n2020-03,3,ok\n2020-04,4,ok\n")
        XCTAssertTrue(msg.contains("q.csv: line 3: the quote opened here is never closed"), msg)
    }

    func testStrayQuoteClosedLaterPointsAtTheQuote() {
        let msg = loadError(self, "q2.csv", "a,b\n1,\"2\n3,4\n5,6\",9\n7,8\n")
        XCTAssertTrue(msg.contains("row 2 has 3 fields, the header has 2; the quoted field opened on line 2 spans several lines"), msg)
        let cell = loadError(self, "q3.csv", "a,b\n1,\"2\n3,4\n5,6\"\n7,8\n")
        XCTAssertTrue(cell.contains("row 2, column 'b': '2\\u{A}3,4\\u{A}5,6' is not a number (a quoted field spanning several lines"), cell)
    }

    func testHugeFieldsAreRefusedAndEchoedCellsClipped() {
        let big = String(repeating: "x", count: CSVTable.maxFieldBytes + 10)
        let plain = loadError(self, "big.csv", "a,b\n1,\(big)\n")
        XCTAssertTrue(plain.contains("big.csv: line 2: a field is longer than 1024 KiB"), plain)
        XCTAssertLessThan(plain.count, 200)
        let quoted = loadError(self, "bigq.csv", "a,b\n1,2\n3,\"\(big)\"\n")
        XCTAssertTrue(quoted.contains("bigq.csv: line 3: the quoted field opened here is longer than 1024 KiB"), quoted)
        // A long bad cell (under the field cap) is clipped in the message.
        let long = String(repeating: "y", count: 10_000)
        let cell = loadError(self, "cell.csv", "a,b\n1,2\n3,\(long)\n4,5\n")
        XCTAssertTrue(cell.contains("row 3, column 'b': 'yyyy"), cell)
        XCTAssertTrue(cell.contains("… (10000 bytes)"), cell)
        XCTAssertLessThan(cell.count, 250, cell)
    }

    // MARK: 2. Column types over the whole column

    func testBadCellInFirstRowIsAnErrorNotADroppedColumn() {
        let msg = loadError(self, "first.csv", "date,a,b\n2020-01,1,x\n2020-02,2,3\n2020-03,3,4\n")
        XCTAssertTrue(msg.contains("first.csv: row 2, column 'b': 'x' is not a number"), msg)
        var sel = DataSelection(); sel.targets = ["a"]; sel.covariates = ["b"]
        let cov = loadError(self, "first.csv", "date,a,b\n2020-01,1,x\n2020-02,2,3\n2020-03,3,4\n", sel)
        XCTAssertTrue(cov.contains("row 2, column 'b': 'x' is not a number"), cov)
        let comma = loadError(self, "semi.csv", "date;v\n2020-01;1,5\n2020-02;2\n2020-03;3\n")
        XCTAssertTrue(comma.contains("'1,5' is not a number (decimal commas are not supported"), comma)
    }

    func testAllMissingTargetColumnIsAnError() throws {
        let msg = loadError(self, "empty.csv", "date,sales,price\n2020-01,,1\n2020-02,NA,2\n2020-03,,3\n")
        XCTAssertTrue(msg.contains("column 'sales' has no values (every cell is missing)"), msg)
        var sel = DataSelection(); sel.targets = ["sales"]
        let named = loadError(self, "empty.csv", "date,sales,price\n2020-01,,1\n2020-02,NA,2\n2020-03,,3\n", sel)
        XCTAssertTrue(named.contains("column 'sales' has no values"), named)
        sel.targets = ["price"]
        XCTAssertEqual(try load(self, "empty.csv", "date,sales,price\n2020-01,,1\n2020-02,NA,2\n2020-03,,3\n", sel).channels, ["price"])
    }

    func testNamedTextTargetSaysWhyAndDroppedTextColumnsAreNoted() throws {
        let text = "date,v,note\n2020-01,1,hi\n2020-02,2,ok\n2020-03,3,ok\n"
        var sel = DataSelection(); sel.targets = ["note"]
        let msg = loadError(self, "t.csv", text, sel)
        XCTAssertTrue(msg.contains("column 'note' is text, not numbers: 3 of its 3 values are not numbers (first: row 2, 'hi')"), msg)
        let c = try load(self, "t.csv", text)
        XCTAssertEqual(c.channels, ["v"])
        XCTAssertTrue(c.notes.contains { $0.contains("text column left out (not numbers): 'note' (row 2: 'hi')") }, "\(c.notes)")
        let inspect = try Inspector.describe(writeFile(temporaryDirectory(self), "t.csv", text))
        XCTAssertTrue(inspect.contains("note: ") && inspect.contains("'note' (row 2: 'hi')"), inspect)
    }

    // MARK: 3. Unparsable time stamps

    func testUnparsableTimestampIsAnErrorWithTimeColumnAndANoteOtherwise() throws {
        let text = "date,v\n2020-01,1\n2020-02,2\n2020-0x,3\n2020-04,4\n"
        var sel = DataSelection(); sel.timeColumn = "date"
        let msg = loadError(self, "ts.csv", text, sel)
        XCTAssertTrue(msg.contains("ts.csv: row 4, time column 'date': '2020-0x' is not a time label like the others (the others are like 1949-01)"), msg)
        let c = try load(self, "ts.csv", text)
        XCTAssertNil(c.timeAxis)
        XCTAssertTrue(c.notes.contains { $0.contains("row 4: '2020-0x' in column 'date' is not a time like the others") }, "\(c.notes)")
        let gap = loadError(self, "ts2.csv", "date,v\n2020-01,1\n,2\n2020-03,3\n", sel)
        XCTAssertTrue(gap.contains("row 3, time column 'date': '' is not a time label like the others (the time is missing)"), gap)
    }

    // MARK: 4. Duplicate, unsorted, reversed time stamps; gaps

    func testDuplicateAndUnsortedTimestampsAreRefused() {
        let dup = loadError(self, "dup.csv", "date,v\n2020-01,1\n2020-02,2\n2020-02,3\n2020-03,4\n")
        XCTAssertTrue(dup.contains("dup.csv: row 4, column 'date': time '2020-02' repeats the row before it; remove duplicate rows"), dup)
        let unsorted = loadError(self, "uns.csv", "date,v\n2020-01,1\n2020-03,2\n2020-02,3\n2020-04,4\n")
        XCTAssertTrue(unsorted.contains("uns.csv: row 4, column 'date': time '2020-02' comes after '2020-03' (times must increase); sort the file by 'date'"), unsorted)
    }

    func testYearBesideMonthIsNotTakenForTheTimeAxis() throws {
        let c = try load(self, "ym.csv", "year,month,v\n1949,1,1\n1949,2,2\n1950,1,3\n1950,2,4\n")
        XCTAssertNil(c.timeAxis)
        XCTAssertEqual(c.channels, ["month", "v"])
        XCTAssertTrue(c.notes.contains { $0.contains("row 3: column 'year' repeats '1949', so it is not read as the time axis") }, "\(c.notes)")
        var sel = DataSelection(); sel.timeColumn = "year"
        let msg = loadError(self, "ym.csv", "year,month,v\n1949,1,1\n1949,2,2\n1950,1,3\n1950,2,4\n", sel)
        XCTAssertTrue(msg.contains("row 3, column 'year': time '1949' repeats the row before it"), msg)
    }

    func testReversedFileIsReadOldestFirstWithANote() throws {
        let c = try load(self, "rev.csv", "date,v\n2020-04,4\n2020-03,3\n2020-02,2\n2020-01,1\n")
        XCTAssertEqual(c.series[0].time, ["2020-01", "2020-02", "2020-03", "2020-04"])
        XCTAssertEqual(c.series[0].matrix.values, [1, 2, 3, 4])
        XCTAssertTrue(c.notes.contains { $0.contains("rows are newest first") }, "\(c.notes)")
    }

    func testMissingPeriodsAreFilledPerPolicyOrReported() throws {
        let text = "date,v\n2020-01,1\n2020-02,2\n2020-05,5\n2020-06,6\n"
        let c = try load(self, "gap.csv", text)
        XCTAssertEqual(c.timeAxis?.frequencyName, "monthly")
        XCTAssertEqual(c.series[0].time, ["2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06"])
        XCTAssertEqual(c.series[0].matrix.values, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(c.missingCount, 2)
        XCTAssertTrue(c.notes.contains { $0.contains("2 missing monthly periods in 1 gap (first: row 4, after '2020-02'); inserted and filled (--missing interpolate)") }, "\(c.notes)")
        var sel = DataSelection(); sel.missing = .drop
        XCTAssertEqual(try load(self, "gap.csv", text, sel).series[0].matrix.values.map(\.isNaN), [false, false, true, true, false, false])
        sel.missing = .error
        let msg = loadError(self, "gap.csv", text, sel)
        XCTAssertTrue(msg.contains("gap.csv: row 4, column 'date': 2 missing periods between '2020-02' and '2020-05'"), msg)
        let typo = loadError(self, "typo.csv", "date,v\n2020-01-01,1\n2020-01-02,2\n9020-01-03,3\n")
        XCTAssertTrue(typo.contains("row 4, column 'date'") && typo.contains("is a time label wrong?"), typo)
    }

    // MARK: 5. Long format without --id-column

    func testLongFormatWithoutIdColumnIsRefused() throws {
        let text = "unique_id,ds,y\nA,2020-01-01,1\nA,2020-01-02,2\nA,2020-01-03,3\nB,2020-01-01,10\nB,2020-01-02,20\nB,2020-01-03,30\n"
        let msg = loadError(self, "long.csv", text)
        XCTAssertTrue(msg.contains("long.csv: row 5: the time column starts again where column 'unique_id' changes from 'A' to 'B'") &&
                      msg.contains("add --id-column unique_id"), msg)
        var sel = DataSelection(); sel.idColumn = "unique_id"
        XCTAssertEqual(try load(self, "long.csv", text, sel).series.map(\.id), ["A", "B"])
        let interleaved = loadError(self, "inter.csv", "unique_id,ds,y\nA,2020-01-01,1\nB,2020-01-01,10\nA,2020-01-02,2\nB,2020-01-02,20\nA,2020-01-03,3\nB,2020-01-03,30\n")
        XCTAssertTrue(interleaved.contains("row 3, column 'ds': time '2020-01-01' repeats the row before it; if the file holds several series, name their id column: --id-column unique_id"), interleaved)
    }

    // MARK: 7. Control characters in user text

    func testControlCharactersInNamesAndCellsAreEscaped() throws {
        let text = "date,a\u{1B}[31m,b\n2020-01,1,2\n2020-02,3,x\u{1B}]0;pwn\u{07}\n2020-03,4,5\n"
        let msg = loadError(self, "esc.csv", text)
        XCTAssertTrue(msg.contains("column 'b': 'x\\u{1B}]0;pwn\\u{7}' is not a number"), msg)
        var sel = DataSelection(); sel.targets = ["zz\u{1B}[2J"]
        let unknown = loadError(self, "esc.csv", text, sel)
        XCTAssertFalse(unknown.unicodeScalars.contains { $0.value < 0x20 }, unknown)
        XCTAssertTrue(unknown.contains("a\\u{1B}[31m"), unknown)
        let inspect = try Inspector.describe(writeFile(temporaryDirectory(self), "esc.csv", text))
        XCTAssertFalse(inspect.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, inspect)
        XCTAssertEqual(terminalSafe("ok\u{202E}txt\u{9B}"), "ok\\u{202E}txt\\u{9B}")
    }
}

final class StagedOutputTests: XCTestCase {
    /// Outputs that belong together are staged, then committed: one that fails to be written
    /// leaves every earlier output of the set uncommitted (the folder keeps the previous run's
    /// files, whole), and no temporary folder is left behind.
    func testAFailedOutputCommitsNoneOfItsSet() throws {
        let dir = temporaryDirectory(self)
        for name in ["a.csv", "b.csv"] { try "old \(name)\n".write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        func write() throws(DataError) {
            let a = try AtomicFile.stage(to: dir + "/a.csv", errors: DataError.self) { (out: inout TextStream) throws(DataError) in out.write("new a\n") }
            let b = try AtomicFile.stage(to: dir + "/b.csv", errors: DataError.self) { (_: inout TextStream) throws(DataError) in
                throw DataError.unwritable(path: dir + "/b.csv", reason: "disk full (simulated)")
            }
            for staged in [a, b] { try staged.commit(errors: DataError.self) }
        }
        XCTAssertThrowsError(try write())
        XCTAssertEqual(try String(contentsOfFile: dir + "/a.csv", encoding: .utf8), "old a.csv\n", "a was written but not committed")
        XCTAssertEqual(try String(contentsOfFile: dir + "/b.csv", encoding: .utf8), "old b.csv\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["a.csv", "b.csv"], "no temporary folder left")
        // A rename that cannot succeed (a folder at the path) is found before any is made.
        try FileManager.default.removeItem(atPath: dir + "/b.csv")
        try FileManager.default.createDirectory(atPath: dir + "/b.csv/x", withIntermediateDirectories: true)
        let a = try AtomicFile.stage(to: dir + "/a.csv", errors: DataError.self) { (out: inout TextStream) throws(DataError) in out.write("new a\n") }
        let b = try AtomicFile.stage(to: dir + "/b.csv", errors: DataError.self) { (out: inout TextStream) throws(DataError) in out.write("new b\n") }
        XCTAssertThrowsError(try AtomicFile.commit([a, b], errors: DataError.self))
        XCTAssertEqual(try String(contentsOfFile: dir + "/a.csv", encoding: .utf8), "old a.csv\n", "nothing of the set committed")
        try AtomicFile.commit([a], errors: DataError.self)
        XCTAssertEqual(try String(contentsOfFile: dir + "/a.csv", encoding: .utf8), "new a\n")
    }
}
