// DataError: everything that can be wrong with input data or an output path, each message naming
// the file and the place (row, column, dataset) and what to do. Text taken from the input (cells,
// column names, labels) is shown terminal-safe and clipped (UserText.swift); every message is one line.

import Foundation

/// Bad input files and unwritable outputs.
public enum DataError: AtomicFileError, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case notHDF5(path: String)
    case hdf5(path: String, dataset: String?, operation: String, stack: String)
    /// libhdf5 did not survive reading the file's structure in the probe's child process (a signal, a
    /// sanitizer's exit status, or no end within the probe's time): `how` says which.
    case damagedHDF5(path: String, how: String)
    /// The probe could not finish (out of time, or killed): the file is not read unchecked.
    case uncheckedHDF5(path: String, why: String)
    case missingDataset(path: String, dataset: String, available: [String])
    case wrongRank(path: String, dataset: String, rank: Int, expected: String)
    case nonNumericDataset(path: String, dataset: String, type: String)
    case shapeMismatch(path: String, detail: String)
    case emptyFile(path: String)
    /// A file read as CSV whose first bytes say it is something else (`what`, with what to do).
    case notCSV(path: String, what: String)
    case headerOnly(path: String)
    /// `quoteLine`: where a quoted field of this record that spans lines opened (a likely stray quote).
    case raggedRow(path: String, row: Int, expected: Int, got: Int, quoteLine: Int? = nil)
    case unclosedQuote(path: String, line: Int)
    case fieldTooLong(path: String, line: Int, quoted: Bool, limit: Int)
    /// A selected column whose cells are mostly not numbers (or all missing: `example` nil).
    case notNumericColumn(path: String, column: String, numeric: Int, present: Int, example: (row: Int, value: String)?)
    case badTimeLabel(path: String, row: Int, column: String, value: String, format: String)
    case timeOrder(path: String, row: Int, column: String, value: String, previous: String, duplicate: Bool,
                   series: String?, idHint: String?)
    case timeGap(path: String, row: Int, column: String, after: String, value: String, periods: Int, series: String?)
    case longFormat(path: String, idColumn: String, row: Int, first: String, second: String)
    /// Series of one long-format file on different time steps (monthly beside quarterly).
    case mixedFrequency(path: String, column: String, first: String, firstFrequency: String, series: String, frequency: String)
    case tooLarge(path: String, dataset: String, shape: [Int], needed: String, available: String)
    case nonNumericCell(path: String, row: Int, column: String, value: String)
    case invalidNumber(path: String, row: Int, column: String, value: String)
    case unknownColumn(path: String, column: String, available: [String])
    /// A column selected twice, or a selected name two columns carry.
    case ambiguousColumn(path: String, column: String, why: String)
    case missingValue(path: String, row: Int, column: String)
    /// A value the data may not hold: `position` says where ("series 'A', step 31, column 'y'", or an
    /// element's index); `samples`: in pre-cut --x/--y samples, where NaN is not a missing value.
    case invalidValue(path: String, dataset: String, position: String, value: Float, samples: Bool)
    /// `valFraction`: the needed length counts the validation part held out after the training part.
    case seriesTooShort(path: String, series: String, length: Int, needed: Int, lookback: Int, horizon: Int, valFraction: Double? = nil)
    case unwritable(path: String, reason: String)
    /// An output path (`flag`) that names the input file.
    case overwritesInput(flag: String, output: String, input: String)
    /// A file a job writes into its `--out` folder is the input file.
    case outputFolderHoldsInput(folder: String, file: String, input: String)
    /// Series that must share one length and do not (`needed`: what needs it).
    case unequalLengths(path: String, lengths: [Int], needed: String)
    /// Several datasets and no --dataset to choose.
    case ambiguousDataset(path: String, names: [String])
    /// A column chosen (or defaulted) as a target whose every cell is missing.
    case emptyColumn(path: String, column: String, describe: String?)
    case noNumericTarget(path: String, columns: [String])
    /// A gap in the time column longer than the series itself (a wrong label, most likely).
    case implausibleGap(path: String, row: Int, series: String?, column: String, periods: Int, after: String, value: String, total: Int)
    case noTrainingWindow(path: String, shortest: Int, valFraction: Double, lookback: Int, horizon: Int)
    case allWindowsTouchGaps(path: String)
    case datasetExists(path: String, dataset: String)
    /// An attribute seqcast reads whose value makes no sense.
    case badAttribute(path: String, dataset: String, attribute: String, problem: String)
    /// A message already composed (a nested error re-pointed from a temporary path to the real one).
    case message(String)
    /// A model.h5 that cannot be read or written as one.
    case badModel(path: String, reason: String)

    public static func == (a: DataError, b: DataError) -> Bool { a.description == b.description }

    /// An HDF5 error stack for one line: the outermost and innermost entries, and the system's
    /// reason (e.g. 'No space left on device') when the innermost is a failed file operation.
    static func shortStack(_ s: String) -> String {
        let parts = s.components(separatedBy: "; ")
        guard parts.count > 2 || s.count > 300 else { return s }
        var inner = parts.last ?? ""
        if let r = inner.range(of: "error message = '"), let end = inner[r.upperBound...].firstIndex(of: "'") {
            inner = String(inner[..<(inner.range(of: ":")?.lowerBound ?? inner.startIndex)]) + ": " + inner[r.upperBound..<end]
        }
        let text = parts.count > 1 ? parts[0] + "; …; " + inner : inner
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    /// The same error with `tmp` (a temporary path) shown as `path`.
    public func replacingPath(_ tmp: String, with path: String) -> DataError {
        switch self {
        case .hdf5(let p, let d, let op, let s) where p == tmp: return .hdf5(path: path, dataset: d, operation: op, stack: s)
        case .unwritable(let p, let r) where p == tmp: return .unwritable(path: path, reason: r)
        default:
            let text = description
            return text.contains(tmp) ? .message(text.replacingOccurrences(of: tmp, with: path)) : self
        }
    }

    public var description: String { terminalSafe(text) }

    private var text: String {
        switch self {
        case .fileNotFound(let p): return "\(p): no such file"
        case .unreadable(let p, let r): return "\(p): cannot read: \(r)"
        case .notHDF5(let p): return "\(p): not an HDF5 file (or a truncated one)"
        case .hdf5(let p, let d, let op, let s):
            return "\(p)\(d.map { ": dataset '\(shown($0))'" } ?? ""): \(op) failed\(s.isEmpty ? "" : " (HDF5: \(Self.shortStack(s)))")"
        case .damagedHDF5(let p, let h):
            return "\(p): the HDF5 file is damaged: libhdf5 \(h) reading its groups, attributes and datasets (checked in a separate process before reading it); write the file again (`h5dump -H \(p)` may show what is damaged)"
        case .uncheckedHDF5(let p, let w):
            return "\(p): the HDF5 file could not be checked before reading it: \(w); SEQCAST_HDF5_CHECK=0 reads it unchecked"
        case .missingDataset(let p, let d, let a):
            return "\(p): no dataset '\(shown(d))'; the file has: \(a.isEmpty ? "no datasets" : shownList(a))"
        case .wrongRank(let p, let d, let r, let e): return "\(p): dataset '\(d)' has rank \(r), expected \(e)"
        case .nonNumericDataset(let p, let d, let t): return "\(p): dataset '\(d)' holds \(t), not numbers"
        case .shapeMismatch(let p, let d): return "\(p): \(d)"
        case .emptyFile(let p): return "\(p): the file is empty"
        case .notCSV(let p, let w): return "\(p): not a CSV file: \(w) (seqcast reads CSV text in UTF-8 and HDF5 files)"
        case .headerOnly(let p): return "\(p): only a header row, no data"
        case .raggedRow(let p, let r, let e, let g, let q):
            let hint = q.map { "; the quoted field opened on line \($0) spans several lines — is a quote not closed?" } ?? ""
            return "\(p): row \(r) has \(g) fields, the header has \(e)\(hint)"
        case .unclosedQuote(let p, let l):
            return "\(p): line \(l): the quote opened here is never closed (the rest of the file would be one field); remove the stray '\"' or close it"
        case .fieldTooLong(let p, let l, let q, let limit):
            return q ? "\(p): line \(l): the quoted field opened here is longer than \(limit / 1024) KiB; is a quote not closed?"
                     : "\(p): line \(l): a field is longer than \(limit / 1024) KiB; this does not look like a CSV file"
        case .nonNumericCell(let p, let r, let c, let v):
            let comma = isDecimalComma(v)
            let hint = v.contains("\n") ? " (a quoted field spanning several lines: is a quote not closed?)"
                : comma ? " (decimal commas are not supported; use '.')" : ""
            return "\(p): row \(r), column '\(shown(c))': '\(shown(v))' is not a number\(hint)"
        case .invalidNumber(let p, let r, let c, let v):
            return "\(p): row \(r), column '\(shown(c))': '\(shown(v))' is infinite or out of Float range"
        case .unknownColumn(let p, let c, let a):
            return "\(p): no column '\(shown(c))'; columns are: \(shownList(a))"
        case .ambiguousColumn(let p, let c, let why):
            return "\(p): column '\(shown(c))' \(why)"
        case .missingValue(let p, let r, let c):
            return "\(p): row \(r), column '\(shown(c))': missing value (use --missing interpolate|ffill|drop to fill or skip gaps)"
        case .notNumericColumn(let p, let c, let n, let present, let ex):
            guard let ex else { return "\(p): column '\(shown(c))' has no values (every cell is missing); choose other columns with --target" }
            let comma = isDecimalComma(ex.value)
            return "\(p): column '\(shown(c))' is text, not numbers: \(present - n) of its \(present) values are not numbers (first: row \(ex.row), '\(shown(ex.value))')\(comma ? "; decimal commas are not supported: write numbers with '.'" : "")"
        case .badTimeLabel(let p, let r, let c, let v, let f):
            return "\(p): row \(r), time column '\(shown(c))': '\(shown(v))' is not a time label like the others (\(f))"
        case .timeOrder(let p, let r, let c, let v, let prev, let dup, let s, let id):
            let whose = s.map { " of series '\(shown($0))'" } ?? ""
            let what = dup ? "time '\(shown(v))' repeats the row before it" : "time '\(shown(v))' comes after '\(shown(prev))' (times must increase)"
            let shared = s.map { "; or, if two series share the id '\(shown($0))' (ids are read without surrounding spaces), give them distinct ids" } ?? ""
            let hint = id.map { "; if the file holds several series, name their id column: --id-column \(shown($0))" }
                ?? ((dup ? "; remove duplicate rows" : "; sort the file by '\(shown(c))'") + shared)
            return "\(p): row \(r)\(whose), column '\(shown(c))': \(what)\(hint)"
        case .timeGap(let p, let r, let c, let a, let v, let n, let s):
            let whose = s.map { " of series '\(shown($0))'" } ?? ""
            return "\(p): row \(r)\(whose), column '\(shown(c))': \(n) missing period\(n == 1 ? "" : "s") between '\(shown(a))' and '\(shown(v))' (use --missing interpolate|ffill|drop to fill or skip gaps)"
        case .longFormat(let p, let id, let r, let a, let b):
            return "\(p): row \(r): the time column starts again where column '\(shown(id))' changes from '\(shown(a))' to '\(shown(b))'; this looks like several series in long format: add --id-column \(shown(id))"
        case .mixedFrequency(let p, let c, let a, let fa, let b, let fb):
            return "\(p): time column '\(shown(c))': series '\(shown(b))' is \(fb), but series '\(shown(a))', the first, is \(fa); the series of one file are read on one time step (it sets their season and forecast dates): put the series of each frequency in a file of their own"
        case .tooLarge(let p, let d, let shape, let need, let avail):
            return "\(p): dataset '\(shown(d))' declares shape [\(shape.map(String.init).joined(separator: ", "))]: reading it needs \(need) of memory, more than half of \(avail) (one read may take half the memory budget: training holds about twice what it reads); refusing to read it"

        case .invalidValue(let p, let d, let at, let v, let samples):
            let why = samples ? "NaN and infinite values are not allowed in pre-cut samples (--x/--y)"
                : v.isNaN ? "a missing value, which --missing error refuses; use --missing interpolate|ffill|drop to fill or skip gaps"
                : "infinite values are not allowed (a missing value is NaN, filled as --missing says)"
            return "\(p): dataset '\(shown(d))', \(shown(at)): \(v); \(why)"
        case .seriesTooShort(let p, let s, let n, let need, let l, let k, let f):
            var why = k > 0 ? "lookback \(l) + horizon \(k)" : "the model's lookback"
            if let f, f > 0 {
                why += " in its training part, the steps before the last \(Int((100 * f).rounded()))% that --val-fraction \(f) holds out for validation"
            }
            return "\(p): series '\(s)' has \(n) steps, needs at least \(need) (\(why))\(f != nil ? "; lower --lookback, --horizon or --val-fraction" : "")"
        case .unwritable(let p, let r): return "\(p): cannot write: \(r)"
        case .overwritesInput(let f, let o, let i): return "\(f) \(o): refusing to overwrite the input file \(i); give a new path"
        case .outputFolderHoldsInput(let d, let f, let i):
            let what = f.hasSuffix("/") ? "replaces the folder \(f) there, which holds" : "writes \(f) there, which is"
            return "--out \(d): this job \(what) the input file \(i); refusing to overwrite it — give another --out folder (or move the input)"
        case .message(let m): return m
        case .unequalLengths(let p, let l, let n):
            let hint = n == "backtest" ? " (one global model's origins are the same rows of every series); --per-series backtests each series on its own" : ""
            return "\(p): \(n) needs series of equal length (got \(l.map(String.init).joined(separator: ", ")))\(hint)"
        case .ambiguousDataset(let p, let names): return "\(p): several datasets (\(shownList(names))); choose one with --dataset"
        case .emptyColumn(let p, let c, let d):
            return d.map { "\($0): every value is missing" } ?? "\(p): column '\(shown(c))' has no values (every cell is missing); name the columns to forecast with --target"
        case .noNumericTarget(let p, let cols): return "\(p): no numeric target column; columns are: \(shownList(cols))"
        case .implausibleGap(let p, let r, let s, let c, let n, let a, let v, let total):
            return "\(p): row \(r)\(s.map { " of series '\(shown($0))'" } ?? ""), column '\(shown(c))': \(n == .max ? "too many" : String(n)) missing periods between '\(shown(a))' and '\(shown(v))'; \(total == .max ? "too many" : String(total)) in all is more than the series holds — is a time label wrong?"
        case .noTrainingWindow(let p, let shortest, let f, let l, let k):
            let need = SeriesCollection.minimumTrainingLength(lookback: l, horizon: k, valFraction: f)
            return "\(p): no training window: the shortest series has \(shortest) steps; with --val-fraction \(f) its training part must hold lookback \(l) + horizon \(k) steps without gaps (a series of \(need) steps has one; lower --lookback or --val-fraction)"
        case .allWindowsTouchGaps(let p):
            return "\(p): every backtest window touches a gap (--missing drop); use --missing interpolate or ffill, or another --start"
        case .badAttribute(let p, let d, let a, let problem): return "\(p): dataset '\(shown(d))' attribute '\(a)' \(problem)"
        case .datasetExists(let p, let d): return "\(p) already has a dataset '\(shown(d))'; choose another with --forecast-dataset"
        case .badModel(let p, let r): return "\(p): \(r)"
        }
    }
}

