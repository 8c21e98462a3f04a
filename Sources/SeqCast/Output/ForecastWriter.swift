// ForecastWriter: forecasts to CSV (long format: series, time, step, variable, value, then
// lo_L, hi_L per interval level L) or HDF5 (dataset `forecast` [batch, K, out] with attributes, and
// `forecast_lower` / `forecast_upper` [batch, K, out, level] with a `levels` attribute), and written
// back into a *copy* of an input HDF5 file. Every file is written atomically.
import Foundation

/// Quotes a CSV field when it needs it.
func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}

/// Shortest text that reads back as the same Float; an empty cell for a value that is not there
/// (NaN: a bound the interval method does not give, a missing actual) — how the readers of CSV
/// (pandas, R, seqcast itself) mark a missing value.
func formatValue(_ v: Float) -> String { v.isFinite ? "\(v)" : "" }

extension Forecast {
    /// The interval columns' names: lo_80, hi_80, lo_95, hi_95 (`prefix` before each).
    static func bandColumns(_ levels: [Double], prefix: String = "") -> [String] {
        levels.flatMap { l in ["lo_", "hi_"].map { prefix + $0 + IntervalSettings.label(l) } }
    }

    /// The interval cells of value `i` ([K·O] index) of a band at `levels` levels, in `bandColumns` order.
    static func bandFields(_ b: Band, index i: Int, levels: Int) -> [String] {
        (0..<levels).flatMap { j in [formatValue(b.lower[i * levels + j]), formatValue(b.upper[i * levels + j])] }
    }

    /// CSV text, one row per (series, step, variable).
    public var csv: String {
        var out = (["series", "time", "step", "variable", "value"] + Forecast.bandColumns(levels)).joined(separator: ",") + "\n"
        let o = targetNames.count
        for (s, id) in seriesIds.enumerated() {
            for k in 0..<horizon {
                for (j, name) in targetNames.enumerated() {
                    out += "\(csvField(id)),\(csvField(times[s][k])),\(k + 1),\(csvField(name)),\(formatValue(values[s][k * o + j]))"
                    if !bands.isEmpty { out += "," + Forecast.bandFields(bands[s], index: k * o + j, levels: levels.count).joined(separator: ",") }
                    out += "\n"
                }
            }
        }
        return out
    }

    var hdf5Attributes: [(String, AttributeValue)] {
        [("columns", .string(HDF5List.encode(targetNames, separator: ","))), ("horizon", .numbers([Double(horizon)])),
         ("series_ids", .string(HDF5List.encode(seriesIds, separator: "\n"))),
         ("layout", .string("[series, step, variable]")), ("seqcast_version", .string(seqcastVersion))]
    }

    private func writeDatasets(_ f: HDF5File, name: String, extra: [(String, AttributeValue)]) throws(DataError) {
        try f.write(name, shape: [seriesIds.count, horizon, targetNames.count], values: values.flatMap { $0 },
                    attributes: hdf5Attributes + extra)
        try f.write(name + "_time", strings: times.flatMap { $0 })
        guard !bands.isEmpty else { return }
        let shape = [seriesIds.count, horizon, targetNames.count, levels.count]
        let attrs: [(String, AttributeValue)] = [("levels", .numbers(levels)), ("columns", .string(HDF5List.encode(targetNames, separator: ","))),
                                                 ("layout", .string("[series, step, variable, level]"))]
        try f.write(name + "_lower", shape: shape, values: bands.flatMap(\.lower), attributes: attrs)
        try f.write(name + "_upper", shape: shape, values: bands.flatMap(\.upper), attributes: attrs)
    }

    /// Writes `path` as CSV or HDF5 (by extension .h5/.hdf5), atomically.
    public func write(to path: String, attributes extra: [(String, AttributeValue)] = []) throws(DataError) {
        let lower = path.lowercased()
        if lower.hasSuffix(".h5") || lower.hasSuffix(".hdf5") {
            try AtomicFile.write(to: path) { tmp throws(DataError) in
                let f = try HDF5File.create(tmp, largeAttributes: HDF5File.needsLargeAttributes(hdf5Attributes + extra))
                try writeDatasets(f, name: "forecast", extra: extra)
                try f.close()
            }
        } else {
            try AtomicFile.write(csv, to: path)
        }
    }

    /// Copies HDF5 `input` to `output` with the forecast added as dataset `name`; never touches `input`.
    public func writeBack(input: String, output: String, name: String,
                          attributes extra: [(String, AttributeValue)] = []) throws(DataError) {
        try checkWriteBack(input: input, output: output, name: name)
        try AtomicFile.write(to: output) { tmp throws(DataError) in
            do { try FileManager.default.copyItem(atPath: input, toPath: tmp) } catch {
                throw .unwritable(path: output, reason: "cannot copy \(input): \(error.localizedDescription)")
            }
            let f = try HDF5File.open(tmp, writable: true)
            try writeDatasets(f, name: name, extra: extra)
            try f.close()
        }
    }

    /// What `writeBack` refuses before writing anything (the output is the input, the input is not
    /// HDF5, it already has a dataset of that name): checked before any other output is written.
    public func checkWriteBack(input: String, output: String, name: String) throws(DataError) {
        guard !AtomicFile.sameFile(input, output) else {
            throw .overwritesInput(flag: "--write-back", output: output, input: input)
        }
        guard DataSource.isHDF5(input) else { throw .notHDF5(path: input) }
        let existing = try HDF5File.open(input).datasetNames()
        for n in [name] + (bands.isEmpty ? [] : [name + "_lower", name + "_upper"]) where existing.contains(n) {
            throw .datasetExists(path: input, dataset: n)
        }
    }
}
