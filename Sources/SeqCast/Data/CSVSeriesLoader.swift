// CSVSeriesLoader: turns a CSV table into series — time column detection, target and covariate
// selection, long format (one series per id), number parsing with row/column errors, missing values.
// Column types are decided over the whole column (ColumnProfile); time labels, their order and gaps
// are checked over the whole column too. What is decided silently (columns left out as text, rows
// put in time order, missing periods filled) is said in the collection's `notes`.
import Foundation

/// Column names taken as the time column when none is named.
let timeNames: Set<String> = ["date", "time", "ds", "timestamp", "datetime", "year", "quarter", "month",
                                      "week", "day", "period", "index"]

extension CSVTable {
    /// Type evidence for column `c` over every row (counted as the file was read).
    public func profile(_ c: Int) -> ColumnProfile { columns[c].profile }

    /// A selected column must hold numbers: mostly-numeric ones pass (their bad cells are reported
    /// with row and column when read); text and empty columns are errors saying why.
    private func requireNumeric(_ c: Int, _ p: ColumnProfile) throws(DataError) {
        if p.isMostlyNumeric { return }
        throw .notNumericColumn(path: path, column: header[c], numeric: p.numeric, present: p.present,
                                example: p.firstBad.map { (line($0), text($0, c)) })
    }

