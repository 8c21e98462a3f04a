// TimeLabelParsing: where a time label sits on its format's axis, read from the label's UTF-8 bytes
// without making Strings. The rules are those of the String version (`TimeAxis.ordinalOfText`),
// step for step: trim spaces and tabs, split on the format's separators dropping empty pieces, parse
// the pieces with Swift's `Int` rules (an optional sign, ASCII digits, nil on overflow) and numbers
// with `Double`. ASCII labels take the byte path; a label with any other byte goes through the
// String version, so both give the same position for every label
// (`TimeLabelsTests.testByteParserAgreesWithTheStringRules` compares them on many generated labels). Where the String version trapped on an `Int` overflow (a
// 19-digit year of a quarter, a huge hour), the byte path says "not a time" instead.

extension TimeAxis {
    /// Position of a label (its UTF-8 bytes) on `format`'s axis; the same as `ordinal(String, format)`.
    static func ordinal(utf8 b: UnsafeBufferPointer<UInt8>, _ format: TimeFormat) -> Double? {
        for x in b where x >= 0x80 { return ordinalOfText(String(decoding: b, as: UTF8.self), format) }
        return ordinal(ascii: b, format)
    }

    /// `ordinal` of an ASCII label.
    private static func ordinal(ascii b: UnsafeBufferPointer<UInt8>, _ format: TimeFormat) -> Double? {
        var lo = 0, hi = b.count
        while lo < hi, b[lo] == 32 || b[lo] == 9 { lo += 1 }
        while hi > lo, b[hi - 1] == 32 || b[hi - 1] == 9 { hi -= 1 }
        let t = UnsafeBufferPointer(rebasing: b[lo..<hi])
        switch format {
        case .year:
            guard t.count == 4, let y = int(t) else { return nil }
            return Double(y)
        case .yearQuarter:
            let p = Pieces(t) { $0 == 45 || $0 == 47 }
            guard p.count == 2, let y = int(p[0]), p[1][0] == 81 || p[1][0] == 113,   // Q or q
                  let q = int(UnsafeBufferPointer(rebasing: p[1].dropFirst())), (1...4).contains(q) else { return nil }
            let (y4, o1) = y.multipliedReportingOverflow(by: 4)
            let (v, o2) = y4.addingReportingOverflow(q - 1)
            return o1 || o2 ? nil : Double(v)
        case .yearMonth:
            let p = Pieces(t) { $0 == 45 || $0 == 47 }
            guard p.count == 2, p[0].count == 4, let y = int(p[0]), let m = int(p[1]), (1...12).contains(m) else { return nil }
            return Double(y * 12 + m - 1)
        case .monthStart, .monthEnd:
            let p = Pieces(t) { $0 == 45 || $0 == 47 }
            guard p.count == 3, p[0].count == 4, let y = int(p[0]), let m = int(p[1]), let d = int(p[2]), (1...12).contains(m),
                  d == (format == .monthStart ? 1 : lastDay(year: y, month: m)) else { return nil }
            return Double(y * 12 + m - 1)
        case .date:
            let p = Pieces(t) { $0 == 45 || $0 == 47 }
            guard p.count == 3, let d = dayNumber(p[0], p[1], p[2]) else { return nil }
            return Double(d)
        case .dateTime:
            let pieces = Pieces(t) { $0 == 32 || $0 == 84 }   // ' ' or 'T'
            guard pieces.count == 2 else { return nil }
            let dp = Pieces(pieces[0]) { $0 == 45 }
            guard dp.count == 3, let d = dayNumber(dp[0], dp[1], dp[2]) else { return nil }
            // A UTC offset after the clock: the last '+' or '-' and what follows it (`utcOffset`).
            var time = pieces[1], offset = 0
            if let sign = time.lastIndex(where: { $0 == 43 || $0 == 45 }) {
                guard let o = utcOffset(UnsafeBufferPointer(rebasing: time[(sign + 1)...]), negative: time[sign] == 45) else { return nil }
                offset = o; time = UnsafeBufferPointer(rebasing: time[..<sign])
            }
            // The time: split on ':' after removing every 'Z'; the pieces that are whole numbers count.
            var parts = (0, 0, 0), n = 0
            var i = 0
            while i < time.count, n <= 3 {
                var j = i
                while j < time.count, time[j] != 58 { j += 1 }
                if let v = int(UnsafeBufferPointer(rebasing: time[i..<j]), skipping: 90) {
                    switch n { case 0: parts.0 = v; case 1: parts.1 = v; case 2: parts.2 = v; default: break }
                    n += 1
                }
                i = j + 1
            }
            guard (2...3).contains(n) else { return nil }
            let (h, o1) = parts.0.multipliedReportingOverflow(by: 3600)
            let (m, o2) = parts.1.multipliedReportingOverflow(by: 60)
            let (hm, o3) = h.addingReportingOverflow(m)
            let (s, o4) = hm.addingReportingOverflow(n > 2 ? parts.2 : 0)
            guard !(o1 || o2 || o3 || o4) else { return nil }
            return Double(d) * 86400 + Double(s) - Double(offset)
        case .number:
            return Double(String(decoding: t, as: UTF8.self))
        }
    }

