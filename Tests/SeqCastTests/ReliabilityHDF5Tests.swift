// Reliability of HDF5 input: a group that hard-links to its ancestor is listed once instead of
// recursing until the stack overflows, datasets declaring more elements than memory (or than Int
// can count) are refused before anything is allocated, and every read, whole or failed, closes every
// HDF5 object it opened. Files are made with seqcast's own HDF5File (h5py is not needed), or are the
// committed fuzz seeds and fixtures. RELIABILITY.md lists which test covers which item.
import Foundation
import XCTest
import SeqCast

final class ReliabilityHDF5Tests: XCTestCase {
    /// A dataset that declares a time column, in a file whose `time` labels are another dataset's
    /// (their count fits neither its steps nor its series × steps), is refused: the labels were
    /// dropped without a word, and the season and forecast dates went with them.
    func testTimeLabelsOfAnotherDatasetAreRefused() throws {
        let dir = temporaryDirectory(self)
        let path = dir + "/two.h5"
        let f = try HDF5File.create(path)
        try f.write("short", shape: [2, 5, 1], values: (0..<10).map(Float.init),
                    attributes: [("columns", .string("y")), ("time_format", .string("yearMonth")), ("time_step", .numbers([1])),
                                 ("time_column", .string("month"))])
        try f.write("time", strings: (0..<7).map { "2000-0\($0 + 1)" })
        try f.close()
        var selection = DataSelection(); selection.dataset = "short"
        let message = errorMessage { _ = try DataSource.load(path, selection: selection) }
        XCTAssertTrue(message.contains("dataset 'short' declares a time column (time_column 'month'), but the file's 'time' dataset holds 7 labels for its 5 steps of 2 series"), message)
    }

    /// A non-finite value in pre-cut --x/--y samples is named by its element, counted from 0 as
    /// h5py counts it (forecast --x names it the same way).
    func testNonFiniteSampleValuesAreNamedByElement() throws {
        let dir = temporaryDirectory(self), path = dir + "/s.h5"
        let f = try HDF5File.create(path)
        var x = [Float](repeating: 1, count: 4 * 3 * 2)
        x[1 * 6 + 2 * 2 + 1] = .nan
        try f.write("x", shape: [4, 3, 2], values: x)
        try f.write("y", shape: [4, 1], values: [1, 2, 3, 4])
        try f.close()
        let message = errorMessage { _ = try HDF5File.open(path).supervised(x: "x", y: "y") }
        XCTAssertTrue(message.contains("dataset 'x', element [1, 2, 1]: nan; NaN and infinite values are not allowed in pre-cut samples"), message)
    }

