// TimeAxis: recognises a time column's labels (year, year-quarter, year-month, dates on the first or
// the last day of their month, date, date-time, plain number), infers the frequency, continues the labels past the end for forecasts, and
// suggests a seasonal period. `classify` judges a whole column (the format most labels follow and
// the first label that does not), so one bad label is reported instead of silently dropping the axis.
import Foundation

/// How time labels are written.
public enum TimeFormat: String, Codable, Sendable {
    case year          // 1949
    case yearQuarter   // 1970-Q1
    case yearMonth     // 1949-01
    case monthStart    // 1949-01-01: dates on the first of their month (pandas' MS, QS, AS), counted in months
    case monthEnd      // 1949-01-31: dates on the last day of their month (pandas' M, Q, A), counted in months
    case date          // 1958-03-29
    case dateTime      // 2020-01-01 13:00[:00] or with 'T'
    case number        // any other numeric index
}

/// A parsed time column: format and the step between consecutive labels.
public struct TimeAxis: Codable, Sendable, Equatable {
    public var format: TimeFormat
    /// Step in the format's natural unit: years, quarters, months (year-month and month-start or
    /// month-end dates), days, seconds, or index units.
    public var step: Double
    public var column: String

    /// Human-readable frequency ("monthly", "weekly", "every 3 days", ...).
    public var frequencyName: String {
        switch format {
        case .year: return step == 1 ? "yearly" : "every \(Int(step)) years"
        case .yearQuarter: return step == 1 ? "quarterly" : "every \(Int(step)) quarters"
        case .yearMonth: return step == 1 ? "monthly" : "every \(Int(step)) months"
        case .monthStart, .monthEnd:
            let name = step == 1 ? "monthly" : step == 3 ? "quarterly" : step == 12 ? "yearly" : "every \(Int(step)) months"
            return name + (format == .monthStart ? " (month starts)" : " (month ends)")
        case .date: return step == 1 ? "daily" : step == 7 ? "weekly" : "every \(Int(step)) days"
        case .dateTime: return Self.dateTimeName(seconds: Int(step))
        case .number: return "step \(step)"
        }
    }

    /// A date-time step in words: "hourly", "half-hourly", "daily", "every 15 minutes", "every 6 hours",
    /// "every 90 s" (the largest unit that divides it).
    static func dateTimeName(seconds s: Int) -> String {
        let named = [1: "every second", 60: "every minute", 1800: "half-hourly", 3600: "hourly", 86_400: "daily", 604_800: "weekly"]
        if let name = named[s] { return name }
        for (unit, word) in [(604_800, "weeks"), (86_400, "days"), (3600, "hours"), (60, "minutes")] where s % unit == 0 {
            return "every \(s / unit) \(word)"
        }
        return "every \(s) seconds"
    }

    /// The natural seasonal period for this frequency, if there is one: the year for monthly,
    /// quarterly and weekly steps, the week for daily ones, the day for steps that divide a day into
    /// at most `maxStepsPerDay` (hourly 24, half-hourly 48, every 15 minutes 96, every 6 hours 4).
    /// Finer steps (10 or 5 minutes) get none: a daily season of 144 or 288 steps would make the
    /// default look-back (two seasons) that long; the autocorrelation picks their season instead.
    public var seasonalPeriod: Int? {
        switch (format, step) {
        case (.yearMonth, 1): return 12
        case (.yearQuarter, 1): return 4
        case (.monthStart, 1), (.monthEnd, 1): return 12
        case (.monthStart, 3), (.monthEnd, 3): return 4
        case (.date, 1), (.dateTime, 86_400): return 7
        case (.date, 7), (.dateTime, 604_800): return 52
        case (.dateTime, let s) where s >= 1 && s < 86_400 && 86_400.truncatingRemainder(dividingBy: s) == 0:
            let perDay = Int(86_400 / s)
            return perDay <= Self.maxStepsPerDay ? perDay : nil
        default: return nil
        }
    }

    /// The longest daily season a date-time axis is given from its step alone.
    static let maxStepsPerDay = 96

    /// One label a year: no seasonal period (years, or month-start / month-end dates 12 months apart).
    public var isYearly: Bool {
        switch format {
        case .year: return step == 1
        case .monthStart, .monthEnd: return step == 12
        default: return false
        }
    }

