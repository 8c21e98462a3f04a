// CSVSeriesLoader: turns a CSV table into series — time column detection, target and covariate
// selection, long format (one series per id), number parsing with row/column errors, missing values.
import Foundation

/// Cell texts read as missing.
let missingTokens: Set<String> = ["", "NA", "N/A", "NaN", "nan", "NAN", "null", "NULL", "None", "na", "#N/A"]

/// Column names taken as the time column when none is named.
private let timeNames: Set<String> = ["date", "time", "ds", "timestamp", "datetime", "year", "quarter", "month",
                                      "week", "day", "period", "index"]

extension CSVTable {
    /// Reads series under `selection` (see DataSelection).
    public func series(_ selection: DataSelection) throws(DataError) -> SeriesCollection {
        let idCol = try selection.idColumn.map { name throws(DataError) in try column(name) }
        var timeCol = try selection.timeColumn.map { name throws(DataError) in try column(name) }
        if timeCol == nil {
            timeCol = header.indices.first { $0 != idCol && timeNames.contains(header[$0].lowercased()) }
                ?? header.indices.first { c in
                    c != idCol && !isNumeric(c) && TimeAxis.detect(column: header[c], labels: rows.prefix(50).map { $0[c] }) != nil
                }
        }
        let covariates = try selection.covariates.map { name throws(DataError) in try column(name) }
        let targets: [Int]
        if let names = selection.targets {
            targets = try names.map { name throws(DataError) in try column(name) }
        } else {
            targets = header.indices.filter { $0 != timeCol && $0 != idCol && !covariates.contains($0) && isNumeric($0) }
        }
        guard !targets.isEmpty else {
            throw .invalidArgument("\(path): no numeric target column; columns are: \(header.joined(separator: ", "))")
        }
        let channels = targets + covariates

        // Group rows by id (in order of first appearance); one group without an id column.
        var order: [String] = [], groups: [String: [Int]] = [:]
        for r in rows.indices {
            let id = idCol.map { rows[r][$0] } ?? ""
            if groups[id] == nil { order.append(id); groups[id] = [] }
            groups[id]!.append(r)
        }
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var result: [Series] = []
        var missing = 0
        for id in order {
            let rowIdx = groups[id]!
            var values = [Float](); values.reserveCapacity(rowIdx.count * channels.count)
            for r in rowIdx {
                for c in channels {
                    let cell = rows[r][c]
                    if missingTokens.contains(cell) {
                        if selection.missing == .error { throw .missingValue(path: path, row: lines[r], column: header[c]) }
                        values.append(.nan)
                        continue
                    }
                    guard let d = Double(cell), !d.isNaN else {
                        throw .nonNumericCell(path: path, row: lines[r], column: header[c], value: cell)
                    }
                    guard d.isFinite, abs(d) <= Double(Float.greatestFiniteMagnitude) else {
                        throw .invalidNumber(path: path, row: lines[r], column: header[c], value: cell)
                    }
                    values.append(Float(d))
                }
            }
            var m = SeriesMatrix(steps: rowIdx.count, channels: channels.count, values: values)
            let seriesName = idCol == nil ? stem : id
            missing += try fillMissing(&m, policy: selection.missing) { c in
                "\(path): column '\(header[channels[c]])'\(idCol == nil ? "" : " of series '\(id)'")"
            }
            result.append(Series(id: seriesName, time: timeCol.map { t in rowIdx.map { rows[$0][t] } } ?? [], matrix: m))
        }
        let axis = timeCol.flatMap { t in TimeAxis.detect(column: header[t], labels: result[0].time) }
        return SeriesCollection(source: path, channels: channels.map { header[$0] }, targetCount: targets.count,
                                series: result, timeAxis: axis, missingCount: missing)
    }

    /// A column is numeric when its first non-missing cell parses as a number.
    func isNumeric(_ c: Int) -> Bool {
        guard let cell = rows.lazy.map({ $0[c] }).first(where: { !missingTokens.contains($0) }) else { return false }
        return Double(cell) != nil
    }
}
