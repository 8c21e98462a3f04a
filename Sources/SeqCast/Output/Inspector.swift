// Inspector: the text `seqcast inspect` prints for a CSV or HDF5 file. Column types are judged over
// the whole column; what the default selection would leave out or stop on is said in `note:` lines.
// Every name from the file is printed terminal-safe.
import Foundation

public enum Inspector {
    public static func describe(_ path: String) throws(DataError) -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        return DataSource.isHDF5(path) ? try describeHDF5(path) : try describeCSV(path)
    }

    static func describeCSV(_ path: String) throws(DataError) -> String {
        let t = try CSVTable.read(path)
        let delimiter = t.delimiter == 9 ? "tab" : String(UnicodeScalar(t.delimiter))
        var out = "\(terminalSafe(path)): CSV, \(t.rowCount) rows, \(t.header.count) columns, delimiter '\(delimiter)'\n"
        var notes: [String] = []
        var time: TimeAxis? = nil
        do { let c = try t.series(DataSelection()); time = c.timeAxis; notes = c.notes } catch {
            notes.append("with the default selection, train would stop: \(error)")
        }
        if let time { out += "time column '\(shown(time.column))': \(time.frequencyName)\(time.seasonalPeriod.map { ", seasonal period \($0)" } ?? "")\n" }
        out += "column".padding(toLength: 16, withPad: " ", startingAt: 0) + "type      missing          min          max         mean\n"
        for (c, name) in t.header.enumerated() {
            let p = t.profile(c)
            let missing = t.rowCount - p.present
            let safe = terminalSafe(name)
            let label = safe.count > 15 ? String(safe.prefix(14)) + "…" : safe
            var line = label.padding(toLength: 16, withPad: " ", startingAt: 0)
            if name == time?.column {
                line += "time".padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: "%9d", missing)
                line += "  \(shown(t.text(0, c), limit: 30)) … \(shown(t.text(t.rowCount - 1, c), limit: 30))"
            } else if p.isMostlyNumeric {
                let s = t.columns[c].stats
                let mean = s.sum / Double(max(s.count, 1))
                line += "numeric " + String(format: "%9d %12.6g %12.6g %12.6g", missing, s.min, s.max, mean)
                if let bad = p.firstBad {
                    line += "  \(p.present - p.numeric) not numbers (first: row \(t.line(bad)), '\(shown(t.text(bad, c), limit: 30))')"
                }
            } else if p.isEmpty {
                line += "empty".padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: "%9d", missing)
            } else {
                line += "text".padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: "%9d", missing)
                line += "  \(Set((0..<t.rowCount).lazy.map { t.text($0, c) }).count) distinct"
            }
            out += line + "\n"
        }
        for n in notes { out += "note: \(terminalSafe(n))\n" }
        return out
    }

    static func describeHDF5(_ path: String) throws(DataError) -> String {
        let f = try HDF5File.open(path)
        var out = "\(terminalSafe(path)): HDF5\n"
        for (k, v) in try f.attributes(of: "/") { out += "  @\(terminalSafe(k)) = \(short(v))\n" }
        for name in try f.datasetNames() {
            let i = try f.info(name)
            out += "\(terminalSafe(name)): \(i.type) [\(i.shape.map(String.init).joined(separator: ", "))]\n"
            for (k, v) in i.attributes { out += "  @\(terminalSafe(k)) = \(short(v))\n" }
        }
        return out
    }

    private static func short(_ v: AttributeValue) -> String {
        let s = terminalSafe(v.description.replacingOccurrences(of: "\n", with: "\\n"))
        return s.count > 160 ? String(s.prefix(157)) + "…" : s
    }
}