    /// Detects the format from the labels and the step from the differences, or nil when
    /// the labels are not times.
    public static func detect(column: String, labels: [String]) -> TimeAxis? {
        detect(column: column, labels: StringLabels(labels))
    }

    /// `detect` over labels read as bytes (a CSV column's rows, without making Strings). The steps
    /// between labels are counted as they are read (TimeSteps), not listed: a 2M-row column's list
    /// of positions and of steps took 31 MiB.
    static func detect(column: String, labels: some TimeLabelSource) -> TimeAxis? {
        var present = 0   // at least two labels that are not empty
        for i in 0..<labels.count where labels.withLabel(i, { !$0.isEmpty }) {
            present += 1
            if present == 2 { break }
        }
        guard present >= 2 else { return nil }
        formats: for format in detectionOrder {
            var steps = TimeSteps()
            var previous: Double? = nil
            for i in 0..<labels.count {
                var readable = true   // an empty label is skipped; one the format does not read rules it out
                let position: Double? = labels.withLabel(i) { text in
                    guard !text.isEmpty else { return nil }
                    guard let v = ordinal(utf8: text, format) else { readable = false; return nil }
                    return v
                }
                guard readable else { continue formats }
                guard let v = position else { continue }
                if let p = previous, v - p > 0 { steps.append(v - p) }
                previous = v
            }
            guard let smallest = steps.smallest else { continue }
            // The smallest step when every step is a multiple of it (a regular axis with missing
            // periods), else the median step.
            var step: Double
            if steps.allSatisfy({ d in abs(d / smallest - (d / smallest).rounded()) < 1e-9 }) {
                step = smallest
            } else {
                step = steps.median
            }
            if format == .date && (28...31).contains(step) { continue }   // month ends: not a day step
            if format == .dateTime { step = step.rounded() }
            return TimeAxis(format: format, step: step, column: column)
        }
        return nil
    }

    /// Formats in detection order (the first of equally good ones wins).
    /// Month-start and month-end dates come before plain dates: a column of them is read by both, and
    /// on the day axis their steps (28–31, 90–92 or 365–366 days) are not a step. A daily column has
    /// other days, so it is not read by them and falls through to `.date`.
    static let detectionOrder: [TimeFormat] = [.yearQuarter, .yearMonth, .monthStart, .monthEnd, .date, .dateTime, .year, .number]

    /// An example label of each format, for messages.
    static func example(_ f: TimeFormat) -> String {
        switch f {
        case .year: return "like 1949"
        case .yearQuarter: return "like 1970-Q1"
        case .yearMonth: return "like 1949-01"
        case .monthStart: return "like 1949-01-01 (first of the month)"
        case .monthEnd: return "like 1949-01-31 (last day of the month)"
        case .date: return "like 1958-03-29"
        case .dateTime: return "like 2020-01-01 13:00"
        case .number: return "numbers"
        }
    }

    /// The format most labels of a whole column follow (the first in `detectionOrder` of the ones
    /// most labels follow) and the first label (missing ones included) that does not follow it;
    /// nil when no label is a time.
    static func classify(_ labels: some TimeLabelSource) -> (format: TimeFormat, firstBad: Int?)? {
        var missing = [Bool](repeating: false, count: labels.count)
        for i in missing.indices { missing[i] = labels.withLabel(i, isMissingToken) }
        var best: (format: TimeFormat, count: Int)? = nil
        let present = missing.lazy.filter { !$0 }.count
        for format in detectionOrder {
            var n = 0
            for i in missing.indices where !missing[i] && labels.withLabel(i, { ordinal(utf8: $0, format) }) != nil { n += 1 }
            if n > (best?.count ?? 0) { best = (format, n) }
            if n == present { break }   // every label read: no later format can read more
        }
        guard let format = best?.format else { return nil }
        let firstBad = missing.indices.first { missing[$0] || labels.withLabel($0, { ordinal(utf8: $0, format) }) == nil }
        return (format, firstBad)
    }

    /// Position of a label on the format's axis (years, quarters, months, days or seconds).
    static func ordinal(_ s: String, _ format: TimeFormat) -> Double? {
        var s = s
        return s.withUTF8 { ordinal(utf8: $0, format) }
    }

