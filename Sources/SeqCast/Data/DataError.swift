// DataError: everything that can be wrong with input data or an output path, each message naming
// the file and the place (row, column, dataset) and what to do.

/// Bad input files and unwritable outputs.
public enum DataError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case notHDF5(path: String)
    case hdf5(path: String, dataset: String?, operation: String, stack: String)
    case missingDataset(path: String, dataset: String, available: [String])
    case wrongRank(path: String, dataset: String, rank: Int, expected: String)
    case nonNumericDataset(path: String, dataset: String, type: String)
    case shapeMismatch(path: String, detail: String)
    case emptyFile(path: String)
    case headerOnly(path: String)
    case raggedRow(path: String, row: Int, expected: Int, got: Int)
    case nonNumericCell(path: String, row: Int, column: String, value: String)
    case invalidNumber(path: String, row: Int, column: String, value: String)
    case unknownColumn(path: String, column: String, available: [String])
    case missingValue(path: String, row: Int, column: String)
    case invalidValue(path: String, dataset: String, index: Int, value: Float)
    case seriesTooShort(path: String, series: String, length: Int, needed: Int, lookback: Int, horizon: Int)
    case unwritable(path: String, reason: String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .fileNotFound(let p): return "\(p): no such file"
        case .unreadable(let p, let r): return "\(p): cannot read: \(r)"
        case .notHDF5(let p): return "\(p): not an HDF5 file (or a truncated one)"
        case .hdf5(let p, let d, let op, let s):
            return "\(p)\(d.map { ": dataset '\($0)'" } ?? ""): \(op) failed\(s.isEmpty ? "" : " (HDF5: \(s))")"
        case .missingDataset(let p, let d, let a):
            return "\(p): no dataset '\(d)'; the file has: \(a.isEmpty ? "no datasets" : a.joined(separator: ", "))"
        case .wrongRank(let p, let d, let r, let e): return "\(p): dataset '\(d)' has rank \(r), expected \(e)"
        case .nonNumericDataset(let p, let d, let t): return "\(p): dataset '\(d)' holds \(t), not numbers"
        case .shapeMismatch(let p, let d): return "\(p): \(d)"
        case .emptyFile(let p): return "\(p): the file is empty"
        case .headerOnly(let p): return "\(p): only a header row, no data"
        case .raggedRow(let p, let r, let e, let g): return "\(p): row \(r) has \(g) fields, the header has \(e)"
        case .nonNumericCell(let p, let r, let c, let v):
            return "\(p): row \(r), column '\(c)': '\(v)' is not a number"
        case .invalidNumber(let p, let r, let c, let v):
            return "\(p): row \(r), column '\(c)': '\(v)' is infinite or out of Float range"
        case .unknownColumn(let p, let c, let a):
            return "\(p): no column '\(c)'; columns are: \(a.joined(separator: ", "))"
        case .missingValue(let p, let r, let c):
            return "\(p): row \(r), column '\(c)': missing value (use --missing interpolate|ffill|drop to fill or skip gaps)"
        case .invalidValue(let p, let d, let i, let v):
            return "\(p): dataset '\(d)' element \(i) is \(v); NaN and infinity are not allowed"
        case .seriesTooShort(let p, let s, let n, let need, let l, let k):
            let why = k > 0 ? "lookback \(l) + horizon \(k)" : "the model's lookback"
            return "\(p): series '\(s)' has \(n) steps, needs at least \(need) (\(why))"
        case .unwritable(let p, let r): return "\(p): cannot write: \(r)"
        case .invalidArgument(let m): return m
        }
    }
}
