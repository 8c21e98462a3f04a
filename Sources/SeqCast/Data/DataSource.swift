// DataSource: one entry point that reads series from a CSV or HDF5 file, chosen by content.
import Foundation

public enum DataSource {
    /// True when `path` starts with the HDF5 signature.
    public static func isHDF5(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let sig: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        return (try? h.read(upToCount: 8)).map { Array($0) == sig } ?? false
    }

    /// Reads every series of a CSV or HDF5 (series mode) file.
    public static func load(_ path: String, selection: DataSelection) throws(DataError) -> SeriesCollection {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        let lower = path.lowercased()
        if isHDF5(path) || lower.hasSuffix(".h5") || lower.hasSuffix(".hdf5") {
            return try HDF5File.open(path).series(selection)
        }
        return try CSVTable.read(path).series(selection)
    }
}
