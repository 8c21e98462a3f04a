// ForecastWriter: forecasts to CSV (long format: series, time, step, variable, value) or HDF5
// (dataset `forecast` [batch, K, out] with attributes), and written back into a *copy* of an
// input HDF5 file. Every file is written atomically.
import Foundation

/// Quotes a CSV field when it needs it.
func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}

/// Shortest text that reads back as the same Float.
func formatValue(_ v: Float) -> String { v.isFinite ? "\(v)" : "nan" }

extension Forecast {
    /// CSV text, one row per (series, step, variable).
    public var csv: String {
        var out = "series,time,step,variable,value\n"
        let o = targetNames.count
        for (s, id) in seriesIds.enumerated() {
            for k in 0..<horizon {
                for (j, name) in targetNames.enumerated() {
                    out += "\(csvField(id)),\(csvField(times[s][k])),\(k + 1),\(csvField(name)),\(formatValue(values[s][k * o + j]))\n"
                }
            }
        }
        return out
    }

    var hdf5Attributes: [(String, AttributeValue)] {
        [("columns", .string(targetNames.joined(separator: ","))), ("horizon", .numbers([Double(horizon)])),
         ("series_ids", .string(seriesIds.joined(separator: "\n"))),
         ("layout", .string("[series, step, variable]")), ("seqcast_version", .string(seqcastVersion))]
    }

    private func writeDatasets(_ f: HDF5File, name: String, extra: [(String, AttributeValue)]) throws(DataError) {
        try f.write(name, shape: [seriesIds.count, horizon, targetNames.count], values: values.flatMap { $0 },
                    attributes: hdf5Attributes + extra)
        try f.write(name + "_time", strings: times.flatMap { $0 })
    }

    /// Writes `path` as CSV or HDF5 (by extension .h5/.hdf5), atomically.
    public func write(to path: String, attributes extra: [(String, AttributeValue)] = []) throws(DataError) {
        let lower = path.lowercased()
        if lower.hasSuffix(".h5") || lower.hasSuffix(".hdf5") {
            try AtomicFile.write(to: path) { tmp throws(DataError) in
                let f = try HDF5File.create(tmp)
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
        guard !AtomicFile.sameFile(input, output) else {
            throw .overwritesInput(flag: "--write-back", output: output, input: input)
        }
        guard DataSource.isHDF5(input) else { throw .notHDF5(path: input) }
        if (try HDF5File.open(input).datasetNames()).contains(name) {
            throw .datasetExists(path: input, dataset: name)
        }
        try AtomicFile.write(to: output) { tmp throws(DataError) in
            do { try FileManager.default.copyItem(atPath: input, toPath: tmp) } catch {
                throw .unwritable(path: output, reason: "cannot copy \(input): \(error.localizedDescription)")
            }
            let f = try HDF5File.open(tmp, writable: true)
            try writeDatasets(f, name: name, extra: extra)
            try f.close()
        }
    }
}
