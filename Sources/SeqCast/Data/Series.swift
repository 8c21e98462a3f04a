// Series: loaded time series (one or many, e.g. one per id in long format), their channel
// names (targets first, then covariates), time labels, and the missing-value policies.

/// What to do with missing cells (empty, NA, NaN, null).
public enum MissingPolicy: String, Codable, Sendable, CaseIterable {
    /// Stop with the file, row and column of the first gap.
    case error
    /// Linear inside a series, nearest value at the ends (the default).
    case interpolate
    /// Carry the last value forward (the first value backward at the start).
    case ffill
    /// Keep the gaps and drop every window that touches one.
    case drop
}
extension MissingPolicy {
    /// What training notes of `count` missing values under this policy (one model or one per series).
    public func trainingNote(_ count: Int) -> String {
        "\(count) missing values " + (self == .drop ? "left as gaps; windows touching them dropped" : "filled (\(rawValue))")
    }
}


/// One series: its id, time labels (empty if the data has none; stored compactly, TimeLabels.swift)
/// and values [steps, channels]. Under `.drop`, NaN marks the gaps.
public struct Series: Sendable, Equatable {
    public var id: String
    public var time: TimeLabels
    public var matrix: SeriesMatrix
    /// The cells that were missing and filled (interpolate / ffill), as `step * channels + channel`,
    /// ascending: a backtest does not score a filled target as an actual, and refills a gap that
    /// runs into a forecast origin from the rows before it (`causal(at:)`).
    public var filled: [Int] = []

    public init(id: String, time: TimeLabels, matrix: SeriesMatrix) {
        self.id = id; self.time = time; self.matrix = matrix
    }

    public init(id: String, time: [String], matrix: SeriesMatrix) {
        self.init(id: id, time: TimeLabels(time), matrix: matrix)
    }

    public var length: Int { matrix.steps }

    /// The filled cells in rows `rows`, as (row, channel), in order.
    public func filledCells(rows: Range<Int>) -> [(row: Int, channel: Int)] {
        let C = matrix.channels, first = rows.lowerBound * C, end = rows.upperBound * C
        var lo = 0, hi = filled.count   // the first cell ≥ first
        while lo < hi {
            let mid = (lo + hi) / 2
            if filled[mid] < first { lo = mid + 1 } else { hi = mid }
        }
        return filled[lo...].prefix { $0 < end }.map { ($0 / C, $0 % C) }
    }

    /// The first row of channel `c` that was not filled (a value of the file); `length` when none.
    public func firstObserved(channel c: Int) -> Int {
        var t = 0
        while t < length, filledCells(rows: t..<(t + 1)).contains(where: { $0.channel == c }) { t += 1 }
        return t
    }

    /// The series as it would have been filled with nothing known from `origin` on: a gap that
    /// runs into the origin (row origin − 1 filled) was interpolated towards a value at or after
    /// it, which a forecast made at the origin cannot know; its rows before the origin carry the
    /// last value before the gap instead (what interpolation does at a series' end). Other gaps
    /// are filled from values before them either way. A channel with no value before the gap (a
    /// gap from the first row) is left as it was: the backtest refuses a column with no value
    /// before its first origin (`BacktestJob.prepare`). `self` when nothing changes.
    public func causal(at origin: Int) -> Series {
        guard origin > 0, origin <= length else { return self }
        let touching = filledCells(rows: (origin - 1)..<origin)
        guard !touching.isEmpty else { return self }
        var s = self
        let C = matrix.channels
        for (_, c) in touching {
            var start = origin - 1   // the gap's first row
            while start > 0, filledCells(rows: (start - 1)..<start).contains(where: { $0.channel == c }) { start -= 1 }
            guard start > 0 else { continue }
            let last = matrix[start - 1, c]
            for t in start..<origin { s.matrix.values[t * C + c] = last }
        }
        return s
    }
}

/// What to read from a file: column or dataset selection and the missing-value policy.
/// Stored with a model so `forecast` reads new data the same way.
public struct DataSelection: Codable, Sendable, Equatable {
    /// Target columns; nil = every numeric column but the time, id and covariate columns.
    public var targets: [String]?
    /// Extra input columns (not predicted).
    public var covariates: [String] = []
    public var timeColumn: String?
    public var idColumn: String?
    /// HDF5 series mode: the dataset holding [steps], [steps, dim] or [batch, steps, dim].
    public var dataset: String?
    public var missing: MissingPolicy = .interpolate

    public init() {}
}

