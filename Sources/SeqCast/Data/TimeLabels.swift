// TimeLabels: the time labels of one series, stored compactly and written out only when asked
// for (forecast and backtest files, plots, the HDF5 `time` dataset). Labels on a time axis are kept
// as their positions — a regular progression (start, step: a few bytes for any length) or one
// Double each — with the style the file writes them in (TimeLabelStyle), plus the few labels that
// style does not give back exactly, kept as text. Labels off any axis are kept as UTF-8 text
// (TextCells). Every label is checked as it is stored: what it is written back as is its text, byte
// for byte.

/// Labels read by index as UTF-8 bytes (a CSV column's rows, a list of Strings), for TimeAxis.
protocol TimeLabelSource {
    var count: Int { get }
    func withLabel<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R
}

/// A list of Strings as a label source.
struct StringLabels: TimeLabelSource {
    let labels: [String]
    init(_ labels: [String]) { self.labels = labels }
    var count: Int { labels.count }
    func withLabel<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var s = labels[i]
        return s.withUTF8(body)
    }
}

/// A series' time labels (empty when the data has no time column).
public struct TimeLabels: RandomAccessCollection, Equatable, Sendable, ExpressibleByArrayLiteral {
    enum Storage: Sendable {
        case text(TextCells)
        case axis(AxisLabels)
    }
    let storage: Storage

    init(storage: Storage) { self.storage = storage }

    /// No labels.
    public init() { storage = .text(TextCells()) }

    /// The labels as given, kept as text.
    public init(_ labels: [String]) { storage = .text(TextCells(labels)) }
    public init(arrayLiteral labels: String...) { self.init(labels) }

    /// `labels` on `format`'s axis, kept compactly where they are (HDF5 `time` datasets).
    init(_ labels: [String], format: TimeFormat) {
        var b = Builder(format: format)
        for l in labels { var s = l; s.withUTF8 { b.append($0) } }
        self = b.finished()
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage { case .text(let t): t.count; case .axis(let a): a.count }
    }

    public subscript(i: Int) -> String {
        switch storage { case .text(let t): t[i]; case .axis(let a): a[i] }
    }