    /// A UTC offset in seconds from what follows its sign: HH, HHMM or HH:MM (ASCII digits, hours
    /// 0–23, minutes 0–59), negative after a '-'; nil for anything else. A label's position is its
    /// clock minus the offset (UTC), so a daylight-saving change is not a duplicate or a gap.
    static func utcOffset(_ b: UnsafeBufferPointer<UInt8>, negative: Bool) -> Int? {
        func two(_ k: Int) -> Int? {
            guard (48...57).contains(b[k]), (48...57).contains(b[k + 1]) else { return nil }
            return Int(b[k] - 48) * 10 + Int(b[k + 1] - 48)
        }
        let h: Int?, m: Int?
        switch b.count {
        case 2: h = two(0); m = 0
        case 4: h = two(0); m = two(2)
        case 5 where b[2] == 58: h = two(0); m = two(3)
        default: return nil
        }
        guard let h, let m, h <= 23, m <= 59 else { return nil }
        return (negative ? -1 : 1) * (h * 3600 + m * 60)
    }

    /// Days since 1970-01-01 of year, month and day pieces (the String version's `dayNumber`).
    private static func dayNumber(_ y: UnsafeBufferPointer<UInt8>, _ m: UnsafeBufferPointer<UInt8>,
                                  _ d: UnsafeBufferPointer<UInt8>) -> Int? {
        guard y.count == 4, let y = int(y), let m = int(m), let d = int(d), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        return days(year: y, month: m, day: d)
    }

    /// Swift's `Int(text)` on ASCII bytes (bytes equal to `skipping` left out first): an optional
    /// '+' or '-', then one or more digits; nil on anything else or on overflow.
    static func int(_ b: UnsafeBufferPointer<UInt8>, skipping: UInt8 = 0) -> Int? {
        var i = 0
        while i < b.count, skipping != 0, b[i] == skipping { i += 1 }
        guard i < b.count else { return nil }
        let negative = b[i] == 45
        if b[i] == 45 || b[i] == 43 { i += 1 }
        var value = 0, digits = 0
        while i < b.count {
            let c = b[i]; i += 1
            if skipping != 0, c == skipping { continue }
            guard c >= 48, c <= 57 else { return nil }
            let (t, o1) = value.multipliedReportingOverflow(by: 10)
            let (v, o2) = negative ? t.subtractingReportingOverflow(Int(c - 48)) : t.addingReportingOverflow(Int(c - 48))
            if o1 || o2 { return nil }
            value = v; digits += 1
        }
        return digits > 0 ? value : nil
    }
}

/// The non-empty runs of a label between separator bytes (String.split's default), the first 3 of
/// them kept; `count` says how many there are (4 meaning 4 or more).
private struct Pieces {
    private var r0 = 0..<0, r1 = 0..<0, r2 = 0..<0
    private let base: UnsafeBufferPointer<UInt8>
    private(set) var count = 0

    @inline(__always) init(_ b: UnsafeBufferPointer<UInt8>, separator: (UInt8) -> Bool) {
        base = b
        var i = 0
        while i < b.count, count < 4 {
            while i < b.count, separator(b[i]) { i += 1 }
            guard i < b.count else { break }
            var j = i
            while j < b.count, !separator(b[j]) { j += 1 }
            switch count { case 0: r0 = i..<j; case 1: r1 = i..<j; case 2: r2 = i..<j; default: break }
            count += 1
            i = j
        }
    }

    subscript(k: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: base[k == 0 ? r0 : k == 1 ? r1 : r2])
    }
}
