// SeriesCatalog: the series of a per-series run, known by id and length before their values are
// read, and the values of chosen ones. An HDF5 [batch, steps, dim] dataset is read only in the
// batch rows asked for (hyperslab selections, HDF5SeriesLoader.swift), so each rank of an mpirun
// reads only its own series; a long-format CSV is parsed whole by every rank (one id's rows may lie
// anywhere in the file).
import Foundation

public struct SeriesCatalog: Sendable {
    public let path: String
    public let selection: DataSelection
    /// Series ids in file order, and each one's steps.
    public let ids: [String]
    public let lengths: [Int]
    /// A CSV's series, parsed whole (nil for HDF5: rows are read when asked for).
    private let parsed: SeriesCollection?

    /// The series of `path`: a long-format CSV (`--id-column`) or an HDF5 [batch, steps, dim]
    /// dataset; one series alone is refused (a per-series model of it is the global model).
    public static func open(_ path: String, selection: DataSelection) throws -> SeriesCatalog {
        guard FileManager.default.fileExists(atPath: path) else { throw DataError.fileNotFound(path: path) }
        let lower = path.lowercased()
        if DataSource.isHDF5(path) || lower.hasSuffix(".h5") || lower.hasSuffix(".hdf5") {
            let (ids, steps, batched) = try HDF5File.open(path).seriesIds(selection)
            guard batched else {
                throw SettingsError.incompatible("--per-series fits one model per series: \(path) holds one series in its dataset (\(selection.dataset ?? "series")); use a [batch, steps, dim] dataset, one series per batch row")
            }
            guard !ids.isEmpty else { throw DataError.shapeMismatch(path: path, detail: "dataset '\(selection.dataset ?? "series")' holds no series (its batch dimension is 0)") }
            return SeriesCatalog(path: path, selection: selection, ids: ids, lengths: ids.map { _ in steps }, parsed: nil)
        }
        guard selection.idColumn != nil else {
            throw SettingsError.incompatible("--per-series fits one model per series id: name the id column of the long-format file \(path) with --id-column")
        }
        let c = try DataSource.load(path, selection: selection)
        return SeriesCatalog(path: path, selection: selection, ids: c.series.map(\.id), lengths: c.series.map(\.length), parsed: c)
    }

    /// A CSV catalog holds the whole file: every rank's `load` counts the whole file's missing values.
    public var readsWhole: Bool { parsed != nil }

    /// The series at `positions` (file positions, in that order) as one collection; from HDF5, only
    /// their rows are read.
    public func load(_ positions: [Int]) throws -> SeriesCollection {
        if var c = parsed {
            c.series = positions.map { c.series[$0] }
            return c
        }
        return try HDF5File.open(path).series(selection, rows: positions)
    }
}
