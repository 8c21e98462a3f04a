// CSVColumn: one column of a CSV table as the reader builds it, cell by cell. A column holds its
// numbers (one Float per row, as the series are built from them) unless its text is needed: columns
// asked for by name (the time and id columns), and columns that turn out to be mostly text (their
// texts are read in a second pass). Type evidence (ColumnProfile) and the numbers' statistics
// (what `inspect` prints) are counted over every cell as it is read. Numbers are kept in chunks
// (FloatChunks) that the series builder lets go of as it copies them.
import Foundation

/// Cell texts read as missing.
let missingTokens: Set<String> = ["", "NA", "N/A", "NaN", "nan", "NAN", "null", "NULL", "None", "na", "#N/A"]
private let missingTokenBytes: [[UInt8]] = missingTokens.map { Array($0.utf8) }

/// `missingTokens.contains(text)` for a cell's UTF-8 bytes, without making a String for ASCII cells.
func isMissingToken(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard b.count <= 4 else { return false }   // the longest token: 4 bytes
    for x in b where x >= 0x80 { return missingTokens.contains(String(decoding: b, as: UTF8.self)) }
    return missingTokenBytes.contains { $0.elementsEqual(b) }
}

/// What a column's cells hold, counted over the whole column.
public struct ColumnProfile: Sendable, Equatable {
    /// Cells that are not missing.
    public var present = 0
    /// Present cells that parse as numbers.
    public var numeric = 0
    /// Row index (into the table's rows) of the first present cell that is not a number.
    public var firstBad: Int?

    /// Every present cell is a number (and there is at least one).
    public var isNumeric: Bool { present > 0 && numeric == present }
    /// At least half the present cells are numbers: a numeric column with bad cells (errors when read).
    public var isMostlyNumeric: Bool { present > 0 && numeric * 2 >= present }
    /// Every cell is missing.
    public var isEmpty: Bool { present == 0 }
}

/// Minimum, maximum and sum (in row order, in Double) of the cells that parse as numbers, as
/// `Sequence.min()`, `max()` and `reduce(0, +)` give them.
public struct NumberStats: Sendable, Equatable {
    public var count = 0
    public var min = Double.nan, max = Double.nan, sum = 0.0

    mutating func add(_ d: Double) {
        if count == 0 { min = d; max = d } else {
            if d < min { min = d }
            if max < d { max = d }
        }
        sum += d; count += 1
    }
}

/// How a cell of a numeric column is read: its Float (the series' value), or its text when it is
/// not a plain finite number within Float's range (missing tokens other than "", bad cells, NaN,
/// infinities, overflow).
enum CSVCell {
    case number(Float)
    case text(String)
}

/// A column as it is built: all texts while no cell is a number yet (a text or empty column never
/// holds numbers), then numbers with the few texts that are not plain numbers; a column that turns
/// mostly text after its first numbers drops them and has its texts read in a second pass.
struct CSVColumnBuilder {
    enum Mode { case undecided, numbers, text, labels, needsTextPass }
    /// What a column keeps: nothing decided (numbers unless it turns out text), every text, or
    /// every text as time labels (kept as positions on a time axis where they are: TimeLabels).
    enum Keep { case undecided, text, labels }
    var mode: Mode
    var numbers = FloatChunks()
    var exceptions: [Int: String] = [:]
    var texts = TextCells()
    var labels = TimeLabels.Builder(format: nil)
    var profile = ColumnProfile()
    var stats = NumberStats()

    init(keep: Keep) { mode = keep == .text ? .text : keep == .labels ? .labels : .undecided }

    var needsTextPass: Bool { mode == .needsTextPass }
    /// Rows the file is expected to have (0: unknown), reserved for as a column settles.
    private var expected = 0

    /// Reserves room for `rows` rows in what the column keeps.
    mutating func reserve(_ rows: Int) {
        expected = rows
        switch mode {
        case .numbers: numbers.reserveCapacity(rows)
        case .text: texts.reserveCapacity(rows)
        case .undecided, .labels, .needsTextPass: break
        }
    }

    mutating func add(_ text: String, row: Int) {
        var d: Double? = nil
        if !missingTokens.contains(text) {
            profile.present += 1
            d = Double(text)
            if let d { profile.numeric += 1; stats.add(d) } else if profile.firstBad == nil { profile.firstBad = row }
        }
        switch mode {
        case .text:
            texts.append(text)
        case .labels:
            var t = text
            t.withUTF8 { labels.append($0) }
        case .undecided:
            guard d != nil else { texts.append(text); return }
            if mostlyText { texts.append(text); mode = .text; return }
            // The first number: every earlier cell is missing or not a number.
            numbers.reserveCapacity(max(texts.count + 1, expected))
            for r in 0..<texts.count { store(texts[r], nil, row: r) }
            texts = TextCells()
            store(text, d, row: row)
            mode = .numbers
        case .numbers:
            store(text, d, row: row)
            if mostlyText { mode = .needsTextPass; numbers = FloatChunks(); exceptions = [:] }
        case .needsTextPass:
            break
        }
    }

