// CSVReader: a CSV file as a table stored by column, numbers parsed as they are read (CSVColumn),
// with each record's line number for error messages. The records come from CSVRecords.swift (the
// file read 1 MiB at a time; a UTF-8 BOM, CRLF or LF, quoted fields, ',', ';' or tab); a second pass
// over the file reads the texts of columns that turn out to be text after their first numbers.
import Foundation

/// A parsed CSV file, stored by column: the header, the file line each record starts on, and each
/// column's numbers or texts (see CSVColumn: text is kept only for the columns that need it).
public struct CSVTable: Sendable {
    public let path: String
    public let delimiter: UInt8
    public let header: [String]
    /// The columns; `series` lets go of the numbers it copies (in its own copy of the table).
    public internal(set) var columns: [CSVColumn]
    /// 1-based file line of each record (the header is line 1 unless blank lines precede it).
    let recordLines: RecordLines

    /// Number of records (rows below the header).
    public var rowCount: Int { recordLines.count }
    /// 1-based line number of each record in the file.
    public var lines: [Int] { (0..<rowCount).map { recordLines[$0] } }
    /// The file line of record `r`.
    public func line(_ r: Int) -> Int { recordLines[r] }
    /// The text of cell (r, c); exact for columns that keep text (see CSVColumn.text).
    public func text(_ r: Int, _ c: Int) -> String { columns[c].text(r) }
    /// Every record's texts (small files and tests; read with `keepingText: .all` for exact texts).
    public var rows: [[String]] { (0..<rowCount).map { r in columns.indices.map { text(r, $0) } } }

    /// Which columns keep their text besides those that turn out to be text.
    public enum KeepText: Sendable {
        /// The named columns and those named like a time column; `time`, when given, is the time column.
        case named(Set<String>, time: String? = nil)
        /// Every column (the cells exactly as written).
        case all
    }

    /// Reads and parses `path`, 1 MiB at a time. Ragged rows, empty files and header-only files are errors.
    public static func read(_ path: String, keepingText keep: KeepText = .named([])) throws(DataError) -> CSVTable {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        return try parse(FileBytes(path: path), path: path, keepingText: keep)
    }

    /// The longest field accepted (1 MiB): longer ones are almost always a stray quote.
    public static let maxFieldBytes = 1 << 20

    /// Parses CSV bytes (exposed for tests).
    public static func parse(_ bytes: [UInt8], path: String, keepingText keep: KeepText = .named([])) throws(DataError) -> CSVTable {
        try parse(MemoryBytes(bytes: bytes), path: path, keepingText: keep)
    }

    static func parse(_ source: some CSVByteSource, path: String, keepingText keep: KeepText) throws(DataError) -> CSVTable {
        let prologue = try CSVPrologue(source)
        if let what = prologue.notText { throw .notCSV(path: path, what: what) }
        guard !prologue.blank else { throw .emptyFile(path: path) }
        let delimiter = prologue.delimiter, skip = prologue.bom ? 3 : 0
        var header: [String]? = nil
        var builders: [CSVColumnBuilder] = []
        var lines = RecordLines()
        var ragged: DataError? = nil
        var firstBytes = 0   // bytes of the first records, to estimate how many rows the file has (for reserving)
        try CSVRecordReader.forEachRecord(source, skip: skip, delimiter: delimiter, path: path) { record, line, quoteLine in
            guard let h = header else {
                header = record
                builders = record.map { name in
                    switch keep {
                    case .all: return CSVColumnBuilder(keep: .text)
                    case .named(let names, let time):
                        // Time-like columns keep their labels compactly (TimeLabels); named ones (ids) as text.
                        return CSVColumnBuilder(keep: name == time || timeNames.contains(name.lowercased()) ? .labels
                                                    : names.contains(name) ? .text : .undecided)
                    }
                }
                return
            }
            guard record.count == h.count else {
                if ragged == nil {
                    ragged = .raggedRow(path: path, row: line, expected: h.count, got: record.count, quoteLine: quoteLine)
                }
                return
            }
            let r = lines.count
            if r < 1000 { firstBytes += record.reduce(h.count) { $0 + $1.utf8.count } }
            if r == 1000, let size = source.size {   // room for the whole file, judged by its first rows' length
                let rows = size / max(1, firstBytes / 1000)
                let expected = min(rows + rows / 8 + 1024, Int(UInt32.max))
                for c in builders.indices { builders[c].reserve(expected) }
            }
            lines.append(line)
            for c in record.indices { builders[c].add(record[c], row: r) }
        }
        guard let header else { throw .emptyFile(path: path) }
        if let ragged { throw ragged }
        guard lines.count > 0 else { throw .headerOnly(path: path) }
        // Columns that turned mostly text after their first numbers: their texts, in a second pass.
        let pass = builders.indices.filter { builders[$0].needsTextPass }
        if !pass.isEmpty {
            var texts = pass.map { _ in TextCells() }
            for t in texts.indices { texts[t].reserveCapacity(lines.count) }
            var first = true
            try CSVRecordReader.forEachRecord(source, skip: skip, delimiter: delimiter, path: path) { record, _, _ in
                if first { first = false; return }
                guard record.count == header.count else { return }
                for (t, c) in pass.enumerated() { texts[t].append(record[c]) }
            }
            guard texts.allSatisfy({ $0.count == lines.count }) else {
                throw .unreadable(path: path, reason: "the file changed while it was read")
            }
            for (t, c) in pass.enumerated() { builders[c].setTexts(texts[t]) }
        }
        return CSVTable(path: path, delimiter: delimiter, header: header, columns: builders.map { $0.finished() },
                        recordLines: lines)
    }

    /// Index of a column by exact name, or an error listing the columns.
    public func column(_ name: String) throws(DataError) -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw .unknownColumn(path: path, column: name, available: header)
        }
        return i
    }
}
