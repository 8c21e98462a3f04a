// The CSV reader reads a file in chunks: every record, line number and error is the same whatever
// the chunk size (a CR and its LF, an escaped quote, a BOM split across chunks), record lines are
// kept as a few breakpoints, and the series' rows and time positions come without per-row lists.
import Foundation
import XCTest
@testable import SeqCast

/// Bytes handed out `size` at a time.
private struct Chunked: CSVByteSource {
    let bytes: [UInt8], chunk: Int
    var size: Int? { bytes.count }
    func forEachChunk(_ body: (UnsafeBufferPointer<UInt8>) throws(DataError) -> Bool) throws(DataError) {
        try bytes.withUnsafeBufferPointer { (b) throws(DataError) in
            var i = 0
            while i < b.count {
                guard try body(UnsafeBufferPointer(rebasing: b[i..<min(i + chunk, b.count)])) else { return }
                i += chunk
            }
        }
    }
}

final class CSVRecordsTests: XCTestCase {
    private let inputs = [
        "\u{FEFF}\"date\";\"value\";note\r\n2020-01-01;1,5;\"a;b\"\r\n2020-01-02;2;\"say \"\"hi\"\"\"\r\n",
        "a,b\n\"x\ny\",2\n\n\n5,6\r\n7,\"\"\"\"\r\n\r\n8,9",
        "a\tb\n1\t2\n3\t4\n",
        "  \n\n a , b \n 1 ,\" 2 \"\n",
        "a,b\n1,\"2\n3,4\n",            // an unclosed quote
        "a,b\n1,2\n3\n",                // a ragged row
        "a,b\n1,\"x\"\"\"\n",           // a quote closing at the end
        "\u{FEFF}",                    // only a BOM
        "\r\n\r\n",                    // blank
        "x,y\r",                       // a header ending in CR
        "date,v\n2020-01,1\n2020-02,2\n2020-03,NA\n2020-04,4\n",
    ]

    private func describe(_ source: some CSVByteSource) -> String {
        do {
            let t = try CSVTable.parse(source, path: "in.csv", keepingText: .all)
            return "\(t.delimiter) \(t.header) \(t.rows) \(t.lines)"
        } catch { return "error: \(error)" }
    }

    /// A column that turns to text after its first numbers is read a second time for its texts; a
    /// file that lost rows in between is an error, not a table with misaligned columns.
    func testAFileThatChangesBetweenItsTwoReadsIsAnError() throws {
        final class Shrinking: CSVByteSource {
            var reads = 0
            var size: Int? { nil }
            func forEachChunk(_ body: (UnsafeBufferPointer<UInt8>) throws(DataError) -> Bool) throws(DataError) {
                reads += 1
                let text = reads < 3 ? "a,b\n1,5\nx,6\ny,7\n" : "a,b\n1,5\nx,6\n"   // the prologue, the records, then the texts
                _ = try Array(text.utf8).withUnsafeBufferPointer { (b) throws(DataError) in try body(b) }
            }
        }
        let source = Shrinking()
        XCTAssertThrowsError(try CSVTable.parse(source, path: "in.csv", keepingText: .named([]))) {
            XCTAssertEqual($0 as? DataError, .unreadable(path: "in.csv", reason: "the file changed while it was read"))
        }
        XCTAssertEqual(source.reads, 3, "the third read is the text pass")
        let steady = try CSVTable.parse(MemoryBytes(bytes: Array("a,b\n1,5\nx,6\ny,7\n".utf8)), path: "in.csv", keepingText: .named([]))
        XCTAssertEqual(steady.rows.map { $0[0] }, ["1", "x", "y"], "a file read the same twice: column a as its texts")
    }

    func testRecordsAreTheSameWhateverTheChunkSize() {
        for text in inputs {
            let bytes = Array(text.utf8)
            let whole = describe(MemoryBytes(bytes: bytes))
            for chunk in [1, 2, 3, 4, 5, 7, 64] {
                XCTAssertEqual(describe(Chunked(bytes: bytes, chunk: chunk)), whole, "chunk \(chunk): \(text.debugDescription)")
            }
        }
        XCTAssertEqual(describe(MemoryBytes(bytes: Array(inputs[1].utf8))),
                       "44 [\"a\", \"b\"] [[\"x\\ny\", \"2\"], [\"5\", \"6\"], [\"7\", \"\\\"\"], [\"8\", \"9\"]] [2, 6, 7, 9]")
        XCTAssertTrue(describe(MemoryBytes(bytes: Array(inputs[4].utf8))).contains("line 2: the quote opened here is never closed"))
    }

    func testAFileLargerThanAChunkReadsAsAWhole() throws {
        let dir = temporaryDirectory(self)
        var text = "ds,y,note\n"
        for i in 0..<120_000 { text += "\(i),\(Double(i) * 0.5),\(i % 9 == 0 ? "\"a,\r\nb\"" : "x")\n"; if i % 10_000 == 0 { text += "\n" } }
        let path = writeFile(dir, "big.csv", text)
        XCTAssertGreaterThan(text.utf8.count, FileBytes.chunk)
        let file = try CSVTable.read(path, keepingText: .all), memory = try CSVTable.parse(Array(text.utf8), path: path, keepingText: .all)
        XCTAssertEqual(file.rowCount, 120_000)
        XCTAssertEqual(file.rows, memory.rows)
        XCTAssertEqual(file.lines, memory.lines)
    }

    func testRecordLinesKeepBreakpointsOnly() {
        var l = RecordLines()
        let lines = [2, 3, 4, 7, 8, 9, 10, 12, 13, Int(UInt32.max) + 5]
        for x in lines { l.append(x) }
        XCTAssertEqual((0..<lines.count).map { l[$0] }, lines.dropLast() + [Int(UInt32.max)])
    }

    func testRowListsAndTimePositions() throws {
        XCTAssertEqual(Array(RowList.all(4)), [0, 1, 2, 3])
        XCTAssertEqual(Array(RowList.all(4).reversedRows()), [3, 2, 1, 0])
        var list = RowList.list([])
        for r in [5, 1, 9] { list.append(r) }
        XCTAssertEqual(Array(list.reversedRows()), [9, 1, 5])
        // Positions from the column's compact labels equal those parsed from each label's text.
        let months: [String] = (0..<100).map { (i: Int) -> String in String(format: "%04d-%02d,%d", 1990 + i / 12, i % 12 + 1, i) }
        let text = "date,v\n" + months.joined(separator: "\n") + "\n1999/05,7\n"
        let t = try CSVTable.parse(Array(text.utf8), path: "p.csv")
        let positions = TimePositions(t.columns[0], format: .yearMonth)
        // Against the source text, not the column's own rendering of its stored positions.
        let source = months.map { String($0.prefix(7)) } + ["1999/05"]
        XCTAssertEqual(t.rowCount, source.count)
        for r in 0..<t.rowCount {
            XCTAssertEqual(positions[r].bitPattern, TimeAxis.ordinal(source[r], .yearMonth)!.bitPattern, "row \(r)")
        }
    }
}