    /// `ordinal` by String operations: the rules, and what labels with bytes beyond ASCII go through
    /// (TimeLabelParsing.swift reads ASCII labels from their bytes by the same rules).
    static func ordinalOfText(_ s: String, _ format: TimeFormat) -> Double? {
        let t = s.trimmingCharacters(in: .whitespaces)
        let parts = t.split(whereSeparator: { $0 == "-" || $0 == "/" }).map(String.init)
        switch format {
        case .year:
            guard t.count == 4, let y = Int(t) else { return nil }
            return Double(y)
        case .yearQuarter:
            guard parts.count == 2, let y = Int(parts[0]), parts[1].uppercased().hasPrefix("Q"),
                  let q = Int(parts[1].dropFirst()), (1...4).contains(q) else { return nil }
            return Double(y * 4 + q - 1)
        case .yearMonth:
            guard parts.count == 2, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m)
            else { return nil }
            return Double(y * 12 + m - 1)
        case .monthStart, .monthEnd:
            guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
                  parts[0].count == 4, (1...12).contains(m),
                  d == (format == .monthStart ? 1 : lastDay(year: y, month: m)) else { return nil }
            return Double(y * 12 + m - 1)
        case .date:
            guard parts.count == 3, let d = dayNumber(parts) else { return nil }
            return Double(d)
        case .dateTime:
            let pieces = t.split(whereSeparator: { $0 == " " || $0 == "T" }).map(String.init)
            guard pieces.count == 2 else { return nil }
            let dparts = pieces[0].split(separator: "-").map(String.init)
            guard let (clock, offset) = clockAndOffset(pieces[1]) else { return nil }
            let tparts = clock.replacingOccurrences(of: "Z", with: "").split(separator: ":").compactMap { Int($0) }
            guard dparts.count == 3, let d = dayNumber(dparts), (2...3).contains(tparts.count) else { return nil }
            return Double(d) * 86400 + Double(tparts[0] * 3600 + tparts[1] * 60 + (tparts.count > 2 ? tparts[2] : 0)) - Double(offset)
        case .number:
            return Double(t)
        }
    }

    /// A date-time's clock and its UTC offset in seconds, by bytes as the byte parser reads them:
    /// "13:00:00+02:00" → ("13:00:00", 7200); without a '+' or '-', the clock and 0; nil when what
    /// follows the last sign is not an offset (`utcOffset`).
    private static func clockAndOffset(_ s: String) -> (String, Int)? {
        let u = Array(s.utf8)
        guard let i = u.lastIndex(where: { $0 == 43 || $0 == 45 }) else { return (s, 0) }
        guard let o = u[(i + 1)...].withContiguousStorageIfAvailable({ utcOffset($0, negative: u[i] == 45) }) ?? nil
        else { return nil }
        return (String(decoding: u[..<i], as: UTF8.self), o)
    }

    /// The UTC offset a date-time label is written in, in seconds, and its text ("+02:00"); nil
    /// when it has none (UTC, 'Z', or no zone).
    static func writtenOffset(_ label: String) -> (seconds: Int, text: String)? {
        let pieces = label.trimmingCharacters(in: .whitespaces).split(whereSeparator: { $0 == " " || $0 == "T" })
        guard pieces.count == 2, let i = pieces[1].utf8.lastIndex(where: { $0 == 43 || $0 == 45 }),
              let (_, o) = clockAndOffset(String(pieces[1])) else { return nil }
        return (o, String(pieces[1][i...]))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian y-m-d.
    private static func dayNumber(_ p: [String]) -> Int? {
        guard p[0].count == 4, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        return days(year: y, month: m, day: d)
    }

    /// The last day of month `m` (1...12) of proleptic Gregorian year `y`.
    static func lastDay(year y: Int, month m: Int) -> Int {
        m == 12 ? 31 : days(year: y, month: m + 1, day: 1) - days(year: y, month: m, day: 1)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian y-m-d (m in 1...12).
    static func days(year y: Int, month m: Int, day d: Int) -> Int {
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The proleptic Gregorian (year, month, day) of day `z0` since 1970-01-01.
    static func civil(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The `count` labels after `last`, in the same format. Date-times written with a UTC offset
    /// ("2020-03-29T03:00:00+02:00") continue in `last`'s offset, written the same way (a later
    /// daylight-saving change is not known: no time-zone database is read).
    public func continuing(after last: String, count: Int) -> [String] {
        guard let base = Self.ordinal(last, format) else { return (0..<count).map { "+\($0 + 1)" } }
        if format == .dateTime, let (seconds, text) = Self.writtenOffset(last) {
            return (0..<count).map { k in
                label(base + Double(k + 1) * step + Double(seconds)).replacingOccurrences(of: " ", with: "T") + text
            }
        }
        return (0..<count).map { label(base + Double($0 + 1) * step) }
    }

    /// Steps from label `a` to label `b` (negative when b is earlier), or nil when either does not
    /// parse or they are not a whole number of steps apart. Month labels of the other month formats
    /// count too (a model trained on `1949-01` forecasts data written `1949-01-01`: both count months).
    public func steps(from a: String, to b: String) -> Int? {
        guard let x = position(a), let y = position(b), step > 0 else { return nil }
        let n = (y - x) / step
        return abs(n - n.rounded()) < 1e-6 ? Int(n.rounded()) : nil
    }

    /// The formats whose positions count months.
    static let monthFormats: [TimeFormat] = [.yearMonth, .monthStart, .monthEnd]

    /// Position of `label` on this axis: in its format, or for a month axis in another month format.
    func position(_ label: String) -> Double? {
        if let v = Self.ordinal(label, format) { return v }
        guard Self.monthFormats.contains(format) else { return nil }
        return Self.monthFormats.lazy.compactMap { Self.ordinal(label, $0) }.first
    }

    /// Whether `other` counts time in the same unit and step (month formats are one unit).
    public func sameFrequency(as other: TimeAxis) -> Bool {
        let months = Self.monthFormats.contains(format) && Self.monthFormats.contains(other.format)
        return (format == other.format || months) && step == other.step
    }

    /// The label at position `v` of this axis.
    func label(_ v: Double) -> String {
        switch format {
        case .year: return String(Int(v))
        case .yearQuarter: let q = Int(v); return "\(q / 4)-Q\(q % 4 + 1)"
        case .yearMonth: let m = Int(v); return String(format: "%04d-%02d", m / 12, m % 12 + 1)
        case .monthStart, .monthEnd:
            let n = Int(v), y = n / 12, m = n % 12 + 1
            return String(format: "%04d-%02d-%02d", y, m, format == .monthStart ? 1 : Self.lastDay(year: y, month: m))
        case .date: let (y, m, d) = Self.civil(Int(v)); return String(format: "%04d-%02d-%02d", y, m, d)
        case .dateTime:
            let s = Int(v), (y, m, d) = Self.civil(s / 86400), r = s % 86400
            return String(format: "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, r / 3600, r / 60 % 60, r % 60)
        case .number: return v == v.rounded() ? String(Int(v)) : String(v)
        }
    }
}

/// The positive steps between consecutive time labels, as a multiset: each distinct step with its
/// count while there are few (a time axis has one or a handful), every step in a list once there
/// are many. The smallest, the test over all and the median are those of the list of every step.
struct TimeSteps {
    private var counts: [Double: Int] = [:]
    private var list: [Double]? = nil
    /// Distinct steps counted before switching to the list.
    static let distinctLimit = 1024

    mutating func append(_ d: Double) {
        if list != nil { list!.append(d); return }
        counts[d, default: 0] += 1
        if counts.count > Self.distinctLimit {
            list = counts.flatMap { repeatElement($0.key, count: $0.value) }
            counts = [:]
        }
    }

    var smallest: Double? { list?.min() ?? counts.keys.min() }

    func allSatisfy(_ p: (Double) -> Bool) -> Bool { list?.allSatisfy(p) ?? counts.keys.allSatisfy(p) }

    /// Element count / 2 of the steps in ascending order (nil steps: not asked for).
    var median: Double {
        if let list { return list.sorted()[list.count / 2] }
        let n = counts.values.reduce(0, +)
        var seen = 0
        for d in counts.keys.sorted() {
            seen += counts[d]!
            if seen > n / 2 { return d }
        }
        preconditionFailure("the median of no steps")
    }
}