    func testGroupCycleIsListedOnce() throws {
        let dir = temporaryDirectory(self)
        let path = dir + "/cycle.h5"
        do {
            let f = try HDF5File.create(path)
            try f.write("g/inner/series", shape: [4, 1], values: [1, 2, 3, 4])
            try f.hardLink("/", as: "g/inner/up")       // g/inner/up → the root: a cycle
            try f.hardLink("/g", as: "g/inner/self")    // and one to the parent group
        }
        let f = try HDF5File.open(path)
        XCTAssertEqual(try f.datasetNames(), ["g/inner/series"])
        XCTAssertTrue(try Inspector.describe(path).contains("g/inner/series: float32 [4, 1]"))
        let c = try DataSource.load(path, selection: DataSelection())
        XCTAssertEqual(c.series[0].matrix.values, [1, 2, 3, 4])
        let r = try runCLI(["inspect", path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertFalse(r.signaled)
    }

    func testHugeDeclaredDatasetIsRefusedBeforeAllocating() throws {
        let dir = temporaryDirectory(self)
        let path = dir + "/huge.h5"
        // 2^40 float32 = 4 TiB declared in a file of a few kB.
        do { try HDF5File.create(path).reserve("series", shape: [1 << 20, 1 << 20], chunk: [1, 1024]) }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        XCTAssertLessThan(size, 100_000)
        let msg = errorMessage { _ = try DataSource.load(path, selection: DataSelection()) }
        XCTAssertTrue(msg.contains("huge.h5: dataset 'series' declares shape [1048576, 1048576]: reading it needs 4096.0 GiB of memory, more than half of this machine's"), msg)
        XCTAssertTrue(try Inspector.describe(path).contains("series: float32 [1048576, 1048576]"), "inspect shows the shape without reading")
        let r = try runCLI(["train", "--data", path, "--out", dir + "/run"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertFalse(r.signaled)
        XCTAssertTrue(r.err.contains("declares shape [1048576, 1048576]"), r.err)
        XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
        XCTAssertEqual(listing(dir), ["huge.h5"])
    }

    func testShapeProductOverflowIsAnError() throws {
        let dir = temporaryDirectory(self)
        let path = dir + "/overflow.h5"
        do { try HDF5File.create(path).reserve("x", shape: [1 << 31, 1 << 31, 1 << 31], chunk: [1, 1, 16]) }
        let msg = errorMessage { _ = try HDF5File.open(path).read("x") }
        XCTAssertTrue(msg.contains("overflow.h5: dataset 'x' declares shape [2147483648, 2147483648, 2147483648]: reading it needs more bytes than a 64-bit machine can address"), msg)
    }

    /// The ids of a per-series run (one per batch row) are counted against the memory budget
    /// before they are made: [2^40, 1, 1] declared in a few kB needed 24 TiB of ids, and
    /// [2^31, 2^31, 2^31] trapped allocating 32 GiB of them.
    func testSeriesIdsOfAHugeBatchAreRefusedBeforeAllocating() throws {
        let dir = temporaryDirectory(self)
        for (i, shape) in [[1 << 40, 1, 1], [1 << 31, 1 << 31, 1 << 31]].enumerated() {
            let path = dir + "/batch\(i).h5"
            do { try HDF5File.create(path).reserve("series", shape: shape, chunk: [1024, 1, 1]) }
            let msg = errorMessage { _ = try SeriesCatalog.open(path, selection: DataSelection()) }
            XCTAssertTrue(msg.contains("batch\(i).h5: dataset 'series' declares shape \(shape): reading it needs "), msg)
        }
    }

    /// Every read closes what it opens, when it succeeds and when it fails part-way: after each
    /// file (the fuzz seeds, the datasets, the string-array fixture, files declaring terabytes, and
    /// damaged copies: truncated, bytes overwritten) the count of open HDF5 files and objects is back
    /// where it was. An object left open keeps its file, and that file's metadata cache, alive.
    func testEveryReadClosesEveryObjectItOpens() throws {
        let dir = temporaryDirectory(self)
        var files = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/Tests/Fuzz/corpus/hdf5").sorted()
            .map { repositoryRoot + "/Tests/Fuzz/corpus/hdf5/" + $0 }
        files += ["airline.h5", "uschange.h5"].map(datasetPath) + [repositoryRoot + "/Tests/Fixtures/string-array-attrs.h5"]
        do { try HDF5File.create(dir + "/huge.h5").reserve("series", shape: [1 << 20, 1 << 20], chunk: [1, 1024]) }
        do { try HDF5File.create(dir + "/overflow.h5").reserve("x", shape: [1 << 31, 1 << 31, 1 << 31], chunk: [1, 1, 16]) }
        files += [dir + "/huge.h5", dir + "/overflow.h5", writeFile(dir, "text.h5", "not an HDF5 file\n")]
        for source in files.filter({ $0.contains("/corpus/") }) {   // damaged copies of each seed
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
            let name = dir + "/" + (source as NSString).lastPathComponent
            try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: name + ".half"))
            for (k, stride) in [97, 251].enumerated() {
                var damaged = bytes
                for i in Swift.stride(from: 600 + k, to: damaged.count, by: stride) { damaged[i] ^= 0x5a }
                try Data(damaged).write(to: URL(fileURLWithPath: name + ".damaged\(k)"))
            }
            files += [name + ".half", name + ".damaged0", name + ".damaged1"]
        }
        let open = HDF5File.openObjectCount()
        XCTAssertGreaterThanOrEqual(open, 0)
        do {   // the count sees a file that is still open
            let held = try HDF5File.open(files[0])
            XCTAssertGreaterThan(HDF5File.openObjectCount(), open)
            withExtendedLifetime(held) {}
        }
        XCTAssertEqual(HDF5File.openObjectCount(), open)
        for path in files {
            readEverything(path)
            XCTAssertEqual(HDF5File.openObjectCount(), open, "\(path) left objects open")
        }
    }
}

/// What the fuzz target does with a file (Tests/Fuzz/FuzzHDF5.swift), and the row reads: every
/// dataset inspected and read, series and supervised mode, `seqcast inspect`; errors ignored.
private func readEverything(_ path: String) {
    if let f = try? HDF5File.open(path) {
        _ = try? f.info("/")
        for name in ((try? f.datasetNames()) ?? []).prefix(16) {
            _ = try? f.info(name)
            _ = try? f.read(name)
            _ = try? f.readStrings(name)
            _ = try? f.readRows(name) { _, _ in }
            _ = try? f.readRows(name, rows: [0]) { (_, _) throws(DataError) in throw .message("stopped by the reader") }
        }
        _ = try? f.info("missing")
        _ = try? f.supervised(x: "x", y: "y")
        var strict = DataSelection()
        strict.missing = .error
        _ = try? f.series(strict)
        _ = try? f.series(DataSelection(), rows: [0])
        _ = try? f.seriesIds(DataSelection())
    }
    _ = try? DataSource.load(path, selection: DataSelection())
    _ = try? Inspector.describe(path)
}
