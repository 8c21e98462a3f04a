// Inspector: the text `seqcast inspect` prints for a CSV or HDF5 file.
import Foundation

public enum Inspector {
    public static func describe(_ path: String) throws(DataError) -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        return DataSource.isHDF5(path) ? try describeHDF5(path) : try describeCSV(path)
    }

    static func describeCSV(_ path: String) throws(DataError) -> String {
        let t = try CSVTable.read(path)
        let delimiter = t.delimiter == 9 ? "tab" : String(UnicodeScalar(t.delimiter))
        var out = "\(path): CSV, \(t.rows.count) rows, \(t.header.count) columns, delimiter '\(delimiter)'\n"
        let time = try? t.series(DataSelection()).timeAxis
        if let time { out += "time column '\(time.column)': \(time.frequencyName)\(time.seasonalPeriod.map { ", seasonal period \($0)" } ?? "")\n" }
        out += "column".padding(toLength: 16, withPad: " ", startingAt: 0) + "type      missing          min          max         mean\n"
        for (c, name) in t.header.enumerated() {
            let cells = t.rows.map { $0[c] }
            let missing = cells.filter { missingTokens.contains($0) }.count
            let numbers = cells.compactMap { missingTokens.contains($0) ? nil : Double($0) }
            let label = name.count > 15 ? String(name.prefix(14)) + "…" : name
            var line = label.padding(toLength: 16, withPad: " ", startingAt: 0)
            if name == time?.column {
                line += "time".padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: "%9d", missing)
                line += "  \(cells.first ?? "") … \(cells.last ?? "")"
            } else if t.isNumeric(c) && numbers.count == cells.count - missing {
                let mean = numbers.reduce(0, +) / Double(max(numbers.count, 1))
                line += "numeric " + String(format: "%9d %12.6g %12.6g %12.6g", missing, numbers.min() ?? .nan, numbers.max() ?? .nan, mean)
            } else {
                line += "text".padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: "%9d", missing)
                line += "  \(Set(cells).count) distinct"
            }
            out += line + "\n"
        }
        return out
    }

    static func describeHDF5(_ path: String) throws(DataError) -> String {
        let f = try HDF5File.open(path)
        var out = "\(path): HDF5\n"
        for (k, v) in try f.attributes(of: "/") { out += "  @\(k) = \(short(v))\n" }
        for name in try f.datasetNames() {
            let i = try f.info(name)
            out += "\(name): \(i.type) [\(i.shape.map(String.init).joined(separator: ", "))]\n"
            for (k, v) in i.attributes { out += "  @\(k) = \(short(v))\n" }
        }
        return out
    }

    private static func short(_ v: AttributeValue) -> String {
        let s = v.description.replacingOccurrences(of: "\n", with: "\\n")
        return s.count > 160 ? String(s.prefix(157)) + "…" : s
    }
}