    private var mostlyText: Bool { profile.present - profile.numeric > profile.numeric }

    private mutating func store(_ text: String, _ d: Double?, row: Int) {
        // In Float range: not too large, and not so small that it would be read as 0 (kept as text,
        // like an overflow, and refused where the column is used).
        if let d, !d.isNaN, d.isFinite, abs(d) <= Double(Float.greatestFiniteMagnitude), d == 0 || Float(d) != 0 {
            numbers.append(Float(d))
        } else {
            numbers.append(.nan)
            if !text.isEmpty { exceptions[row] = text }
        }
    }

    /// Texts of a column read in the second pass.
    mutating func setTexts(_ t: TextCells) { texts = t; mode = .text }

    func finished() -> CSVColumn {
        let storage: CSVColumn.Storage
        switch mode {
        case .numbers: storage = .numbers(numbers, exceptions: exceptions)
        case .labels: storage = .text(labels.finished())
        case .text, .undecided, .needsTextPass: storage = .text(TimeLabels(storage: .text(texts)))
        }
        return CSVColumn(storage: storage, profile: profile, stats: stats)
    }
}

/// One column of a read table.
public struct CSVColumn: Sendable {
    enum Storage: Sendable {
        case numbers(FloatChunks, exceptions: [Int: String])
        /// Every cell's text: a time-like column's as time labels (positions on an axis where they are).
        case text(TimeLabels)
    }
    var storage: Storage
    /// Type evidence over every cell.
    public let profile: ColumnProfile
    /// The cells that parse as numbers (for `inspect`).
    public let stats: NumberStats

    /// True when the column keeps every cell's text.
    public var keepsText: Bool { if case .text = storage { return true } else { return false } }

    /// Cell `r`: for a text column, its text; for a numeric one, its Float or, when it is not a plain
    /// number, its text ("" for an empty cell).
    func cell(_ r: Int) -> CSVCell {
        switch storage {
        case .text(let t): return .text(t[r])
        case .numbers(let v, let exceptions):
            let x = v[r]
            if !x.isNaN { return .number(x) }
            return .text(exceptions[r] ?? "")
        }
    }

    /// Number of cells.
    var count: Int {
        switch storage { case .text(let t): t.count; case .numbers(let v, _): v.count }
    }

    /// Lets go of the numbers of the chunk holding row `r` (CSVTable.series, once it has copied
    /// them; reading a cell of that chunk afterwards traps), or with `r` nil of every chunk. A column
    /// that keeps its text keeps it. The memory is freed when no other copy of the table holds it.
    mutating func releaseNumbers(chunkOf r: Int?) {
        guard case .numbers(var v, let exceptions) = storage else { return }
        storage = .text(TimeLabels())   // leaves `v` uniquely referenced
        if let r { v.release(chunkOf: r) } else { v = FloatChunks() }
        storage = .numbers(v, exceptions: exceptions)
    }

    /// The texts of rows `rows` (`text(r)` of each), as a list of their own.
    func texts(_ rows: RowList) -> TimeLabels {
        var out = TextCells()
        out.reserveCapacity(rows.count)
        for r in rows { withText(r) { out.append($0) } }
        return TimeLabels(storage: .text(out))
    }

    /// Calls `body` with the UTF-8 bytes of cell `r`'s text (`text(r)`), without making a String
    /// for a column that keeps its text.
    func withText<R>(_ r: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if case .text(let t) = storage { return t.withUTF8(r, body) }
        var s = text(r)
        return s.withUTF8(body)
    }

    /// The text of cell `r`. Exact for text columns and for the cells of a numeric column that are
    /// not plain numbers; a plain number of a numeric column gives its Float's shortest text.
    func text(_ r: Int) -> String {
        switch cell(r) {
        case .text(let s): return s
        case .number(let x): return "\(x)"
        }
    }
}

/// A numeric column's Floats in chunks of 65 536 (256 KiB): appended without the copies an array
/// makes as it grows, and let go of a chunk at a time once they have been copied into a series
/// (a 2M-row file's columns and its series were held whole together: 2 × 22.9 MiB).
struct FloatChunks: Sendable {
    static let shift = 16
    static let size = 1 << shift
    private var chunks: [[Float]] = []
    private(set) var count = 0

    /// The chunk that holds row `r`.
    static func chunk(_ r: Int) -> Int { r >> shift }

    mutating func reserveCapacity(_ n: Int) { chunks.reserveCapacity((n + Self.size - 1) >> Self.shift) }

    mutating func append(_ x: Float) {
        if count & (Self.size - 1) == 0 {
            var c = [Float]()
            c.reserveCapacity(Self.size)
            chunks.append(c)
        }
        chunks[chunks.count - 1].append(x)
        count += 1
    }

    subscript(r: Int) -> Float { chunks[Self.chunk(r)][r & (Self.size - 1)] }

    /// Lets go of the chunk holding row `r`; its rows cannot be read afterwards.
    mutating func release(chunkOf r: Int) { chunks[Self.chunk(r)] = [] }
}
