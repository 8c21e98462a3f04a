// Inspector: the text `seqcast inspect` prints for a CSV or HDF5 file. Column types are judged over
// the whole column; what the default selection would leave out or stop on is said in `note:` lines.
// Every name from the file is printed terminal-safe.
import Foundation

public enum Inspector {
    /// `selection`: the columns (or dataset) and id column `train` would be given; the series
    /// lines and notes follow it, the column table shows the whole file.
    public static func describe(_ path: String, selection: DataSelection = DataSelection()) throws(DataError) -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        return DataSource.isHDF5(path) ? try describeHDF5(path, selection: selection) : try describeCSV(path, selection: selection)
    }

    /// How the stop note names the selection.
    private static func selectionName(_ s: DataSelection) -> String {
        var d = s; d.missing = DataSelection().missing
        return d == DataSelection() ? "the default selection" : "this selection"
    }

    /// A column or dataset the user named (not the default selection) that the file lacks: an
    /// error of the inspect command itself, not a note about what train would do.
    private static func namesSomethingMissing(_ e: DataError, _ s: DataSelection) -> Bool {
        guard selectionName(s) != "the default selection" else { return false }
        switch e {
        case .missingDataset, .unknownColumn, .ambiguousColumn: return true
        default: return false
        }
    }

    /// Several series (long format, or an HDF5 batch): how many, their lengths and time spans, the
    /// shortest few; nil for one series.
    static func seriesLines(_ c: SeriesCollection, idColumn: String?) -> String? {
        guard c.series.count > 1 || idColumn != nil else { return nil }
        let lengths = c.series.map(\.length)
        let lo = lengths.min() ?? 0, hi = lengths.max() ?? 0
        var out = "series\(idColumn.map { " (id column '\(shown($0))')" } ?? ""): \(c.series.count), "
            + (lo == hi ? "\(lo) steps each" : "\(lo)–\(hi) steps")
        let labelled = c.series.filter { !$0.time.isEmpty }
        if !labelled.isEmpty {
            /// One label, or the earliest and latest of several (by the time axis, else as text).
            func span(_ labels: [String]) -> String {
                let distinct = Array(Set(labels))
                guard distinct.count > 1 else { return shown(labels[0], limit: 30) }
                let key: (String) -> Double? = { l in c.timeAxis.flatMap { TimeAxis.ordinal(l, $0.format) } }
                let sorted = distinct.sorted { a, b in
                    if let x = key(a), let y = key(b), x != y { return x < y }
                    return a < b
                }
                return "\(shown(sorted[0], limit: 30)) to \(shown(sorted[sorted.count - 1], limit: 30)) (\(distinct.count) different)"
            }
            out += "; starts \(span(labelled.map { $0.time[0] })), ends \(span(labelled.map { $0.time[$0.time.count - 1] }))"
        }
        out += "\n"
        if lo != hi {
            let shortest = c.series.indices.sorted { (lengths[$0], $0) < (lengths[$1], $1) }.prefix(3)
            out += "shortest: " + shortest.map { "'\(shown(c.series[$0].id, limit: 30))' \(lengths[$0]) steps" }.joined(separator: ", ")
                + (c.series.count > 3 ? ", …" : "") + "\n"
        }
        return out
    }

    static func describeCSV(_ path: String, selection: DataSelection) throws(DataError) -> String {
        let t = try CSVTable.read(path)
        let delimiter = t.delimiter == 9 ? "tab" : String(UnicodeScalar(t.delimiter))
        var out = "\(terminalSafe(path)): CSV, \(t.rowCount) rows, \(t.header.count) columns, delimiter '\(delimiter)'\n"
        // What the column lines show is read first: making the series lets go of the numbers.
        let header = t.header, rowCount = t.rowCount
        let columns = header.indices.map { c in ColumnFacts(t, c) }
        var notes: [String] = []
        var time: TimeAxis? = nil, season: String? = nil, series: String? = nil
        do {
            let c = try (consume t).series(selection.rejoiningCommas(columns: header))
            time = c.timeAxis; notes = c.notes; season = seasonLine(c); series = seriesLines(c, idColumn: selection.idColumn)
        } catch {
            if namesSomethingMissing(error, selection) { throw error }
            notes.append("with \(selectionName(selection)), train would stop: \(error)")
        }
        if let series { out += series }
        if let time { out += timeLine(time) }
        if let season { out += season + "\n" }
        out += "column".padding(toLength: 16, withPad: " ", startingAt: 0) + "type      missing          min          max         mean\n"
        for (name, f) in zip(header, columns) {
            let p = f.profile
            let missing = rowCount - p.present
            let safe = terminalSafe(name)
            let label = safe.count > 15 ? String(safe.prefix(14)) + "…" : safe
            var line = label.padding(toLength: 16, withPad: " ", startingAt: 0)
            if name == time?.column {
                line += "time".padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: "%9d", missing)
                line += "  \(shown(f.first, limit: 30)) … \(shown(f.last, limit: 30))"
            } else if p.isMostlyNumeric {
                let s = f.stats
                let mean = s.sum / Double(max(s.count, 1))
                line += "numeric " + String(format: "%9d %12.6g %12.6g %12.6g", missing, s.min, s.max, mean)
                if let bad = f.firstBad {
                    line += "  \(p.present - p.numeric) not numbers (first: row \(bad.line), '\(shown(bad.text, limit: 30))')"
                }
            } else if p.isEmpty {
                line += "empty".padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: "%9d", missing)
            } else {
                line += "text".padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: "%9d", missing)
                line += "  \(f.distinct(rowCount)) distinct"
            }
            out += line + "\n"
        }
        for n in notes { out += "note: \(terminalSafe(n))\n" }
        return out
    }

    /// The season `--season auto` takes for the default selection when the time column gives none (from the first series' first
    /// `seasonRows` rows at most, so a long file's autocorrelation scan stays short), and, where a
    /// yearly axis has none, the first target's cycle if it has one (README, "Cycles").
    static func seasonLine(_ c: SeriesCollection) -> String? {
        // A calendar period is already on the time column's line.
        guard c.timeAxis?.seasonalPeriod == nil, let s = c.series.first, s.length > 0, c.targetCount > 0 else { return nil }
        let rows = min(s.length, seasonRows)
        let (m, source) = Baselines.season(of: c, before: rows)
        var line = "season (--season auto): \(m) (\(source))"
        if m == 1, c.timeAxis?.isYearly == true, let p = Baselines.detectSeason(s.matrix, channel: 0, range: 0..<rows) {
            line += "; '\(shown(c.channels[0]))' has an autocorrelation peak at lag \(p): a cycle, which the network forecasts alone where the series reverts to its mean"
        }
        return line
    }

    /// Rows of the first series the season line reads at most.
    static let seasonRows = 50_000

    /// What a column's line shows, read from the table before its series are made.
    private struct ColumnFacts {
        let profile: ColumnProfile
        let stats: NumberStats
        /// The first and last cells' texts (a time column's range).
        let first: String, last: String
        /// A numeric column's first cell that is not a number: its file line and text.
        let firstBad: (line: Int, text: String)?
        /// A text column's cells (kept whole: the series let go of numbers only).
        let texts: CSVColumn?

        init(_ t: CSVTable, _ c: Int) {
            profile = t.profile(c); stats = t.columns[c].stats
            first = t.text(0, c); last = t.text(t.rowCount - 1, c)
            let numeric = profile.isMostlyNumeric
            firstBad = numeric ? profile.firstBad.map { (t.line($0), t.text($0, c)) } : nil
            texts = numeric || profile.isEmpty ? nil : t.columns[c]
        }

        /// How many distinct texts the first `rows` cells hold (only asked of a text column that is
        /// not the time column).
        func distinct(_ rows: Int) -> Int { texts.map { t in Set((0..<rows).lazy.map { t.text($0) }).count } ?? 0 }
    }

    /// The time axis line of CSV and HDF5 files alike.
    static func timeLine(_ time: TimeAxis) -> String {
        "time column '\(shown(time.column))': \(time.frequencyName)\(time.seasonalPeriod.map { ", seasonal period \($0)" } ?? "")\n"
    }

    static func describeHDF5(_ path: String, selection requested: DataSelection) throws(DataError) -> String {
        let f = try HDF5File.open(path)
        var out = "\(terminalSafe(path)): HDF5\n"
        for (k, v) in try f.attributes(of: "/") { out += "  @\(terminalSafe(k)) = \(short(v))\n" }
        for name in try f.datasetNames() {
            let i = try f.info(name)
            out += "\(terminalSafe(name)): \(i.type) [\(i.shape.map(String.init).joined(separator: ", "))]\n"
            for (k, v) in i.attributes { out += "  @\(terminalSafe(k)) = \(short(v))\n" }
        }
        // The series a default `train` reads (not a model's or a backtest's file), with statistics
        // per channel as for a CSV.
        let names = try f.datasetNames()
        guard !names.contains("manifest"), !names.contains("forecast"), !names.contains("actual"),
              let dataset = try? f.seriesDatasetName(requested.dataset) else { return out }
        let c: SeriesCollection
        var selection = requested; selection.missing = .drop   // missing values stay missing, to be counted
        do { c = try DataSource.load(path, selection: selection) } catch {
            if namesSomethingMissing(error, requested) { throw error }
            return out + "note: with \(selectionName(requested)), train would stop: \(terminalSafe("\(error)"))\n"
        }
        let lengths = c.series.map(\.length)
        out += "series (dataset '\(terminalSafe(dataset))'): \(c.series.count) × \(lengths.min() == lengths.max() ? "\(lengths.first ?? 0)" : "\(lengths.min()!)–\(lengths.max()!)") steps; \(c.targetCount) target\(c.targetCount == 1 ? "" : "s")\(c.channels.count > c.targetCount ? ", \(c.channels.count - c.targetCount) covariate\(c.channels.count - c.targetCount == 1 ? "" : "s")" : "")\n"
        if let time = c.timeAxis { out += timeLine(time) }
        if let season = seasonLine(c) { out += season + "\n" }
        out += "channel".padding(toLength: 16, withPad: " ", startingAt: 0) + "role       missing          min          max         mean\n"
        for (j, name) in c.channels.enumerated() {
            var lo = Double.infinity, hi = -Double.infinity, sum = 0.0, n = 0, missing = 0
            for s in c.series { for t in 0..<s.length {
                let v = Double(s.matrix[t, j])
                if v.isNaN { missing += 1; continue }
                lo = min(lo, v); hi = max(hi, v); sum += v; n += 1
            } }
            let safe = terminalSafe(name), label = safe.count > 15 ? String(safe.prefix(14)) + "…" : safe
            out += label.padding(toLength: 16, withPad: " ", startingAt: 0) + (j < c.targetCount ? "target   " : "covariate")
                + String(format: "%9d %12.6g %12.6g %12.6g", missing, lo, hi, n > 0 ? sum / Double(n) : .nan) + "\n"
        }
        for n in c.notes { out += "note: \(terminalSafe(n))\n" }
        return out
    }

    private static func short(_ v: AttributeValue) -> String {
        let s = terminalSafe(v.description.replacingOccurrences(of: "\n", with: "\\n"))
        return s.count > 160 ? String(s.prefix(157)) + "…" : s
    }
}