extension AtomicFile {
    /// Writes text atomically; failures as DataError.
    public static func write(_ text: String, to path: String) throws(DataError) { try write(text, to: path, errors: DataError.self) }

    /// Creates `dir` (and parents) or explains why it cannot.
    public static func makeDirectory(_ dir: String) throws(DataError) { try makeDirectory(dir, errors: DataError.self) }

    /// Refuses an output (`flag` names the option) that is the input file itself.
    public static func refuseOverwriting(input: String, with output: String, flag: String) throws(DataError) {
        guard !sameFile(input, output) else { throw .overwritesInput(flag: flag, output: output, input: input) }
    }

    /// Refuses an input inside (or named as) the folder `folder + "/" + name`, which the job replaces
    /// (a per-series run's `series/`).
    public static func refuseInput(_ input: String, insideReplaced name: String, of folder: String) throws(DataError) {
        if isInside(input, folder + "/" + name) { throw .outputFolderHoldsInput(folder: folder, file: name + "/", input: input) }
    }

    /// True when `path` is `folder` or lies inside it (symlinks resolved).
    public static func isInside(_ path: String, _ folder: String) -> Bool {
        let inside = resolvedPath(folder), file = resolvedPath(path)
        return file == inside || file.hasPrefix(inside + "/")
    }

    /// Refuses an `--out` folder where one of the files a job writes (`names`) is the input file:
    /// it was replaced (a backtest's `forecasts.csv` over a CSV of that name in the folder).
    public static func refuseOverwriting(input: String, folder: String, names: [String]) throws(DataError) {
        var isFolder: ObjCBool = false   // (before the work: it failed when the files were written)
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), !isFolder.boolValue {
            throw .unwritable(path: folder, reason: "it is a file, and --out names the folder the outputs go into")
        }
        for name in names where sameFile(input, folder + "/" + name) {
            throw .outputFolderHoldsInput(folder: folder, file: name, input: input)
        }
    }
}

/// A number written with a decimal comma ("112,5"), which the reader does not take: the messages name it.
func isDecimalComma(_ v: String) -> Bool {
    v.contains(",") && Double(v.replacingOccurrences(of: ",", with: ".")) != nil
}
