// CSVRecords: the CSV records of a file, read in chunks of 1 MiB (the file's bytes are never held
// whole), or of bytes in memory. A small RFC 4180 state machine that keeps each record's line
// number for error messages: a UTF-8 BOM, CRLF or LF line ends, quoted fields (with "" escapes and
// embedded delimiters or newlines), and the delimiter (',', ';' or tab) from the header line. A
// quote that is never closed, or a field over `CSVTable.maxFieldBytes`, stops with the line where
// it started instead of swallowing the rest of the file into one field. The state carries across
// chunk ends (a pending quote, a CR waiting for its LF), so records are the same whatever the chunks.
import Foundation

/// Bytes read from the start, chunk by chunk, as often as asked.
protocol CSVByteSource {
    /// Calls `body` with consecutive chunks of the bytes until they end or `body` returns false.
    func forEachChunk(_ body: (UnsafeBufferPointer<UInt8>) throws(DataError) -> Bool) throws(DataError)
    /// The number of bytes, when known before reading (for reserving memory).
    var size: Int? { get }
}

/// Bytes in memory.
struct MemoryBytes: CSVByteSource {
    let bytes: [UInt8]
    var size: Int? { bytes.count }
    func forEachChunk(_ body: (UnsafeBufferPointer<UInt8>) throws(DataError) -> Bool) throws(DataError) {
        _ = try bytes.withUnsafeBufferPointer { (b) throws(DataError) in try body(b) }
    }
}

/// A file, read 1 MiB at a time.
struct FileBytes: CSVByteSource {
    let path: String
    static let chunk = 1 << 20

    var size: Int? { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil }

    func forEachChunk(_ body: (UnsafeBufferPointer<UInt8>) throws(DataError) -> Bool) throws(DataError) {
        let fd = Glibc.open(path, O_RDONLY)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { Glibc.close(fd) }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Self.chunk)
        defer { buffer.deallocate() }
        while true {
            var filled = 0
            while filled < buffer.count {
                let n = Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw .unreadable(path: path, reason: String(cString: strerror(errno)))
                }
                if n == 0 { break }
                filled += n
            }
            if filled == 0 { return }
            guard try body(UnsafeBufferPointer(rebasing: buffer[0..<filled])) else { return }
            if filled < buffer.count { return }
        }
    }
}

/// What the first bytes say: a UTF-8 BOM, whether anything but blanks follows, and the delimiter.
struct CSVPrologue {
    var bom = false
    var blank = true
    var delimiter: UInt8 = 44
    /// What the first bytes are when they are not CSV text (a compressed file, an image, UTF-16, …).
    var notText: String? = nil

    /// The most frequent of ',', ';', tab outside quotes on the first non-blank line (',' on ties);
    /// `blank` when the bytes after the BOM are only newlines, spaces and tabs.
    init(_ source: some CSVByteSource) throws(DataError) {
        var counts: [UInt8: Int] = [44: 0, 59: 0, 9: 0]
        var inQuotes = false, seen = false, lineDone = false, offset = 0
        var head: [UInt8] = []
        var first = true
        try source.forEachChunk { chunk in
            if first {
                first = false
                notText = Self.notText(UnsafeBufferPointer(rebasing: chunk.prefix(Self.sniffBytes)))
                if notText != nil { return false }
            }
            var i = 0
            // The BOM: the first three bytes of the whole input.
            while offset < 3, i < chunk.count { head.append(chunk[i]); offset += 1; i += 1 }
            if offset == 3 && head.count == 3 {
                bom = head == [0xEF, 0xBB, 0xBF]
                let first = bom ? [] : head
                head = []
                for c in first { scan(c) }
            }
            while i < chunk.count, !(lineDone && !blank) { scan(chunk[i]); i += 1 }
            return !(lineDone && !blank)
        }
        for c in head { scan(c) }   // inputs shorter than a BOM
        var best: UInt8 = 44
        for c: UInt8 in [59, 9] where counts[c]! > counts[best]! { best = c }
        delimiter = best

        func scan(_ c: UInt8) {
            if !(c == 10 || c == 13 || c == 32 || c == 9) { blank = false }
            if lineDone { return }
            if c == 34 { inQuotes.toggle() }
            if !inQuotes && (c == 10 || c == 13) { if seen { lineDone = true }; return }
            seen = true
            if !inQuotes, counts[c] != nil { counts[c]! += 1 }
        }
    }
}

extension CSVPrologue {
    /// Bytes of the file's start checked for a binary format.
    static let sniffBytes = 8192