    /// The `count` labels after the last one on `axis`, in the style these labels are kept in
    /// (`1949/1` continues as `1961/1`, `…T00:00:00Z` as `…T00:00:00Z`), else as `TimeAxis.continuing`
    /// writes them; `t+1 …` without labels.
    public func continuing(on axis: TimeAxis, count: Int) -> [String] {
        guard let last else { return (0..<count).map { "t+\($0 + 1)" } }
        let labels = axis.continuing(after: last, count: count)
        guard case .axis(let a) = storage, a.style.format == axis.format, a.style != TimeLabelStyle(format: axis.format) else { return labels }
        return labels.map { l in
            guard let v = TimeAxis.ordinal(l, axis.format) else { return l }
            return a.style.withLabel(v) { $0.isEmpty ? l : String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Calls `body` with the UTF-8 bytes of label `i`, without making a String.
    func withUTF8<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        switch storage { case .text(let t): t.withUTF8(i, body); case .axis(let a): a.withUTF8(i, body) }
    }

    /// Labels `r` (a training part's).
    public func rows(_ r: Range<Int>) -> TimeLabels {
        switch storage {
        case .text(let t): TimeLabels(storage: .text(t.slice(r)))
        case .axis(let a): TimeLabels(storage: .axis(a.rows(r)))
        }
    }

    public static func == (a: TimeLabels, b: TimeLabels) -> Bool { a.count == b.count && a.elementsEqual(b) }

    /// Labels kept as positions (not as text), for tests.
    var positionsKept: Int {
        if case .axis(let a) = storage { a.count - a.exceptionRows.count } else { 0 }
    }
}

/// Labels as positions on an axis written in one style, with the labels it does not reproduce kept as text.
struct AxisLabels: Sendable {
    enum Positions: Sendable {
        /// Position of label i: start + Double(offset + i) · step (the same expression for a slice).
        case regular(start: Double, step: Double, offset: Int, count: Int)
        case list([Double])
    }
    var style: TimeLabelStyle
    var positions: Positions
    /// Rows whose label is kept as text (ascending), and their texts.
    var exceptionRows: [Int]
    var exceptionTexts: TextCells

    var count: Int { switch positions { case .regular(_, _, _, let n): n; case .list(let l): l.count } }

    func position(_ i: Int) -> Double {
        switch positions {
        case .regular(let start, let step, let offset, _): start + Double(offset + i) * step
        case .list(let l): l[i]
        }
    }

    subscript(i: Int) -> String { withUTF8(i) { String(decoding: $0, as: UTF8.self) } }

    func withUTF8<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let k = exception(i) { return exceptionTexts.withUTF8(k, body) }
        return style.withLabel(position(i), body)
    }

    /// The position of row `i` when its label is kept as one (not as text).
    func keptPosition(_ i: Int) -> Double? { exception(i) == nil ? position(i) : nil }

    /// The index into the exceptions of row `i`, if its label is kept as text.
    private func exception(_ i: Int) -> Int? {
        var lo = 0, hi = exceptionRows.count
        while lo < hi { let mid = (lo + hi) / 2; if exceptionRows[mid] < i { lo = mid + 1 } else { hi = mid } }
        return lo < exceptionRows.count && exceptionRows[lo] == i ? lo : nil
    }

    func rows(_ r: Range<Int>) -> AxisLabels {
        let p: Positions
        switch positions {
        case .regular(let start, let step, let offset, _): p = .regular(start: start, step: step, offset: offset + r.lowerBound, count: r.count)
        case .list(let l): p = .list(Array(l[r]))
        }
        var out = AxisLabels(style: style, positions: p, exceptionRows: [], exceptionTexts: TextCells())
        for (k, row) in exceptionRows.enumerated() where r.contains(row) {
            out.exceptionRows.append(row - r.lowerBound)
            exceptionTexts.withUTF8(k) { out.exceptionTexts.append($0) }
        }
        return out
    }
}

extension TimeLabels {
    /// Builds labels one by one from their text. A label is kept as its position on the format's
    /// axis when the style writes it back as its text; otherwise as text. The style (and, without
    /// a format, the format) is the one that writes the most of the first `sample` labels exactly
    /// (the first of `TimeAxis.detectionOrder` and of `TimeLabelStyle.candidates` on ties); when
    /// none writes any of them, the first one that writes a later label. Mostly-text results are
    /// kept as text altogether.
    struct Builder {
        private(set) var format: TimeFormat?
        private let formatGiven: Bool
        private var style: TimeLabelStyle?
        /// The first labels, held until the style is chosen, with their positions (known format).
        private var pending = TextCells(), pendingPositions: [Double?] = [], decided = false
        static let sample = 32
        /// Positions: start + Double(i − anchor) · step from the first exact row (`anchor`) on
        /// while that gives every exact row's position back bit for bit; a list otherwise.
        private var anchor: Int?, start = 0.0, step: Double?
        private var list: [Double]? = nil
        private var exceptionRows: [Int] = []
        private var exceptionTexts = TextCells()
        private(set) var count = 0

        init(format: TimeFormat?) { self.format = format; formatGiven = format != nil }

        /// Appends a label, finding its position from its text.
        mutating func append(_ text: UnsafeBufferPointer<UInt8>) {
            if let format { return append(text, position: TimeAxis.ordinal(utf8: text, format)) }
            guard decided else { return hold(text, nil) }
            for f in TimeAxis.detectionOrder {
                guard let v = TimeAxis.ordinal(utf8: text, f),
                      let s = TimeLabelStyle.candidates(f).first(where: { $0.writes(text, at: v) }) else { continue }
                format = f; style = s
                return store(text, v, exact: true)
            }
            store(text, nil, exact: false)
        }

