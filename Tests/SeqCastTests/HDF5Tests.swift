// HDF5: round trips, the h5py [batch, steps, dim] layout, supervised mode, and every bad input; the
// files' `created` stamp.
import Foundation
import XCTest
import SeqCast

final class HDF5Tests: XCTestCase {
    /// The `created` attribute is made by arithmetic (Foundation's formatter loads ICU data) and
    /// reads as ISO8601DateFormatter wrote it: leap days, year ends, before 1970, fractions of a second.
    func testCreatedTimestampIsWhatISO8601DateFormatterWrites() {
        let formatter = ISO8601DateFormatter()
        for t in [0, 951_782_400, 951_868_799.999, 1_582_934_400, 1_234_567_890.9, 1_796_080_000, 4_102_444_799, -1, -86_400 * 366.5] as [Double] {
            let d = Date(timeIntervalSince1970: t)
            XCTAssertEqual(createdTimestamp(d), formatter.string(from: d), "\(t)")
        }
    }

    /// The same content written twice, a few seconds apart, makes the same bytes: datasets carry no
    /// object times, and SOURCE_DATE_EPOCH fixes the `created` stamp (without it, the clock's).
    func testSameContentSameBytes() throws {
        let dir = temporaryDirectory(self)
        setenv("SOURCE_DATE_EPOCH", "1700000000", 1)
        defer { unsetenv("SOURCE_DATE_EPOCH") }
        XCTAssertEqual(createdTimestamp(), "2023-11-14T22:13:20Z")
        func write(_ name: String) throws -> Data {
            let path = dir + "/" + name
            let f = try HDF5File.create(path)
            try f.setRootAttribute("created", .string(createdTimestamp()))
            try f.write("group/forecast", shape: [2, 3], values: [1, 2, 3, 4, 5, 6], attributes: [("unit", .string("kg"))])
            try f.write("time", strings: ["2020-01", "2020-02"])
            try f.reserve("big", shape: [4, 4], chunk: [2, 2])
            try f.close()
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        let first = try write("a.h5")
        Thread.sleep(forTimeInterval: 1.1)   // object times, if kept, are whole seconds
        XCTAssertEqual(first, try write("b.h5"))
        unsetenv("SOURCE_DATE_EPOCH")
        XCTAssertNotEqual(createdTimestamp(), "2023-11-14T22:13:20Z")
    }

    func testCSVToWindowsToHDF5RoundTripIsBitExact() throws {
        let dir = temporaryDirectory(self)
        let c = try DataSource.load(datasetPath("uschange.csv"), selection: DataSelection())
        let train = try c.split(spec: WindowSpec(lookback: 8, horizon: 4), scaler: .standard, valFraction: 0.2).train.materialised()
        let path = dir + "/windows.h5"
        try AtomicFile.write(to: path) { tmp throws(DataError) in
            let f = try HDF5File.create(tmp)
            try f.write("x", shape: [train.count, 8, 5], values: train.x, attributes: [("note", .string("windows"))])
            try f.write("y", shape: [train.count, 4, 5], values: train.y)
        }
        let back = try HDF5File.open(path).supervised(x: "x", y: "y")
        XCTAssertEqual(back.samples, train, "x and y must come back bit for bit")
        XCTAssertEqual(back.horizon, 4); XCTAssertEqual(back.outputDim, 5)
        XCTAssertEqual(try HDF5File.open(path).info("x").attributes.first?.1, .string("windows"))
    }

    func testBatchStepsDimFileReadsAsSeries() throws {
        let dir = temporaryDirectory(self)
        let path = dir + "/batch.h5"
        // What h5py writes for np.arange(2*5*3).reshape(2, 5, 3).astype('float32').
        let values = (0..<30).map(Float.init)
        do { let f = try HDF5File.create(path); try f.write("data", shape: [2, 5, 3], values: values) }
        var sel = DataSelection(); sel.dataset = "data"
        let c = try DataSource.load(path, selection: sel)
        XCTAssertEqual(c.series.count, 2)
        XCTAssertEqual(c.channels, ["v0", "v1", "v2"])
        XCTAssertEqual(c.series[1].matrix.steps, 5)
        XCTAssertEqual(c.series[1].matrix[4, 2], 29)
        XCTAssertEqual(c.series[0].matrix[1, 0], 3)
    }

    func testConvertedCSVKeepsNamesTimeAndValues() throws {
        let dir = temporaryDirectory(self)
        let csv = try DataSource.load(datasetPath("airline.csv"), selection: DataSelection())
        try csv.writeHDF5(to: dir + "/airline.h5")
        let h5 = try DataSource.load(dir + "/airline.h5", selection: DataSelection())
        XCTAssertEqual(h5.channels, ["Passengers"])
        XCTAssertEqual(h5.series[0].matrix, csv.series[0].matrix)
        XCTAssertEqual(h5.series[0].time, csv.series[0].time)
        XCTAssertEqual(h5.timeAxis, csv.timeAxis)
    }

    /// A file converted with targets and covariates is read with that selection when none is given:
    /// its covariate columns were left out (exploratory testing, 2026-12-02). A selection given
    /// on the command line still decides.
    func testConvertedSelectionKeepsItsCovariates() throws {
        let dir = temporaryDirectory(self)
        var sel = DataSelection(); sel.targets = ["savings", "consumption"]; sel.covariates = ["income"]
        let csv = try DataSource.load(datasetPath("uschange.csv"), selection: sel)
        try csv.writeHDF5(to: dir + "/us.h5")
        let h5 = try DataSource.load(dir + "/us.h5", selection: DataSelection())
        XCTAssertEqual(h5.channels, ["savings", "consumption", "income"])
        XCTAssertEqual(h5.targetCount, 2)
        XCTAssertEqual(h5.series[0].matrix, csv.series[0].matrix)
        // inspect shows that selection, with statistics per channel (it listed attributes only).
        let text = try Inspector.describe(dir + "/us.h5")
        XCTAssertTrue(text.contains("series (dataset 'series'): 1 × 187 steps; 2 targets, 1 covariate"), text)
        XCTAssertTrue(text.contains("income          covariate        0"), text)
        XCTAssertTrue(text.contains("savings         target           0     -68.7883       50.758"), text)
        // Covariates named without targets: the file's other targets (it said "both a target and a covariate").
        var covariateOnly = DataSelection(); covariateOnly.covariates = ["consumption"]
        let other = try DataSource.load(dir + "/us.h5", selection: covariateOnly)
        XCTAssertEqual(other.channels, ["savings", "consumption"]); XCTAssertEqual(other.targetCount, 1)
        // A series file a default train would refuse: inspect lists it and says why (one line).
        do {
            let f = try HDF5File.create(dir + "/bad.h5")
            try f.write("series", shape: [3, 2], values: [1, 2, 3, 4, 5, 6], attributes: [("target_count", .numbers([1.5]))])
            try f.close()
        }
        let bad = try Inspector.describe(dir + "/bad.h5")
        XCTAssertTrue(bad.contains("series: float32 [3, 2]") && bad.contains("note: with the default selection, train would stop: ")
                      && bad.contains("target_count' is 1.5, not a whole number of columns"), bad)
        XCTAssertTrue(text.contains("time column 'quarter': quarterly, seasonal period 4"), text)
        var targetOnly = DataSelection(); targetOnly.targets = ["savings"]
        let chosen = try DataSource.load(dir + "/us.h5", selection: targetOnly)
        XCTAssertEqual(chosen.channels, ["savings"])
    }

    /// Attributes past the 64 KiB an HDF5 object header holds: 8 000 column names (106 kB) and 6 000
    /// series ids (84 kB) convert and read back (they failed with "object header message is too large").
    func testThousandsOfColumnsAndSeriesIdsConvertAndReadBack() throws {
        let dir = temporaryDirectory(self)
        let names = (0..<8000).map { String(format: "column_%05d", $0) }
        let wide = writeFile(dir, "wide.csv", (["t"] + names).joined(separator: ",") + "\n"
            + (0..<12).map { t in ([String(t)] + names.indices.map { String(t + $0 % 7) }).joined(separator: ",") }.joined(separator: "\n") + "\n")
        let w = try DataSource.load(wide, selection: DataSelection())
        try w.writeHDF5(to: dir + "/wide.h5")
        let wh = try DataSource.load(dir + "/wide.h5", selection: DataSelection())
        XCTAssertEqual(wh.channels, w.channels)
        XCTAssertEqual(wh.channels.count, 8001, "t (plain integers, no time axis) and the 8 000")
        XCTAssertEqual(wh.series[0].matrix, w.series[0].matrix)
        let ids = (0..<6000).map { String(format: "series_%06d", $0) }
        let long = writeFile(dir, "long.csv", "id,t,y\n" + ids.map { id in (0..<3).map { "\(id),\($0),\($0 + 1)" }.joined(separator: "\n") }
            .joined(separator: "\n") + "\n")
        var selection = DataSelection(); selection.idColumn = "id"
        let l = try DataSource.load(long, selection: selection)
        try l.writeHDF5(to: dir + "/long.h5")
        let lh = try DataSource.load(dir + "/long.h5", selection: DataSelection())
        XCTAssertEqual(lh.series.map(\.id), ids)
    }

    func testBadFilesAndDatasets() throws {
        let dir = temporaryDirectory(self)
        let good = dir + "/good.h5"
        do {
            let f = try HDF5File.create(good)
            try f.write("x", shape: [4, 3, 2], values: [Float](repeating: 1, count: 24))
            try f.write("y", shape: [3, 1], values: [1, 2, 3])
            try f.write("r4", shape: [1, 1, 1, 2], values: [1, 2])
            try f.write("labels", strings: ["a", "b"])
            try f.write("bad", shape: [3], values: [1, .infinity, 2])
        }
        func message(_ body: () throws -> Void) -> String { errorMessage(body) }
        XCTAssertTrue(message { _ = try HDF5File.open(dir + "/none.h5") }.hasSuffix("none.h5: no such file"))
        let text = writeFile(dir, "text.h5", "date,value\n1,2\n")
        XCTAssertTrue(message { _ = try HDF5File.open(text) }.contains("text.h5: not an HDF5 file"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        FileManager.default.createFile(atPath: dir + "/cut.h5", contents: bytes.prefix(bytes.count / 2))
        let cut = message { _ = try HDF5File.open(dir + "/cut.h5").read("x") }
        XCTAssertTrue(cut.contains("cut.h5: opening the file failed") && cut.contains("truncated file"), cut)
        let f = try HDF5File.open(good)
        let missing = message { _ = try f.read("z") }
        XCTAssertTrue(missing.contains("no dataset 'z'; the file has: bad, labels, r4, x, y"), missing)
        var sel = DataSelection(); sel.dataset = "r4"
        XCTAssertTrue(message { _ = try f.series(sel) }.contains("dataset 'r4' has rank 4"))
        XCTAssertTrue(message { _ = try f.read("labels") }.contains("dataset 'labels' holds string, not numbers"))
        let mismatch = message { _ = try f.supervised(x: "x", y: "y") }
        XCTAssertTrue(mismatch.contains("x 'x' has 4 samples (shape [4, 3, 2]) but y 'y' has 3"), mismatch)
        sel.dataset = "bad"
        let inf = message { _ = try f.series(sel) }
        XCTAssertTrue(inf.contains("dataset 'bad', element [1] (step 2 of 3, column 'bad'): inf; infinite values are not allowed (a missing value is NaN"), inf)
    }

    func testFailedWriteLeavesNothingAndKeepsExistingFile() throws {
        let dir = temporaryDirectory(self)
        let target = writeFile(dir, "out.h5", "previous contents")
        let msg = errorMessage {
            try AtomicFile.write(to: target) { tmp throws(DataError) in
                let f = try HDF5File.create(tmp)
                try f.write("x", shape: [2], values: [1, 2])
                throw DataError.message("simulated failure")
            }
        }
        XCTAssertEqual(msg, "simulated failure")
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "previous contents")
        XCTAssertEqual(listing(dir), ["out.h5"], "no temporary file may remain")
        let unwritable = errorMessage { try AtomicFile.write("x", to: dir + "/no/such/dir/out.csv") }
        XCTAssertTrue(unwritable.contains("cannot write: directory"), unwritable)
    }

    /// String attributes that are arrays (h5py: `attrs['notes'] = ['a', 'bb', 'ccc']`) are skipped: reading
    /// one as a single string wrote every element into room for one (a stack overwrite for 3
    /// variable-length strings). Fixture made by Tests/Fixtures/make-string-array-attrs.c.
    func testStringArrayAttributesAreSkippedNotReadIntoOneString() throws {
        let path = repositoryRoot + "/Tests/Fixtures/string-array-attrs.h5"
        let f = try HDF5File.open(path)
        let names = try f.attributes(of: "series").map(\.0)
        XCTAssertEqual(names, ["columns"], "the scalar attribute is read, the two string arrays are not")
        XCTAssertEqual(try f.stringAttribute("columns", of: "series"), "y")
        let data = try DataSource.load(path, selection: DataSelection())
        XCTAssertEqual(data.channels, ["y"])
        XCTAssertEqual(data.series[0].matrix.values, (0..<12).map(Float.init))
    }
}