    /// What `bytes` (a file's first bytes) are, when they cannot be CSV text, with what to do:
    /// known signatures of files people hand a CSV reader by mistake, UTF-16 (a BOM, or zero bytes
    /// between ASCII ones), then any zero byte (no text encoding seqcast reads has one). Nil for text.
    static func notText(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        func starts(_ s: [UInt8]) -> Bool { bytes.count >= s.count && zip(bytes, s).allSatisfy { $0 == $1 } }
        if starts([0x1F, 0x8B]) { return "a gzip-compressed file: decompress it first (gunzip -k FILE)" }
        if starts([0x42, 0x5A, 0x68]) { return "a bzip2-compressed file: decompress it first (bunzip2 -k FILE)" }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return "an xz-compressed file: decompress it first (unxz -k FILE)" }
        if starts([0x28, 0xB5, 0x2F, 0xFD]) { return "a zstd-compressed file: decompress it first (unzstd FILE)" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "a ZIP archive (an .xlsx workbook is one): export the sheet as CSV, or unzip the file" }
        if starts([0x50, 0x41, 0x52, 0x31]) { return "a Parquet file: write it out as CSV first (e.g. pandas: read_parquet(FILE).to_csv(OUT))" }
        if starts([0xD0, 0xCF, 0x11, 0xE0]) { return "an old Excel (.xls) or other OLE document: export the sheet as CSV" }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return "a PNG image" }
        if starts([0x25, 0x50, 0x44, 0x46]) { return "a PDF document" }
        if starts([0xFF, 0xD8, 0xFF]) { return "a JPEG image" }
        if starts([0x7F, 0x45, 0x4C, 0x46]) { return "an executable (ELF)" }
        let utf16 = "UTF-16 text: save it as UTF-8 (iconv -f UTF-16 -t UTF-8 FILE > OUT.csv)"
        if starts([0xFF, 0xFE]) || starts([0xFE, 0xFF]) { return utf16 }
        guard let zero = bytes.firstIndex(of: 0) else { return nil }
        // UTF-16 without a BOM: ASCII text with a zero byte beside every character.
        let pairs = bytes.count / 2
        if pairs >= 2 {
            var evenZero = 0, oddZero = 0
            for i in 0..<pairs { if bytes[2 * i] == 0 { evenZero += 1 }; if bytes[2 * i + 1] == 0 { oddZero += 1 } }
            if max(evenZero, oddZero) * 10 >= pairs * 9 && min(evenZero, oddZero) * 10 <= pairs { return utf16 }
        }
        return "binary data, not CSV text (a zero byte at byte \(zero + 1))"
    }
}

/// Splits bytes into records, chunk by chunk. `body` gets each non-blank record's fields, the line
/// it starts on, and the line where a quoted field of it spanning several lines opened (if any).
struct CSVRecordReader {
    let delimiter: UInt8
    let path: String
    private var field: [UInt8] = [], record: [String] = []
    private var multilineQuote: Int? = nil   // line where a quoted field of this record spanning lines opened
    private var line = 1, recordLine = 1, quoteLine = 1
    private var inQuotes = false, fieldQuoted = false
    /// A '"' inside quotes whose meaning (an escaped quote or the closing one) waits for the next byte.
    private var quotePending = false
    /// A CR ended a record; an LF right after it belongs to it.
    private var afterCR = false

    init(delimiter: UInt8, path: String) { self.delimiter = delimiter; self.path = path }

    /// Reads every record of `source` (after `skip` bytes, a BOM).
    static func forEachRecord(_ source: some CSVByteSource, skip: Int, delimiter: UInt8, path: String,
                              _ body: ([String], Int, Int?) -> Void) throws(DataError) {
        var reader = CSVRecordReader(delimiter: delimiter, path: path)
        var toSkip = skip
        try source.forEachChunk { (chunk) throws(DataError) in
            let k = min(toSkip, chunk.count)
            toSkip -= k
            try reader.feed(UnsafeBufferPointer(rebasing: chunk[k...]), body)
            return true
        }
        try reader.finish(body)
    }

    private mutating func endField() {
        var text = String(decoding: field, as: UTF8.self)
        if !fieldQuoted, let first = field.first, let last = field.last,
           first == 32 || first == 9 || first >= 0x80 || last == 32 || last == 9 || last >= 0x80 {
            text = text.trimmingCharacters(in: .whitespaces)
        }
        if fieldQuoted && quoteLine != line && multilineQuote == nil { multilineQuote = quoteLine }
        record.append(text); field.removeAll(keepingCapacity: true); fieldQuoted = false
    }

    private mutating func endRecord(_ body: ([String], Int, Int?) -> Void) {
        endField()
        if !(record.count == 1 && record[0].isEmpty) { body(record, recordLine, multilineQuote) }
        multilineQuote = nil
        record.removeAll(keepingCapacity: true)
    }

    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ body: ([String], Int, Int?) -> Void) throws(DataError) {
        for c in bytes {
            if afterCR {
                afterCR = false
                if c == 10 { continue }   // the LF of a CRLF
            }
            if quotePending {
                quotePending = false
                if c == 34 { field.append(34); continue }   // "" inside quotes
                inQuotes = false                              // the closing quote; `c` comes after it
            }
            if field.count >= CSVTable.maxFieldBytes {
                throw .fieldTooLong(path: path, line: inQuotes ? quoteLine : line, quoted: inQuotes, limit: CSVTable.maxFieldBytes)
            }
            if inQuotes {
                if c == 34 {
                    quotePending = true
                } else {
                    if c == 10 { line += 1 }
                    field.append(c)
                }
            } else if c == 34 && field.allSatisfy({ $0 == 32 }) {
                inQuotes = true; fieldQuoted = true; field.removeAll(); quoteLine = line
            } else if c == delimiter {
                endField()
            } else if c == 10 || c == 13 {
                afterCR = c == 13
                endRecord(body)
                line += 1
                recordLine = line
            } else {
                field.append(c)
            }
        }
    }

    /// The end of the input: a quote still open is an error; a last record without a line end counts.
    mutating func finish(_ body: ([String], Int, Int?) -> Void) throws(DataError) {
        if quotePending { quotePending = false; inQuotes = false }
        if inQuotes { throw .unclosedQuote(path: path, line: quoteLine) }
        if !field.isEmpty || !record.isEmpty || fieldQuoted { endRecord(body) }
    }
}
