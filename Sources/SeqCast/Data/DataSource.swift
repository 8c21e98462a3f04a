// DataSource: one entry point that reads series from a CSV or HDF5 file, chosen by content, and
// DataNotes, through which the reader's notes (columns left out, rows reordered, gaps filled) reach
// the CLI whichever job loaded the file.
import Foundation

/// Where the notes of every DataSource.load go (the CLI prints them to stderr). Each distinct note
/// is delivered once per process, however often a file is loaded.
public enum DataNotes {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handler: (@Sendable (String) -> Void)?
    nonisolated(unsafe) private static var delivered: Set<String> = []

    /// Sets the receiver of notes (nil: drop them).
    public static func onNote(_ h: (@Sendable (String) -> Void)?) { lock.withLock { handler = h } }

    static func post(_ notes: [String]) {
        let fresh: [String] = lock.withLock { notes.filter { delivered.insert($0).inserted } }
        guard let h = lock.withLock({ handler }) else { return }
        for n in fresh { h(n) }
    }
}

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
        let named = Set([selection.timeColumn, selection.idColumn].compactMap { $0 })
        let c = isHDF5(path) || lower.hasSuffix(".h5") || lower.hasSuffix(".hdf5")
            ? try HDF5File.open(path).series(selection)
            : try CSVTable.read(path, keepingText: .named(named, time: selection.timeColumn)).series(selection)
        // The file's bytes and the table are freed by now; glibc keeps freed heap unless asked, and
        // a run that loads a file more than once (train: model, windows, calibration) would pile them up.
        MemoryBudget.returnFreedMemory()
        DataNotes.post(c.notes)
        return c
    }
}
