// CSVReader: a small RFC 4180 reader that keeps each record's line number for error messages and
// stores the table by column, numbers parsed as they are read (CSVColumn).
// Handles a UTF-8 BOM, CRLF or LF line ends, quoted fields (with "" escapes and embedded
// delimiters or newlines), and detects ',', ';' or tab from the header line. A quote that is never
// closed, or a field over `maxFieldBytes`, stops with the line where it started instead of
// swallowing the rest of the file into one field.
import Foundation

/// A parsed CSV file, stored by column: the header, the file line each record starts on, and each
/// column's numbers or texts (see CSVColumn: text is kept only for the columns that need it).
public struct CSVTable: Sendable {
    public let path: String
    public let delimiter: UInt8
    public let header: [String]
    public let columns: [CSVColumn]
    /// 1-based file line of each record (the header is line 1 unless blank lines precede it).
    let recordLines: [UInt32]

    /// Number of records (rows below the header).
    public var rowCount: Int { recordLines.count }
    /// 1-based line number of each record in the file.
    public var lines: [Int] { recordLines.map(Int.init) }
    /// The file line of record `r`.
    public func line(_ r: Int) -> Int { Int(recordLines[r]) }
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

    /// Reads and parses `path`. Ragged rows, empty files and header-only files are errors.
    public static func read(_ path: String, keepingText keep: KeepText = .named([])) throws(DataError) -> CSVTable {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        // Not read at all: Foundation's Data(contentsOf:) leaks a 4 KiB buffer per empty file (found by `make fuzz`).
        if let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size == 0 { throw .emptyFile(path: path) }
        return try parse(try bytes(of: path), path: path, keepingText: keep)
    }

    /// The file's bytes, read straight into one array (Data(contentsOf:) and then Array(data) held them twice).
    static func bytes(of path: String) throws(DataError) -> [UInt8] {
        let fd = Glibc.open(path, O_RDONLY)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var filled = 0, failure: Int32 = 0
        out.withUnsafeMutableBytes { b in
            while filled < b.count {
                let n = Glibc.read(fd, b.baseAddress! + filled, b.count - filled)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                if n == 0 { break }
                filled += n
            }
        }
        if failure != 0 { throw .unreadable(path: path, reason: String(cString: strerror(failure))) }
        if filled < out.count { out.removeLast(out.count - filled) }   // the file shrank while read
        return out
    }

    /// The longest field accepted (1 MiB): longer ones are almost always a stray quote.
    public static let maxFieldBytes = 1 << 20

    /// Parses CSV bytes (exposed for tests).
    public static func parse(_ bytesIn: [UInt8], path: String, keepingText keep: KeepText = .named([])) throws(DataError) -> CSVTable {
        var bytes = bytesIn[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard bytes.contains(where: { !($0 == 10 || $0 == 13 || $0 == 32 || $0 == 9) }) else { throw .emptyFile(path: path) }
        let delimiter = detectDelimiter(bytes)
        var header: [String]? = nil
        var builders: [CSVColumnBuilder] = []
        var lines: [UInt32] = []
        var ragged: DataError? = nil
        try forEachRecord(bytes, delimiter: delimiter, path: path) { record, line, quoteLine in
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
            lines.append(UInt32(clamping: line))
            for c in record.indices { builders[c].add(record[c], row: r) }
        }
        guard let header else { throw .emptyFile(path: path) }
        if let ragged { throw ragged }
        guard !lines.isEmpty else { throw .headerOnly(path: path) }
        // Columns that turned mostly text after their first numbers: their texts, in a second pass.
        let pass = builders.indices.filter { builders[$0].needsTextPass }
        if !pass.isEmpty {
            var texts = pass.map { _ in TextCells() }
            for t in texts.indices { texts[t].reserveCapacity(lines.count) }
            var first = true
            try forEachRecord(bytes, delimiter: delimiter, path: path) { record, _, _ in
                if first { first = false; return }
                for (t, c) in pass.enumerated() { texts[t].append(record[c]) }
            }
            for (t, c) in pass.enumerated() { builders[c].setTexts(texts[t]) }
        }
        return CSVTable(path: path, delimiter: delimiter, header: header, columns: builders.map { $0.finished() },
                        recordLines: lines)
    }

    /// Calls `body` with each non-blank record's fields, the line it starts on, and the line where a
    /// quoted field of it spanning several lines opened (if any).
    private static func forEachRecord(_ bytes: ArraySlice<UInt8>, delimiter: UInt8, path: String,
                                      _ body: (_ record: [String], _ line: Int, _ quoteLine: Int?) -> Void) throws(DataError) {
        var field: [UInt8] = [], record: [String] = []
        var multilineQuote: Int? = nil   // line where a quoted field of this record spanning lines opened
        var line = 1, recordLine = 1, quoteLine = 1
        var inQuotes = false, fieldQuoted = false
        var i = bytes.startIndex
        func endField() {
            var text = String(decoding: field, as: UTF8.self)
            if !fieldQuoted, let first = field.first, let last = field.last,
               first == 32 || first == 9 || first >= 0x80 || last == 32 || last == 9 || last >= 0x80 {
                text = text.trimmingCharacters(in: .whitespaces)
            }
            if fieldQuoted && quoteLine != line && multilineQuote == nil { multilineQuote = quoteLine }
            record.append(text); field.removeAll(keepingCapacity: true); fieldQuoted = false
        }
        func endRecord() {
            endField()
            if !(record.count == 1 && record[0].isEmpty) { body(record, recordLine, multilineQuote) }
            multilineQuote = nil
            record.removeAll(keepingCapacity: true)
        }
        while i < bytes.endIndex {
            let c = bytes[i]
            if field.count >= maxFieldBytes {
                throw .fieldTooLong(path: path, line: inQuotes ? quoteLine : line, quoted: inQuotes, limit: maxFieldBytes)
            }
            if inQuotes {
                if c == 34 {
                    if i + 1 < bytes.endIndex && bytes[i + 1] == 34 { field.append(34); i += 1 } else { inQuotes = false }
                } else {
                    if c == 10 { line += 1 }
                    field.append(c)
                }
            } else if c == 34 && field.allSatisfy({ $0 == 32 }) {
                inQuotes = true; fieldQuoted = true; field.removeAll(); quoteLine = line
            } else if c == delimiter {
                endField()
            } else if c == 10 || c == 13 {
                if c == 13 && i + 1 < bytes.endIndex && bytes[i + 1] == 10 { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            } else {
                field.append(c)
            }
            i += 1
        }
        if inQuotes { throw .unclosedQuote(path: path, line: quoteLine) }
        if !field.isEmpty || !record.isEmpty || fieldQuoted { endRecord() }
    }

    /// The most frequent of ',', ';', tab outside quotes on the first non-blank line (',' on ties).
    private static func detectDelimiter(_ bytes: ArraySlice<UInt8>) -> UInt8 {
        var counts: [UInt8: Int] = [44: 0, 59: 0, 9: 0]
        var inQuotes = false, seen = false
        for c in bytes {
            if c == 34 { inQuotes.toggle() }
            if !inQuotes && (c == 10 || c == 13) { if seen { break } else { continue } }
            seen = true
            if !inQuotes, counts[c] != nil { counts[c]! += 1 }
        }
        var best: UInt8 = 44
        for c: UInt8 in [59, 9] where counts[c]! > counts[best]! { best = c }
        return best
    }

    /// Index of a column by exact name, or an error listing the columns.
    public func column(_ name: String) throws(DataError) -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw .unknownColumn(path: path, column: name, available: header)
        }
        return i
    }
}
