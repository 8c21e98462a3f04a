// CSVRows: the per-row bookkeeping of a CSV table and its series, kept small — each record's file
// line (a few breakpoints instead of one number per row), the rows of one series (a range for a
// file without an id column), and the time column's positions on its axis (read from the compact
// time labels the column keeps, or parsed from a label's bytes, as asked for).

/// The 1-based file line of each record: line(r) = line_k + (r − row_k) from the last breakpoint k
/// at or before r; a breakpoint only where blank lines or a multi-line record break the run.
struct RecordLines: Sendable {
    private var rows: [Int] = [], lines: [Int] = []
    private(set) var count = 0

    mutating func append(_ line: Int) {
        let l = min(line, Int(UInt32.max))   // as the reader always stored them (32 bits)
        if rows.isEmpty || lines[lines.count - 1] + (count - rows[rows.count - 1]) != l { rows.append(count); lines.append(l) }
        count += 1
    }

    subscript(r: Int) -> Int {
        var lo = 0, hi = rows.count   // the last breakpoint at or before r
        while hi - lo > 1 { let mid = (lo + hi) / 2; if rows[mid] <= r { lo = mid } else { hi = mid } }
        return lines[lo] + (r - rows[lo])
    }
}

/// The rows of one series, in the order they are read: a range of the file's rows (forward or
/// newest first) or, in long format, a list.
struct RowList: RandomAccessCollection, Sendable {
    private enum Kind: Sendable { case forward(Range<Int>), backward(Range<Int>), list([Int]) }
    private var kind: Kind

    static func all(_ n: Int) -> RowList { RowList(kind: .forward(0..<n)) }
    static func list(_ rows: [Int]) -> RowList { RowList(kind: .list(rows)) }

    var startIndex: Int { 0 }
    var endIndex: Int {
        switch kind { case .forward(let r), .backward(let r): r.count; case .list(let l): l.count }
    }

    subscript(i: Int) -> Int {
        switch kind {
        case .forward(let r): r.lowerBound + i
        case .backward(let r): r.upperBound - 1 - i
        case .list(let l): l[i]
        }
    }

    /// The same rows in reverse order.
    func reversedRows() -> RowList {
        switch kind {
        case .forward(let r): RowList(kind: .backward(r))
        case .backward(let r): RowList(kind: .forward(r))
        case .list(let l): RowList(kind: .list(l.reversed()))
        }
    }

    mutating func append(_ row: Int) {
        guard case .list(var l) = kind else { preconditionFailure("append to a RowList that is a range") }
        kind = .list([]); l.append(row); kind = .list(l)
    }
}

/// Positions on `format`'s axis of a time column's labels, every one of which parses (TimeAxis.classify
/// said so): the position the column's compact labels keep where they keep one (the same value: it
/// was parsed from the same text), else parsed from the label's bytes.
struct TimePositions {
    let column: CSVColumn
    let format: TimeFormat
    private let axis: AxisLabels?

    init(_ column: CSVColumn, format: TimeFormat) {
        self.column = column; self.format = format
        if case .text(let labels) = column.storage, case .axis(let a) = labels.storage, a.style.format == format { axis = a } else { axis = nil }
    }

    subscript(r: Int) -> Double {
        if let axis, let v = axis.keptPosition(r) { return v }
        return column.withText(r) { TimeAxis.ordinal(utf8: $0, format) } ?? .nan
    }
}

/// Rows of a CSV column (all, or those listed) as time labels, read from its bytes.
struct ColumnLabels: TimeLabelSource {
    let column: CSVColumn
    let rows: RowList
    init(_ column: CSVColumn, rows: RowList? = nil) { self.column = column; self.rows = rows ?? .all(column.count) }
    var count: Int { rows.count }
    func withLabel<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { column.withText(rows[i], body) }
}