    /// Reads series under `selection` (see DataSelection). A time or id column named in `selection`
    /// must have been read with its text kept (`keepingText: .named`, as DataSource.load does).
    /// Consumes the table: the numeric columns' chunks are let go of as they are copied into the
    /// series (a file without an id column), so when the caller gave up the table (DataSource.load:
    /// `CSVTable.read(…).series(…)`) the columns and the series are never held whole together.
    public consuming func series(_ selection: DataSelection) throws(DataError) -> SeriesCollection {
        let selection = selection.rejoiningCommas(columns: header)
        var notes: [String] = []
        let profiles = header.indices.map(profile)
        let idCol = try selection.idColumn.map { name throws(DataError) in try column(name) }
        var timeCol = try selection.timeColumn.map { name throws(DataError) in try column(name) }
        let timeNamed = timeCol != nil
        if timeCol == nil {
            timeCol = header.indices.first { $0 != idCol && timeNames.contains(header[$0].lowercased()) }
                ?? header.indices.first { c in
                    c != idCol && !profiles[c].isMostlyNumeric
                        && TimeAxis.detect(column: header[c], labels: (0..<min(50, rowCount)).map { text($0, c) }) != nil
                }
        }
        let covariates = try selection.covariates.map { name throws(DataError) in try column(name) }
        let targets: [Int]
        if let names = selection.targets {
            targets = try names.map { name throws(DataError) in try column(name) }
        } else {
            let candidates = header.indices.filter { $0 != timeCol && $0 != idCol && !covariates.contains($0) }
            targets = candidates.filter { profiles[$0].isMostlyNumeric }
            for c in candidates where profiles[c].isEmpty {
                // An all-missing column is not "text": leaving it out would train on the wrong columns.
                throw .emptyColumn(path: path, column: header[c], describe: nil)
            }
            let textColumns = candidates.filter { !profiles[$0].isMostlyNumeric }
            if !textColumns.isEmpty, !targets.isEmpty {
                let what = textColumns.map { c in
                    let bad = profiles[c].firstBad!
                    return "'\(shown(header[c], limit: 40))' (row \(line(bad)): '\(shown(text(bad, c), limit: 30))')"
                }
                notes.append("\(path): text column\(textColumns.count == 1 ? "" : "s") left out (not numbers): \(what.prefix(10).joined(separator: ", "))\(textColumns.count > 10 ? ", … (\(textColumns.count - 10) more)" : "")")
            }
        }
        guard !targets.isEmpty else {
            // Numbers written with decimal commas ("112,5") read as text: say so, for the first such column.
            for c in header.indices where c != timeCol && c != idCol {
                guard let bad = profiles[c].firstBad else { continue }
                if isDecimalComma(text(bad, c)) { try requireNumeric(c, profiles[c]) }
            }
            throw .noNumericTarget(path: path, columns: header)
        }
        try DataSelection.checkDistinct(targets: targets, covariates: covariates, header: header, path: path)
        for c in targets + covariates { try requireNumeric(c, profiles[c]) }
        let channels = targets + covariates

        // Group rows by id (in order of first appearance); one group (every row) without an id column.
        var order: [String] = [""], groups: [String: RowList] = ["": .all(rowCount)]
        if let idCol {
            order = []; groups = [:]
            for r in 0..<rowCount {
                let id = text(r, idCol)
                if groups[id] == nil { order.append(id); groups[id] = .list([]) }
                groups[id]!.append(r)
            }
        }

        // The time column: every label must follow one format; then order and gaps, per series.
        // Labels are read from the column's bytes, their positions on the axis from its compact labels.
        var timeUsable = false
        var timeFormat = TimeFormat.number
        if let t = timeCol, let (format, firstBad) = TimeAxis.classify(ColumnLabels(columns[t])) {
            timeFormat = format
            if let bad = firstBad {
                if timeNamed {
                    let value = text(bad, t)
                    if missingTokens.contains(value) {
                        throw .badTimeLabel(path: path, row: line(bad), column: header[t], value: value,
                                            format: "the time is missing")
                    }
                    throw .badTimeLabel(path: path, row: line(bad), column: header[t], value: value,
                                        format: "the others are \(TimeAxis.example(format))")
                }
                notes.append("\(path): row \(line(bad)): '\(shown(text(bad, t), limit: 30))' in column '\(shown(header[t]))' is not a time like the others (\(TimeAxis.example(format))); reading without a time axis (name it with --time-column to make this an error)")
            } else {
                timeUsable = true
            }
        } else if let t = timeCol {
            guard !timeNamed else {
                throw .badTimeLabel(path: path, row: line(0), column: header[t], value: text(0, t),
                                    format: "expected a year, 1970-Q1, 1949-01, 1958-03-29, 2020-01-01 13:00 or a number")
            }
            notes.append("\(path): column '\(shown(header[t]))' is named like a time column but holds no times (row \(line(0)): '\(shown(text(0, t), limit: 30))'); reading without a time axis")
        }
        let ordinals = timeCol.map { TimePositions(columns[$0], format: timeFormat) }
        if timeUsable, let t = timeCol, let ordinals {
            if idCol == nil { try detectLongFormat(ordinals: ordinals, time: t, profiles: profiles) }
            let inFileOrder = groups
            ordering: for id in order {
                let rowIdx = groups[id]!
                let o = { (i: Int) in ordinals[rowIdx[i]] }
                let series = idCol == nil ? nil : id
                if rowIdx.count >= 2, (1..<rowIdx.count).allSatisfy({ o($0) < o($0 - 1) }) {
                    groups[id] = rowIdx.reversedRows()
                    notes.append("\(path): \(series.map { "series '\(shown($0))': " } ?? "")rows are newest first (row \(line(rowIdx[0])): '\(shown(text(rowIdx[0], t), limit: 30))'); read in reverse, oldest first")
                    continue
                }
                for i in 1..<max(rowIdx.count, 1) where o(i) <= o(i - 1) {
                    let r = rowIdx[i], prev = rowIdx[i - 1]
                    let idHint = idCol == nil ? idCandidate(at: r, time: t, profiles: profiles) : nil
                    // A plain year or number column found by its name (e.g. 'year' beside 'month') may
                    // not be the time axis at all: say so and read without one, rather than refuse.
                    if !timeNamed, idHint == nil, timeFormat == .year || timeFormat == .number {
                        notes.append("\(path): row \(line(r)): column '\(shown(header[t]))' \(o(i) == o(i - 1) ? "repeats" : "goes back to") '\(shown(text(r, t), limit: 30))', so it is not read as the time axis (name it with --time-column to make this an error)")
                        timeUsable = false
                        groups = inFileOrder
                        notes.removeAll { $0.contains("rows are newest first") }
                        break ordering
                    }
                    throw .timeOrder(path: path, row: line(r), column: header[t], value: text(r, t), previous: text(prev, t),
                                     duplicate: o(i) == o(i - 1), series: series, idHint: idHint)
                }
            }
        }
        let axis = timeUsable ? TimeAxis.detect(column: header[timeCol!], labels: ColumnLabels(columns[timeCol!], rows: groups[order[0]]!)) : nil
        // The first series sets the step for all; one on another step is refused, not read on it
        // (a monthly series after a quarterly one was forecast in quarters, with season 4).
        if let axis, let t = timeCol, idCol != nil {
            for id in order.dropFirst() {
                guard let own = TimeAxis.detect(column: header[t], labels: ColumnLabels(columns[t], rows: groups[id]!)),
                      !own.sameFrequency(as: axis) else { continue }
                throw .mixedFrequency(path: path, column: header[t], first: order[0], firstFrequency: axis.frequencyName,
                                      series: id, frequency: own.frequencyName)
            }
        }

        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var result: [Series] = []
        var missing = 0
        // Numeric columns that are not read from here on are let go now; in a file read as one
        // series row after row (no id column), so is each chunk of the selected ones once its rows
        // are copied, and the freed memory is handed back every 4 MiB or so (glibc keeps it otherwise).
        let kept = [timeCol, idCol].compactMap { $0 }   // read again below (labels, messages)
        for c in header.indices where !channels.contains(c) && !kept.contains(c) { columns[c].releaseNumbers(chunkOf: nil) }
        let releasing = idCol == nil   // one series: every row in file order, or newest first
        let released = Array(Set(channels).subtracting(kept))
        let trimEvery = max(1, 16 / max(1, released.count))   // chunks of 256 KiB each
        var chunksDone = 0
        for id in order {
            let rowIdx = groups[id]!
            var values = [Float](); values.reserveCapacity(rowIdx.count * channels.count)
            for i in rowIdx.indices {
                let r = rowIdx[i]
                for c in channels {
                    let cell: String
                    switch columns[c].cell(r) {
                    case .number(let x): values.append(x); continue
                    case .text(let s): cell = s
                    }
                    if missingTokens.contains(cell) {
                        if selection.missing == .error { throw .missingValue(path: path, row: line(r), column: header[c]) }
                        values.append(.nan)
                        continue
                    }
                    guard let d = Double(cell), !d.isNaN else {
                        throw .nonNumericCell(path: path, row: line(r), column: header[c], value: cell)
                    }
                    // Out of Float range both ways: too large, or so small it would be read as 0.
                    guard d.isFinite, abs(d) <= Double(Float.greatestFiniteMagnitude), d == 0 || Float(d) != 0 else {
                        throw .invalidNumber(path: path, row: line(r), column: header[c], value: cell)
                    }
                    values.append(Float(d))
                }
                if releasing, i + 1 == rowIdx.count || FloatChunks.chunk(rowIdx[i + 1]) != FloatChunks.chunk(r) {
                    for c in released { columns[c].releaseNumbers(chunkOf: r) }
                    chunksDone += 1
                    if chunksDone % trimEvery == 0 { MemoryBudget.returnFreedMemory() }
                }
            }
            var steps = rowIdx.count
            var gaps: [(at: Int, periods: Int)] = []
            if let axis, let t = timeCol, let ordinals {
                let filled = try fillGaps(axis: axis, rowIdx: rowIdx, ordinals: ordinals, values: values,
                                          channels: channels.count, time: t, policy: selection.missing,
                                          series: idCol == nil ? nil : id)
                if let filled {
                    values = filled.values; gaps = filled.gaps; steps = values.count / channels.count
                    notes.append(filled.note)
                }
            }
            let time = timeCol.map { t in
                timeUsable ? axisLabels(rowIdx, time: t, format: timeFormat, ordinals: ordinals!, axis: axis, gaps: gaps)
                    : columns[t].texts(rowIdx)
            } ?? []
            var m = SeriesMatrix(steps: steps, channels: channels.count, values: consume values)
            let seriesName = idCol == nil ? stem : id
            let fill = try fillMissing(&m, policy: selection.missing) { c in
                "\(path): column '\(shown(header[channels[c]]))'\(idCol == nil ? "" : " of series '\(shown(id))'")"
            }
            missing += fill.count
            var series = Series(id: seriesName, time: time, matrix: m)
            series.filled = fill.filled
            result.append(series)
        }
        return SeriesCollection(source: path, channels: channels.map { header[$0] }, targetCount: targets.count,
                                series: result, timeAxis: axis, missingCount: missing, notes: notes)
    }

