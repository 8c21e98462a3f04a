// ModelFileTests: model.h5's layout — the manifest stored as a dataset, so a long run's per-epoch
// history (or a few hundred channels' fitted preprocessing) no longer hits the 64 KiB limit of an
// HDF5 attribute, and models written with the manifest in a root attribute still load.
import XCTest
@testable import SeqCast

final class ModelFileTests: XCTestCase {
    /// 700 epochs of history make a manifest of about 80 KiB: as an attribute, `model.h5` could not
    /// be written (`H5O__alloc(): object header message is too large`) and the run failed at its
    /// first checkpoint past ~560 epochs.
    func testALongRunsManifestIsWrittenAndReadBack() throws {
        let dir = temporaryDirectory(self)
        var r = smallRequest(datasetPath("airline.csv"), out: dir + "/run", horizon: 12, hidden: 4, epochs: 700,
                             ensemble: 1, patience: 700)
        r.training.batchSize = 64
        let s = try TrainJob.run(r)
        XCTAssertTrue(s.finished)
        XCTAssertEqual(s.epochs, 700)
        let f = try HDF5File.open(dir + "/run/model.h5")
        let json = try XCTUnwrap(try f.readStrings("manifest").first)
        XCTAssertGreaterThan(json.utf8.count, 1 << 16, "the manifest must be larger than an attribute may be for this test to mean anything")
        XCTAssertNil(try f.stringAttribute("manifest"), "one copy of the manifest, in the dataset")
        let model = try ModelFile.load(dir + "/run")
        XCTAssertEqual(model.manifest.members[0].history.count, 700)
        XCTAssertEqual(model.manifest.members[0].history.last?.epoch, 700)
        // Resuming reads it back as it was written: a finished run has nothing left to do.
        var resumed = r; resumed.run.resume = true
        XCTAssertEqual(try TrainJob.run(resumed).epochs, 700)
    }

    /// A model written before the manifest moved (`Tests/Fixtures/model-manifest-attribute.h5`: airline,
    /// horizon 12, hidden 4, 2 epochs, one member, by seqcast at 57ce775) loads and forecasts as it did
    /// then (first value 434.32123 printed by that binary; compared loosely, since another CPU's BLAS
    /// kernels may round differently).
    func testAModelWithTheManifestInAnAttributeStillLoads() throws {
        let path = repositoryRoot + "/Tests/Fixtures/model-manifest-attribute.h5"
        XCTAssertNotNil(try HDF5File.open(path).stringAttribute("manifest"))
        let model = try ModelFile.load(path)
        XCTAssertEqual(model.manifest.channels, ["Passengers"])
        XCTAssertEqual(model.manifest.model.horizon, 12)
        XCTAssertEqual(model.members.count, 1)
        XCTAssertEqual(model.manifest.members[0].history.count, 2)
        let data = try DataSource.load(datasetPath("airline.csv"), selection: model.manifest.selection)
        let forecast = try Forecaster.forecast(model, data: data)
        XCTAssertEqual(forecast.times[0].first, "1961-01")
        XCTAssertEqual(Double(forecast.values[0][0]), 434.32123, accuracy: 0.05)
    }

    /// Someone's data file with a numeric dataset called `manifest` is not a model: the usual message.
    func testANumericManifestDatasetIsNotAModel() throws {
        let path = temporaryDirectory(self) + "/data.h5"
        let f = try HDF5File.create(path)
        try f.write("manifest", shape: [3], values: [1, 2, 3])
        try f.close()
        let msg = errorMessage { _ = try ModelFile.load(path) }
        XCTAssertTrue(msg.contains("not a seqcast model (no 'manifest' dataset or attribute)"), msg)
    }
}
