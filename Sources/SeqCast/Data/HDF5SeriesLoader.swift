// HDF5SeriesLoader: series mode (a [steps], [steps, dim] or [batch, steps, dim] dataset, each
// batch row a series) and supervised mode (pre-cut x [batch, steps, dim] and y [batch, K, out]),
// plus the writer used by `seqcast convert`.
//
// Layout seqcast writes (readable by h5py / h5dump): dataset `series`, float32,
// [steps, dim] for one series or [batch, steps, dim] for several of equal length; attributes
// `columns` (comma-separated channel names; a JSON array of strings when a name has a comma),
// `target_count` (the first that many columns are the targets, the rest covariates), and when the data has a time column `time_column`, `time_format`, `time_step`,
// and a string dataset `time` with the labels: [steps] when every series has the same ones, else
// [batch, steps] (series of equal length with different dates); `series_ids` (one per line; a
// JSON array when an id has a line break).

import Foundation

extension HDF5File {
    /// The dataset to read in series mode: the named one, else `series`, else the only one.
    func seriesDatasetName(_ requested: String?) throws(DataError) -> String {
        if let requested { return requested }
        let names = try datasetNames()
        if names.contains("series") { return "series" }
        let numeric = names.filter { $0 != "time" }
        if numeric.count == 1 { return numeric[0] }
        if numeric.isEmpty { throw .missingDataset(path: path, dataset: "series", available: names) }
        throw .ambiguousDataset(path: path, names: names)
    }

    /// The series a series-mode dataset holds, before any value is read: their ids (the
    /// `series_ids` attribute, else the batch row number, or the dataset's name for one series), the
    /// steps each has, and whether the dataset is [batch, steps, dim] (one series per batch row).
    public func seriesIds(_ selection: DataSelection) throws(DataError) -> (ids: [String], steps: Int, batched: Bool) {
        let name = try seriesDatasetName(selection.dataset)
        let shape = try declaredShape(name)
        let (batch, steps, _) = try seriesShape(name, shape)
        // One id (and, in a SeriesCatalog, one length) per batch row: a reserved-only or damaged file
        // of a few kB can declare 2^31 batch rows, whose ids alone were 32 GiB (a trap, not an error).
        _ = try checkedCount([batch], bytesPerElement: MemoryLayout<String>.size + MemoryLayout<Int>.size, name, declared: shape)
        let stored = try storedIds(name, batch: batch)
        return ((0..<batch).map { seriesId($0, of: batch, name, stored) }, steps, shape.count == 3)
    }

    /// Batch row b's id: the stored one, else its number (the dataset's name for a single series).
    private func seriesId(_ b: Int, of batch: Int, _ name: String, _ stored: [String]) -> String {
        b < stored.count ? stored[b] : (batch == 1 ? name : "\(b)")
    }

    private func seriesShape(_ name: String, _ shape: [Int]) throws(DataError) -> (batch: Int, steps: Int, dim: Int) {
        switch shape.count {
        case 1: return (1, shape[0], 1)
        case 2: return (1, shape[0], shape[1])
        case 3: return (shape[0], shape[1], shape[2])
        default: throw .wrongRank(path: path, dataset: name, rank: shape.count, expected: "1 [steps], 2 [steps, dim] or 3 [batch, steps, dim]")
        }
    }

    private func storedIds(_ name: String, batch: Int) throws(DataError) -> [String] {
        guard let text = try stringAttribute("series_ids", of: name) else { return [] }
        return HDF5List.decode(text, separator: "\n", count: batch)
    }