        /// Appends a label whose position on the format's axis is `position` (nil: it has none).
        mutating func append(_ text: UnsafeBufferPointer<UInt8>, position: Double?) {
            guard decided else { return hold(text, position) }
            var exact = false
            if let v = position, let format {
                if let style {
                    exact = style.writes(text, at: v)
                } else if let s = TimeLabelStyle.candidates(format).first(where: { $0.writes(text, at: v) }) {
                    style = s; exact = true
                }
            }
            store(text, position, exact: exact)
        }

        private mutating func hold(_ text: UnsafeBufferPointer<UInt8>, _ position: Double?) {
            pending.append(text); pendingPositions.append(position)
            if pending.count == Self.sample { decide() }
        }

        /// Chooses the format and style by the pending labels, then stores them.
        private mutating func decide() {
            decided = true
            var best: (format: TimeFormat, style: TimeLabelStyle, count: Int)? = nil
            for f in format.map({ [$0] }) ?? TimeAxis.detectionOrder {
                let positions = formatGiven ? pendingPositions
                    : (0..<pending.count).map { i in pending.withUTF8(i) { TimeAxis.ordinal(utf8: $0, f) } }
                for s in TimeLabelStyle.candidates(f) {
                    var n = 0
                    for i in 0..<pending.count {
                        if let v = positions[i], pending.withUTF8(i, { s.writes($0, at: v) }) { n += 1 }
                    }
                    if n > (best?.count ?? 0) { best = (f, s, n) }
                }
            }
            if let best { format = best.format; style = best.style }
            let held = pending, positions = pendingPositions
            pending = TextCells(); pendingPositions = []
            for i in 0..<held.count {
                held.withUTF8(i) { text in
                    let v = formatGiven ? positions[i] : format.flatMap { TimeAxis.ordinal(utf8: text, $0) }
                    store(text, v, exact: v.map { style?.writes(text, at: $0) ?? false } ?? false)
                }
            }
        }

        private mutating func store(_ text: UnsafeBufferPointer<UInt8>, _ position: Double?, exact: Bool) {
            if !exact { exceptionRows.append(count); exceptionTexts.append(text) }
            if list != nil {
                list!.append(exact ? position! : .nan)
            } else if exact, let v = position {
                if let anchor {
                    if step == nil { step = (v - start) / Double(count - anchor) }
                    if (start + Double(count - anchor) * step!).bitPattern != v.bitPattern { materialise(); list!.append(v) }
                } else {
                    anchor = count; start = v
                }
            }
            count += 1
        }

        /// Switches to a list of positions (those of the progression so far).
        private mutating func materialise() {
            list = (0..<count).map { i in anchor.map { i >= $0 ? start + Double(i - $0) * (step ?? 0) : .nan } ?? .nan }
        }

        private var positions: AxisLabels.Positions {
            list.map { .list($0) } ?? .regular(start: start, step: step ?? 0, offset: -(anchor ?? 0), count: count)
        }

        func finished() -> TimeLabels {
            var b = self
            if !b.decided { b.decide() }
            let axis = AxisLabels(style: b.style ?? TimeLabelStyle(format: b.format ?? .number), positions: b.positions,
                                  exceptionRows: b.exceptionRows, exceptionTexts: b.exceptionTexts)
            guard b.style != nil, b.exceptionRows.count * 2 <= b.count else {
                // Mostly (or all) text: keep every label as text — already in order when every one is an exception.
                if b.exceptionRows.count == b.count { return TimeLabels(storage: .text(b.exceptionTexts)) }
                var text = TextCells()
                text.reserveCapacity(b.count)
                for i in 0..<b.count { axis.withUTF8(i) { text.append($0) } }
                return TimeLabels(storage: .text(text))
            }
            return TimeLabels(storage: .axis(axis))
        }
    }
}