    /// A column is numeric when every present cell parses as a number.
    func isNumeric(_ c: Int) -> Bool { profile(c).isNumeric }

    /// Text columns that could hold series ids: not mostly numbers, fewer distinct values than half the rows.
    private func idCandidates(time: Int, profiles: [ColumnProfile]) -> [Int] {
        header.indices.filter { c in
            c != time && !profiles[c].isMostlyNumeric && !profiles[c].isEmpty
                && Set((0..<rowCount).lazy.map { text($0, c) }).count * 2 <= rowCount
        }
    }

    /// Long format read as one series: the time restarts exactly where a text column changes value,
    /// and nowhere else. Refuses, suggesting --id-column.
    private func detectLongFormat(ordinals: TimePositions, time: Int, profiles: [ColumnProfile]) throws(DataError) {
        let restarts = (0..<rowCount).dropFirst().filter { ordinals[$0] <= ordinals[$0 - 1] }
        guard let first = restarts.first else { return }
        for c in idCandidates(time: time, profiles: profiles) {
            let changes = (0..<rowCount).dropFirst().filter { text($0, c) != text($0 - 1, c) }
            if changes == restarts {
                throw .longFormat(path: path, idColumn: header[c], row: line(first), first: text(first - 1, c), second: text(first, c))
            }
        }
    }