    /// Reads series (series mode) under `selection`. With `rows` (a [batch, steps, dim] dataset),
    /// only those batch rows are read — one hyperslab selection each, the other rows never touched —
    /// and returned in that order: how each rank of a per-series run reads only its own series.
    public func series(_ selection: DataSelection, rows: [Int]? = nil) throws(DataError) -> SeriesCollection {
        let name = try seriesDatasetName(selection.dataset)
        // Refuses a damaged or oversized shape (of the rows to read) before anything is built from it.
        let shape = try checkedShape(name, rows: rows?.count)
        let (batch, steps, dim) = try seriesShape(name, shape)
        if rows != nil && shape.count != 3 {
            throw .wrongRank(path: path, dataset: name, rank: shape.count, expected: "3 [batch, steps, dim] to read some of its series")
        }
        var attrs: [String: AttributeValue] = [:]   // the ones read, each by name
        for key in ["columns", "target_count", "time_format", "time_step", "time_column"] { attrs[key] = try attribute(key, of: name) }
        func string(_ k: String) -> String? { if case .string(let s)? = attrs[k] { return s }; return nil }
        func number(_ k: String) -> Double? { if case .numbers(let v)? = attrs[k], let x = v.first { return x }; return nil }
        // One name per channel: a shape with no values passes the memory check of the read, and the
        // names of [0, 79164837199872] (a damaged file found by `make fuzz`) were 1.2 PB (a trap).
        _ = try checkedCount([dim], bytesPerElement: MemoryLayout<String>.size, name, declared: shape)
        var columns = string("columns").map { HDF5List.decode($0, separator: ",", count: dim, omittingEmpty: false) } ?? []
        if columns.count != dim { columns = dim == 1 && shape.count == 1 ? [name] : (0..<dim).map { "v\($0)" } }
        if let n = number("target_count"), Int(exactly: n) == nil {
            throw .badAttribute(path: path, dataset: name, attribute: "target_count", problem: "is \(n), not a whole number of columns")
        }
        let storedTargets = number("target_count").flatMap { Int(exactly: $0) } ?? dim
        let selection = selection.rejoiningCommas(columns: columns)
        // Default targets: the file's own (its first `target_count` columns), less the covariates named.
        let targetNames = selection.targets ?? Array(columns.prefix(storedTargets > 0 && storedTargets <= dim ? storedTargets : dim))
            .filter { !selection.covariates.contains($0) }
        func index(_ n: String) throws(DataError) -> Int {
            guard let i = columns.firstIndex(of: n) else { throw .unknownColumn(path: path, column: n, available: columns) }
            return i
        }
        let targets = try targetNames.map { n throws(DataError) in try index(n) }
        // Nothing selected: the file's own selection — its first `target_count` columns are the
        // targets and the rest the covariates, as `convert --target … --covariates …` wrote them
        // (they were left out, so a converted file trained without its covariates).
        let covariateNames = selection.targets == nil && selection.covariates.isEmpty && targetNames.count < dim
            ? Array(columns.dropFirst(targetNames.count)) : selection.covariates
        let covariates = try covariateNames.map { n throws(DataError) in try index(n) }
        try DataSelection.checkDistinct(targets: targets, covariates: covariates, header: columns, path: path)
        let channels = targets + covariates

        var axis: TimeAxis? = nil
        if let format = string("time_format").flatMap(TimeFormat.init(rawValue:)), let step = number("time_step") {
            guard step.isFinite, step > 0, step < 1e12 else {
                throw .badAttribute(path: path, dataset: name, attribute: "time_step", problem: "is \(step), not a positive step between time labels")
            }
            axis = TimeAxis(format: format, step: step, column: string("time_column") ?? "time")
        }
        let names = try datasetNames()
        let texts = names.contains("time") ? try readStrings("time") : []
        // Kept compactly on the stored axis, and shared by every series (one copy); or, from a
        // [batch, steps] `time`, each series' own.
        func labels(_ texts: [String]) -> TimeLabels { axis.map { TimeLabels(texts, format: $0.format) } ?? TimeLabels(texts) }
        let perSeries = shape.count == 3 && batch > 1 && texts.count == batch * steps
        if axis != nil && !texts.isEmpty && texts.count != steps && !perSeries {
            // The dataset declares a time column, but the file's labels are another dataset's.
            throw .shapeMismatch(path: path, detail: "dataset '\(name)' declares a time column (time_column '\(string("time_column") ?? "time")'), but the file's 'time' dataset holds \(texts.count) labels for its \(steps) steps\(batch > 1 ? " of \(batch) series" : "") (\(steps)\(batch > 1 ? " or \(batch * steps)" : "") expected): the labels belong to another dataset; write this dataset's labels as 'time' in a file of its own (seqcast convert does)")
        }
        let shared = texts.count == steps ? labels(texts) : TimeLabels()
        let ids = try storedIds(name, batch: batch)
        var result: [Series] = []
        var missing = 0
        /// Series b from its values `row` [steps, dim] (all channels), the selected channels kept.
        func add(_ b: Int, _ row: UnsafeBufferPointer<Float>, whole: [Float]?) throws(DataError) {
            for t in 0..<steps {
                for c in channels {
                    let x = row[t * dim + c]
                    if x.isInfinite || (x.isNaN && selection.missing == .error) {
                        // The element's index as h5py and h5dump count it (from 0), and what it is.
                        let index = shape.count == 3 ? [b, t, c] : shape.count == 2 ? [t, c] : [t]
                        let series = shape.count == 3 ? "series '\(seriesId(b, of: batch, name, ids))', " : ""
                        throw .invalidValue(path: path, dataset: name,
                                            position: "element [\(index.map(String.init).joined(separator: ", "))] (\(series)step \(t + 1) of \(steps), column '\(columns[c])')",
                                            value: x, samples: false)
                    }
                }
            }
            var v: [Float]
            if let whole, channels == Array(0..<dim) { v = whole } else {   // the read buffer itself when every channel is kept
                v = []; v.reserveCapacity(steps * channels.count)
                for t in 0..<steps { for c in channels { v.append(row[t * dim + c]) } }
            }
            var m = SeriesMatrix(steps: steps, channels: channels.count, values: consume v)
            let fill = try fillMissing(&m, policy: selection.missing) { c in
                "\(path): dataset '\(name)' channel '\(columns[channels[c]])' of series \(b)"
            }
            missing += fill.count
            let time = perSeries ? labels(Array(texts[(b * steps)..<((b + 1) * steps)])) : shared
            var series = Series(id: seriesId(b, of: batch, name, ids), time: time, matrix: m)
            series.filled = fill.filled
            result.append(series)
        }
        if shape.count == 3 {   // one batch row at a time: the file's values are never held twice
            _ = try readRows(name, rows: rows) { (b, row) throws(DataError) in try add(b, UnsafeBufferPointer(row), whole: nil) }
        } else {
            let values = try read(name).values
            try values.withUnsafeBufferPointer { (p) throws(DataError) in try add(0, p, whole: values) }
        }
        return SeriesCollection(source: path, channels: channels.map { columns[$0] }, targetCount: targets.count,
                                series: result, timeAxis: axis, missingCount: missing)
    }