extension DataSelection {
    /// The selection with column names that a comma split apart put back together: the CLI splits
    /// `--target "Sales, EUR"` into "Sales" and "EUR". Where a name is not a column but it and the
    /// names after it, joined by ", " or ",", are one, they are taken as that column (the longest
    /// such run first).
    public func rejoiningCommas(columns: [String]) -> DataSelection {
        var s = self
        s.targets = targets.map { Self.rejoined($0, columns: columns) }
        s.covariates = Self.rejoined(covariates, columns: columns)
        return s
    }

    static func rejoined(_ names: [String], columns: [String]) -> [String] {
        let known = Set(columns)
        var out: [String] = [], i = 0
        while i < names.count {
            var name = names[i], next = i + 1
            if !known.contains(name) {
                search: for j in stride(from: names.count, through: i + 2, by: -1) {
                    for separator in [", ", ","] where known.contains(names[i..<j].joined(separator: separator)) {
                        name = names[i..<j].joined(separator: separator); next = j
                        break search
                    }
                }
            }
            out.append(name); i = next
        }
        return out
    }

    /// Refuses a selection that names one column twice or a column the file names twice: a column
    /// that is both a target and a covariate (fed in twice), or a selected name that two columns of
    /// `header` carry (which of them was meant, and the output's rows could not tell them apart).
    static func checkDistinct(targets: [Int], covariates: [Int], header: [String], path: String) throws(DataError) {
        if let c = covariates.first(where: targets.contains) {
            throw .ambiguousColumn(path: path, column: header[c], why: "is both a target and a covariate; name it in one of --target and --covariates")
        }
        for c in targets + covariates {
            let same = header.indices.filter { header[$0] == header[c] }
            if same.count > 1 {
                throw .ambiguousColumn(path: path, column: header[c],
                                       why: "names \(same.count) columns (\(same.map { String($0 + 1) }.joined(separator: ", ")) of the header); give each its own name")
            }
        }
    }
}

/// Every series read from one source, with channel names (targets first, then covariates).
public struct SeriesCollection: Sendable {
    public var source: String
    public var channels: [String]
    public var targetCount: Int
    public var series: [Series]
    public var timeAxis: TimeAxis?
    /// Missing values that were filled (interpolate / ffill) or left as gaps (drop).
    public var missingCount: Int
    /// What the reader decided that the user should know (columns left out, rows reordered, gaps filled).
    public var notes: [String]

    public init(source: String, channels: [String], targetCount: Int, series: [Series], timeAxis: TimeAxis?,
                missingCount: Int, notes: [String] = []) {
        self.source = source; self.channels = channels; self.targetCount = targetCount; self.series = series
        self.timeAxis = timeAxis; self.missingCount = missingCount; self.notes = notes
    }

    public var targetNames: [String] { Array(channels.prefix(targetCount)) }
}

/// Fills NaN gaps of each channel under `policy`; returns how many values were missing, and the
/// cells that were filled (`step * channels + channel`, ascending; none under `.drop`, which leaves
/// the NaN).
/// `.error` is enforced by the loaders (they know the row); here it fills nothing.
/// Throws when a channel has no value at all. Reads each channel in place (no list of its rows).
func fillMissing(_ m: inout SeriesMatrix, policy: MissingPolicy,
                 describe: (Int) -> String) throws(DataError) -> (count: Int, filled: [Int]) {
    var missing = 0, filled: [Int] = []
    let C = m.channels, steps = m.steps
    for c in 0..<C {
        var present = 0, first = -1, last = -1
        for t in 0..<steps where !m[t, c].isNaN {
            present += 1; last = t
            if first < 0 { first = t }
        }
        missing += steps - present
        if present == steps { continue }
        guard first >= 0 else {
            throw .emptyColumn(path: "", column: "", describe: describe(c))
        }
        if policy != .drop && policy != .error {
            for t in 0..<steps where m[t, c].isNaN { filled.append(t * C + c) }
        }
        switch policy {
        case .error, .drop:
            continue
        case .ffill:
            var carry = m[first, c]
            for t in 0..<steps {
                if m[t, c].isNaN { m.values[t * C + c] = carry } else { carry = m[t, c] }
            }
        case .interpolate:
            for t in 0..<first { m.values[t * C + c] = m[first, c] }
            for t in (last + 1)..<steps { m.values[t * C + c] = m[last, c] }
            // Each run of gaps between two present values, in order (filling a run leaves the rows after it as they were).
            var prev = first
            for t in (first + 1)..<(last + 1) where !m[t, c].isNaN {
                if t > prev + 1 {
                    let a = m[prev, c], b = m[t, c]
                    for u in (prev + 1)..<t {
                        let w = Float(u - prev) / Float(t - prev)
                        m.values[u * C + c] = a + (b - a) * w
                    }
                }
                prev = t
            }
        }
    }
    filled.sort()
    return (missing, filled)
}