    /// An id column that would explain a time-order problem at row index `r`: a text column with
    /// few distinct values whose value changes there.
    private func idCandidate(at r: Int, time: Int, profiles: [ColumnProfile]) -> String? {
        guard r > 0 else { return nil }
        return idCandidates(time: time, profiles: profiles).first { text(r, $0) != text(r - 1, $0) }.map { header[$0] }
    }

    /// Missing periods of a regular time axis: with `.error` the first is an error naming its row;
    /// otherwise rows of NaN are inserted (their labels by `axisLabels`) for the missing-value policy
    /// to fill or, under `.drop`, leave as gaps. Nil when the series has no gaps.
    private func fillGaps(axis: TimeAxis, rowIdx: RowList, ordinals: TimePositions, values: [Float], channels: Int,
                          time t: Int, policy: MissingPolicy, series: String?)
        throws(DataError) -> (values: [Float], gaps: [(at: Int, periods: Int)], note: String)? {
        guard axis.step > 0, rowIdx.count >= 2 else { return nil }
        var gaps: [(at: Int, periods: Int)] = []   // position i in rowIdx: periods missing before it
        var total = 0
        for i in 1..<rowIdx.count {
            let ratio = (ordinals[rowIdx[i]] - ordinals[rowIdx[i - 1]]) / axis.step
            let k = ratio.rounded()
            guard abs(ratio - k) < 1e-6, k >= 2 else { continue }   // irregular steps are left as they are
            guard k < Double(Int32.max) else { total = .max; gaps.append((i, .max)); break }
            gaps.append((i, Int(k) - 1)); total += Int(k) - 1
        }
        guard let first = gaps.first else { return nil }
        let r = rowIdx[first.at], prev = rowIdx[first.at - 1]
        if policy == .error || total > 10 * rowIdx.count + 100 {
            if policy != .error {
                throw .implausibleGap(path: path, row: line(r), series: series, column: header[t], periods: first.periods,
                                      after: text(prev, t), value: text(r, t), total: total)
            }
            throw .timeGap(path: path, row: line(r), column: header[t], after: text(prev, t), value: text(r, t),
                           periods: first.periods, series: series)
        }
        var out = [Float]()
        out.reserveCapacity((rowIdx.count + total) * channels)
        var g = 0
        for i in rowIdx.indices {
            if g < gaps.count, gaps[g].at == i {
                out.append(contentsOf: repeatElement(Float.nan, count: channels * gaps[g].periods))
                g += 1
            }
            out.append(contentsOf: values[(i * channels)..<((i + 1) * channels)])
        }
        let how = policy == .drop ? "left as gaps (--missing drop)" : "filled (--missing \(policy.rawValue))"
        let note = "\(path): \(series.map { "series '\(shown($0))': " } ?? "")\(total) missing \(axis.frequencyName) period\(total == 1 ? "" : "s") in \(gaps.count) gap\(gaps.count == 1 ? "" : "s") (first: row \(line(r)), after '\(shown(text(prev, t), limit: 30))'); inserted and \(how)"
        return (out, gaps, note)
    }

    /// The time labels of rows `rowIdx` (positions `ordinals` on `format`'s axis), with the labels
    /// of the periods `fillGaps` inserted: `axis.label` of each, as they were always written.
    private func axisLabels(_ rowIdx: RowList, time t: Int, format: TimeFormat, ordinals: TimePositions, axis: TimeAxis?,
                            gaps: [(at: Int, periods: Int)]) -> TimeLabels {
        var labels = TimeLabels.Builder(format: format)
        var g = 0
        for (i, r) in rowIdx.enumerated() {
            if let axis, g < gaps.count, gaps[g].at == i {
                let base = ordinals[rowIdx[i - 1]]
                for j in 1...gaps[g].periods {
                    var text = axis.label(base + Double(j) * axis.step)
                    text.withUTF8 { labels.append($0, position: TimeAxis.ordinal(utf8: $0, format)) }
                }
                g += 1
            }
            columns[t].withText(r) { labels.append($0, position: ordinals[r]) }
        }
        return labels.finished()
    }
}