    /// Supervised mode: inputs `x` [batch, steps, dim] (or [batch, steps]) and targets `y`
    /// [batch, K, out], [batch, K] or [batch] (seq2vec), or [batch, steps, K, out] (seq2seq).
    /// Returns the samples and the horizon K.
    public func supervised(x xName: String, y yName: String) throws(DataError) -> (samples: SampleSet, horizon: Int, outputDim: Int) {
        let (xs, xv) = try read(xName), (ys, yv) = try read(yName)
        guard xs.count == 2 || xs.count == 3 else {
            throw .wrongRank(path: path, dataset: xName, rank: xs.count, expected: "3 [batch, steps, dim] or 2 [batch, steps]")
        }
        let (b, t, d) = (xs[0], xs[1], xs.count == 3 ? xs[2] : 1)
        guard ys.first == b else {
            throw .shapeMismatch(path: path, detail: "x '\(xName)' has \(b) samples (shape \(xs)) but y '\(yName)' has \(ys.first ?? 0) (shape \(ys))")
        }
        let perStep: Bool, k: Int, o: Int
        switch ys.count {
        case 1: (perStep, k, o) = (false, 1, 1)
        case 2: (perStep, k, o) = (false, ys[1], 1)
        case 3: (perStep, k, o) = (false, ys[1], ys[2])
        case 4:
            guard ys[1] == t else {
                throw .shapeMismatch(path: path, detail: "per-step y '\(yName)' has \(ys[1]) steps (shape \(ys)) but x '\(xName)' has \(t)")
            }
            (perStep, k, o) = (true, ys[2], ys[3])
        default: throw .wrongRank(path: path, dataset: yName, rank: ys.count, expected: "1–3 ([batch, K, out]) or 4 ([batch, steps, K, out])")
        }
        for (name, shape, v) in [(xName, xs, xv), (yName, ys, yv)] {
            if let i = v.firstIndex(where: { !$0.isFinite }) {
                var rest = i, index: [Int] = []
                for d in shape.reversed() { index.insert(rest % max(d, 1), at: 0); rest /= max(d, 1) }
                throw .invalidValue(path: path, dataset: name, position: "element [\(index.map(String.init).joined(separator: ", "))]", value: v[i], samples: true)
            }
        }
        guard b > 0, t > 0 else { throw .shapeMismatch(path: path, detail: "x '\(xName)' is empty (shape \(xs))") }
        guard d > 0, k > 0, o > 0 else { throw .shapeMismatch(path: path, detail: "x '\(xName)' (shape \(xs)) or y '\(yName)' (shape \(ys)) has a dimension of 0") }
        return (SampleSet(steps: t, inputDim: d, targetWidth: k * o, perStep: perStep, x: xv, y: yv), k, o)
    }
}

