// TimeLabelStyle: how a file writes the labels of a time format — the separators, zero padding,
// seconds, a trailing 'Z' — so that a label can be kept as its position on the time axis and
// written back byte for byte. A style is picked from a few candidates per format by the first
// label one of them reproduces exactly (TimeLabels.Builder); labels no style reproduces are kept
// as text.
import Glibc

struct TimeLabelStyle: Sendable, Equatable {
    var format: TimeFormat
    /// Between year and month or quarter, and month and day: '-' or '/'.
    var separator: UInt8 = 45
    /// Month and day written with two digits.
    var padded = true
    /// A quarter written 'q1' rather than 'Q1'.
    var lowerQ = false
    /// Between date and time: ' ' or 'T'.
    var dateTimeSeparator: UInt8 = 32
    var seconds = true
    /// A 'Z' after the time.
    var zulu = false

    /// The styles tried for a format, the canonical one (what `TimeAxis.label` writes) first.
    static func candidates(_ f: TimeFormat) -> [TimeLabelStyle] {
        let s = TimeLabelStyle(format: f)
        switch f {
        case .year, .number:
            return [s]
        case .yearQuarter:
            return [UInt8(45), 47].flatMap { sep in [false, true].map { lower in var c = s; c.separator = sep; c.lowerQ = lower; return c } }
        case .yearMonth, .date, .monthStart, .monthEnd:
            return [UInt8(45), 47].flatMap { sep in [true, false].map { pad in var c = s; c.separator = sep; c.padded = pad; return c } }
        case .dateTime:
            return [UInt8(32), 84].flatMap { sep in [true, false].flatMap { secs in [false, true].map { z in
                var c = s; c.dateTimeSeparator = sep; c.seconds = secs; c.zulu = z; return c } } }
        }
    }

    /// The longest label a style writes (a number of 15 digits and a sign; a date-time is 20 bytes).
    static let maxBytes = 24

    /// Writes the label at position `v` into `out` (room for `maxBytes`) and returns its length;
    /// 0 when this style cannot write it (not a whole position, or outside the years 0...9999).
    func write(_ v: Double, into out: UnsafeMutablePointer<UInt8>) -> Int {
        guard v.isFinite, v == v.rounded(), abs(v) < 1e15 else { return 0 }
        var w = Writer(out: out)
        let n = Int(v)
        switch format {
        case .year:
            guard (0...9999).contains(n) else { return 0 }
            w.digits(n, width: 4)
        case .number:
            if n < 0 { w.put(45) }
            w.digits(Int(n.magnitude), width: 1)
        case .yearQuarter:
            guard n >= 0 else { return 0 }
            w.digits(n / 4, width: 1); w.put(separator); w.put(lowerQ ? 113 : 81); w.digits(n % 4 + 1, width: 1)
        case .yearMonth:
            guard n >= 0, n / 12 <= 9999 else { return 0 }
            w.digits(n / 12, width: 4); w.put(separator); w.digits(n % 12 + 1, width: padded ? 2 : 1)
        case .monthStart, .monthEnd:
            guard n >= 0, n / 12 <= 9999 else { return 0 }
            let y = n / 12, m = n % 12 + 1
            let d = format == .monthStart ? 1 : TimeAxis.lastDay(year: y, month: m)
            guard date(TimeAxis.days(year: y, month: m, day: d), separator: separator, &w) else { return 0 }
        case .date:
            guard date(n, separator: separator, &w) else { return 0 }
        case .dateTime:
            let day = n >= 0 ? n / 86400 : -((-n + 86399) / 86400), r = n - day * 86400
            guard seconds || r % 60 == 0, date(day, separator: 45, &w) else { return 0 }
            w.put(dateTimeSeparator)
            w.digits(r / 3600, width: 2); w.put(58); w.digits(r / 60 % 60, width: 2)
            if seconds { w.put(58); w.digits(r % 60, width: 2) }
            if zulu { w.put(90) }
        }
        return w.count
    }

    private func date(_ day: Int, separator sep: UInt8, _ w: inout Writer) -> Bool {
        guard abs(day) < 10_000_000 else { return false }
        let (y, m, d) = TimeAxis.civil(day)
        guard (0...9999).contains(y) else { return false }
        w.digits(y, width: 4)
        w.put(sep); w.digits(m, width: padded ? 2 : 1)
        w.put(sep); w.digits(d, width: padded ? 2 : 1)
        return true
    }

    /// Does this style write `text` at position `v` (byte for byte)?
    func writes(_ text: UnsafeBufferPointer<UInt8>, at v: Double) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxBytes) { b in
            let n = write(v, into: b.baseAddress!)
            return n > 0 && n == text.count && memcmp(b.baseAddress!, text.baseAddress!, n) == 0
        }
    }

    /// Calls `body` with the label at `v` (empty when this style cannot write it).
    func withLabel<R>(_ v: Double, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxBytes) { b in
            body(UnsafeBufferPointer(start: b.baseAddress!, count: write(v, into: b.baseAddress!)))
        }
    }
}

/// Appends ASCII to a label buffer.
private struct Writer {
    let out: UnsafeMutablePointer<UInt8>
    var count = 0

    mutating func put(_ b: UInt8) { out[count] = b; count += 1 }

    /// The decimal digits of `n` (≥ 0), zero-padded to `width`.
    mutating func digits(_ n: Int, width: Int) {
        var len = 1, p = 10
        while len < 16, n >= p { len += 1; p *= 10 }
        len = max(len, width)
        var v = n
        for k in stride(from: len - 1, through: 0, by: -1) { out[count + k] = UInt8(48 + v % 10); v /= 10 }
        count += len
    }
}
