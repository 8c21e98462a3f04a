// CSVReader: a small RFC 4180 reader that keeps each record's line number for error messages.
// Handles a UTF-8 BOM, CRLF or LF line ends, quoted fields (with "" escapes and embedded
// delimiters or newlines), and detects ',', ';' or tab from the header line. A quote that is never
// closed, or a field over `maxFieldBytes`, stops with the line where it started instead of
// swallowing the rest of the file into one field.
import Foundation

/// The parsed text of a CSV file: header and records, with the file line each record starts on.
public struct CSVTable: Sendable {
    public let path: String
    public let delimiter: UInt8
    public let header: [String]
    public let rows: [[String]]
    /// 1-based line number of each record in the file (the header is line 1 unless blank lines precede it).
    public let lines: [Int]

    /// Reads and parses `path`. Ragged rows, empty files and header-only files are errors.
    public static func read(_ path: String) throws(DataError) -> CSVTable {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        // Not read at all: Foundation's Data(contentsOf:) leaks a 4 KiB buffer per empty file (found by `make fuzz`).
        if let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size == 0 { throw .emptyFile(path: path) }
        return try parse(try bytes(of: path), path: path)
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
    public static func parse(_ bytesIn: [UInt8], path: String) throws(DataError) -> CSVTable {
        var bytes = bytesIn[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard bytes.contains(where: { !($0 == 10 || $0 == 13 || $0 == 32 || $0 == 9) }) else { throw .emptyFile(path: path) }
        let delimiter = detectDelimiter(bytes)
        var records: [[String]] = [], lines: [Int] = []
        var field: [UInt8] = [], record: [String] = []
        var multilineQuotes: [Int: Int] = [:]   // record index → line where a quoted field spanning lines opened
        var line = 1, recordLine = 1, quoteLine = 1
        var inQuotes = false, fieldQuoted = false
        var i = bytes.startIndex
        func endField() {
            var text = String(decoding: field, as: UTF8.self)
            if !fieldQuoted { text = text.trimmingCharacters(in: .whitespaces) }
            if fieldQuoted && quoteLine != line && multilineQuotes[records.count] == nil { multilineQuotes[records.count] = quoteLine }
            record.append(text); field.removeAll(keepingCapacity: true); fieldQuoted = false
        }
        func endRecord() {
            endField()
            if !(record.count == 1 && record[0].isEmpty) { records.append(record); lines.append(recordLine) }
            else { multilineQuotes[records.count] = nil }
            record = []
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
        guard let header = records.first else { throw .emptyFile(path: path) }
        let body = Array(records.dropFirst()), bodyLines = Array(lines.dropFirst())
        guard !body.isEmpty else { throw .headerOnly(path: path) }
        for (r, row) in body.enumerated() where row.count != header.count {
            throw .raggedRow(path: path, row: bodyLines[r], expected: header.count, got: row.count,
                             quoteLine: multilineQuotes[r + 1])
        }
        return CSVTable(path: path, delimiter: delimiter, header: header, rows: body, lines: bodyLines)
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