extension SeriesCollection {
    /// Writes the series as dataset `series` ([steps, dim] or [batch, steps, dim]) to a new file
    /// at `path`, atomically. Series must share one length.
    public func writeHDF5(to path: String) throws(DataError) {
        let lengths = Set(series.map(\.length))
        guard lengths.count == 1, let steps = lengths.first else {
            throw .unequalLengths(path: source, lengths: lengths.sorted(), needed: "HDF5 [batch, steps, dim]")
        }
        var attrs: [(String, AttributeValue)] = [("columns", .string(HDF5List.encode(channels, separator: ","))),
                                                 ("target_count", .numbers([Double(targetCount)])),
                                                 ("source", .string(source))]
        if let axis = timeAxis {
            attrs += [("time_column", .string(axis.column)), ("time_format", .string(axis.format.rawValue)),
                      ("time_step", .numbers([axis.step]))]
        }
        attrs.append(("series_ids", .string(HDF5List.encode(series.map(\.id), separator: "\n"))))
        let shape = series.count == 1 ? [steps, channels.count] : [series.count, steps, channels.count]
        let values = series.flatMap(\.matrix.values)
        try AtomicFile.write(to: path) { tmp throws(DataError) in
            let file = try HDF5File.create(tmp, largeAttributes: HDF5File.needsLargeAttributes(attrs))
            try file.write("series", shape: shape, values: values, attributes: attrs)
            if timeAxis != nil, let time = series.first?.time, !time.isEmpty {
                if series.allSatisfy({ $0.time.elementsEqual(time) }) {
                    try file.write("time", strings: time)
                } else {   // series of equal length on different dates: each its own labels
                    try file.write("time", strings: series.lazy.flatMap(\.time), shape: [series.count, steps])
                }
            }
            try file.close()
        }
    }
}

/// A list of names in one HDF5 string attribute (`columns`, `series_ids`): joined by its separator,
/// or, when a name holds the separator, a JSON array of strings (h5py: `json.loads`).
enum HDF5List {
    static func encode(_ items: [String], separator: String) -> String {
        guard items.contains(where: { $0.contains(separator) }), let json = try? JSONEncoder().encode(items) else {
            return items.joined(separator: separator)
        }
        return String(decoding: json, as: UTF8.self)
    }

    /// The names: the JSON array when `text` is one (of `count` strings, when given), else split.
    static func decode(_ text: String, separator: Character, count: Int? = nil, omittingEmpty: Bool = true) -> [String] {
        if text.hasPrefix("["), text.hasSuffix("]"), let list = try? JSONDecoder().decode([String].self, from: Data(text.utf8)),
           count == nil || list.count == count { return list }
        return text.split(separator: separator, omittingEmptySubsequences: omittingEmpty).map(String.init)
    }
}
