// ShardSizeTests: the default shard size (two shards, cut smaller when a shard's BPTT cache would
// exceed the budget), that every new model stores the one it trains with, and that models stored
// without one keep the rule they were trained with.
import XCTest
@testable import SeqCast

final class ShardSizeTests: XCTestCase {
    private func configs() throws -> [String: BenchConfig] {
        Dictionary(uniqueKeysWithValues: try Benchmark.load(repositoryRoot + "/Benchmarks/configs.json").map { ($0.name, $0) })
    }

    func testDefaultRuleKeepsTwoShardsUnlessTheCacheExceedsTheBudget() throws {
        let c = try configs()
        func rule(_ name: String) throws -> Int {
            let b = try XCTUnwrap(c[name]); return TrainingOptions.defaultShardSize(batch: b.batch, config: b.config())
        }
        // Small and medium models: two shards, as before (S1 32 → 16, M1 64 → 32).
        XCTAssertEqual(try rule("S1-lstm"), 16)
        XCTAssertEqual(try rule("M1-lstm"), 32)
        XCTAssertEqual(try rule("M1-gru"), 32)
        // L1 (T 128, 2 × 256): 1 MiB (LSTM) / 768 KiB (GRU) of pre-activations per sequence, so a shard
        // of 64 would cache 64 / 48 MiB: four equal shards of 32 instead.
        XCTAssertEqual(try rule("L1-lstm"), 32)
        XCTAssertEqual(try rule("L1-gru"), 32)
        // The training default (batch 16) is unchanged for any model that fits: shards of 8.
        let big = try XCTUnwrap(c["L1-lstm"]).config()
        XCTAssertEqual(TrainingOptions.defaultShardSize(batch: 16, config: big), 8)
        // Never below 8, and equal shards (batch 100 → 4 shards of 25, not 32 + 32 + 32 + 4).
        XCTAssertEqual(TrainingOptions.defaultShardSize(batch: 100, config: big), 25)
        var huge = big; huge.hidden = 4096
        XCTAssertEqual(TrainingOptions.defaultShardSize(batch: 128, config: huge), 8)
        // The budget is what the rule says: a shard of the default size fits it whenever it can.
        for b in [16, 32, 64, 128, 256, 1000] {
            let s = TrainingOptions.defaultShardSize(batch: b, config: big)
            XCTAssertTrue(s == 8 || s * 128 * 2 * 4 * 256 * 4 <= TrainingOptions.shardCacheBudget, "batch \(b): \(s)")
        }
    }

    func testEveryNewModelStoresItsShardSizeAndOldModelsKeepTheirRule() throws {
        let dir = temporaryDirectory(self)
        var r = smallRequest(datasetPath("airline.csv"), out: dir + "/a", epochs: 1, ensemble: 1)
        _ = try TrainJob.run(r)
        XCTAssertEqual(try ModelFile.load(dir + "/a").manifest.training.shardSize, 8)   // batch 16: two of 8
        r.run.outDir = dir + "/b"; r.training.shardSize = 5
        _ = try TrainJob.run(r)
        XCTAssertEqual(try ModelFile.load(dir + "/b").manifest.training.shardSize, 5)
        // A manifest without a shard size (stored before it was): the rule it was trained with.
        var old = TrainingOptions(); old.batchSize = 128
        XCTAssertNil(old.shardSize)
        XCTAssertEqual(old.effectiveShardSize, 64)
        let resolved = old.resolvingShardSize(for: try XCTUnwrap(try configs()["L1-lstm"]).config())
        XCTAssertEqual(resolved.effectiveShardSize, 32)
        XCTAssertEqual(old.resolvingShardSize(for: try XCTUnwrap(try configs()["S1-lstm"]).config()).shardSize, 64)
    }

    func testAModelStoredWithoutAShardSizeResumesUnderItsOldRule() throws {
        let dir = temporaryDirectory(self)
        var full = smallRequest(datasetPath("airline.csv"), out: dir + "/full", epochs: 3, ensemble: 1)
        _ = try TrainJob.run(full)
        full.run.outDir = dir + "/old"; full.run.stopAfterEpoch = 1
        XCTAssertFalse(try TrainJob.run(full).finished)
        // Make it a model of before the shard size was stored.
        let old = try ModelFile.load(dir + "/old", current: true)
        old.manifest.training.shardSize = nil
        try ModelFile.save(old, to: dir + "/old/model.h5")
        var resumed = full; resumed.run.stopAfterEpoch = nil; resumed.run.resume = true
        XCTAssertTrue(try TrainJob.run(resumed).finished)
        let back = try ModelFile.load(dir + "/old")
        XCTAssertNil(back.manifest.training.shardSize, "resume must keep the stored (absent) shard size, not re-resolve it")
        XCTAssertEqual(back.manifest.training.effectiveShardSize, 8)
        // The old rule gives 8 here too, so the resumed run ends where the uninterrupted one did.
        XCTAssertEqual(try HDF5File.open(dir + "/old/model.h5").read("members/0/params").values,
                       try HDF5File.open(dir + "/full/model.h5").read("members/0/params").values)
    }

    func testAShardSizeBelowOneIsRefused() {
        var r = smallRequest(datasetPath("airline.csv"), out: temporaryDirectory(self) + "/x", epochs: 1, ensemble: 1)
        r.training.shardSize = 0
        XCTAssertTrue(errorMessage { _ = try TrainJob.run(r) }.contains("shard size must be at least 1, got 0"))
        let c = try! Benchmark.load(repositoryRoot + "/Benchmarks/configs.json")[0]
        XCTAssertTrue(errorMessage { _ = try Benchmark.train(c, variants: [.plain], threads: 1, steps: 1, repeats: 1, shardSize: 0) }
            .contains("shard size must be at least 1"))
    }
}
