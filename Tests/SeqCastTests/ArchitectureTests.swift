// The seams of the architecture (issue 11): horizon and look-back stored once in model.h5 (and
// older files still read), the settings' own validation, the Trainer's boundary check, the one
// parallelism policy and its first-error-wins helper, summary.json's encoded settings, and the
// flags a forecaster user already knows (`--window-stride`, backtest `--stride`, forecast `--threads`).
import Foundation
import XCTest
import SeqCast

final class ArchitectureTests: XCTestCase {
    private func trainedModel(_ dir: String) throws -> Ensemble {
        var r = smallRequest(datasetPath("airline.csv"), out: dir + "/run", epochs: 1, ensemble: 1)
        r.windows.lookback = 20
        _ = try TrainJob.run(r)
        return try ModelFile.load(dir + "/run")
    }

    func testHorizonAndLookbackAreStoredOnce() throws {
        let model = try trainedModel(temporaryDirectory(self))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(model.manifest)) as! [String: Any]
        let windows = try XCTUnwrap(json["windows"] as? [String: Any])
        XCTAssertEqual(windows["lookback"] as? Int, 20); XCTAssertEqual(windows["horizon"] as? Int, 6)
        let config = try XCTUnwrap(json["model"] as? [String: Any]), pipeline = try XCTUnwrap(json["pipeline"] as? [String: Any])
        XCTAssertNil(config["lookback"]); XCTAssertNil(config["horizon"]); XCTAssertNil(pipeline["spec"])
        XCTAssertEqual(model.manifest.model.lookback, 20)
        XCTAssertEqual(model.manifest.pipeline?.spec, model.manifest.windows)
    }

    /// A manifest in the layout before `windows` (look-back and horizon in both `model` and
    /// `pipeline.spec`) reads with the same windows.
    func testTheOlderManifestLayoutStillReads() throws {
        let model = try trainedModel(temporaryDirectory(self))
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(model.manifest)) as! [String: Any]
        let windows = json.removeValue(forKey: "windows") as! [String: Any]
        var config = json["model"] as! [String: Any], pipeline = json["pipeline"] as! [String: Any]
        config["lookback"] = windows["lookback"]; config["horizon"] = windows["horizon"]
        pipeline["spec"] = windows
        json["model"] = config; json["pipeline"] = pipeline
        let old = try JSONDecoder().decode(ModelManifest.self, from: JSONSerialization.data(withJSONObject: json))
        XCTAssertEqual(old.windows, model.manifest.windows)
        XCTAssertEqual(old.model, model.manifest.model)
        XCTAssertEqual(old.pipeline, model.manifest.pipeline)
    }

    func testSettingsValidateWithTheFlagsName() {
        var s = TrainSettings(dataPath: "x.csv")
        s.architecture.hidden = 0
        XCTAssertEqual(errorMessage { try s.validate() }, "--hidden must be at least 1, got 0")
        s = TrainSettings(dataPath: "x.csv"); s.windows.stride = 0
        XCTAssertEqual(errorMessage { try s.validate() }, "--window-stride must be at least 1, got 0")
        s = TrainSettings(dataPath: "x.csv"); s.data.x = "x"; s.data.y = "y"
        XCTAssertTrue(errorMessage { try s.validate() }.contains("--scaler window needs series mode"))
        s.data.y = nil
        XCTAssertEqual(errorMessage { try s.validate() }, "--x and --y go together (supervised HDF5 mode)")
        s = TrainSettings(dataPath: "x.csv"); s.architecture.head = .encoderDecoder; s.architecture.quantileLevels = [80]
        XCTAssertTrue(errorMessage { try s.validate() }.contains("a quantile head (--quantile-levels) works with --head seq2vec"))
        var b = BacktestSettings(); b.stride = 0
        XCTAssertEqual(errorMessage { try b.validate() }, "--stride must be at least 1, got 0")
    }

    /// Samples cut for another network are refused at the Trainer, before any raw-pointer gather.
    func testTrainerRefusesSamplesOfAnotherShape() throws {
        let net = try Network(config: ModelConfig(inputDim: 1, hidden: 4, horizon: 3, lookback: 10), seed: 1)
        let trainer = Trainer(network: net, options: TrainingOptions())
        let wrongSteps = SampleSet(steps: 12, inputDim: 1, targetWidth: 3, perStep: false,
                                   x: [Float](repeating: 0, count: 24), y: [Float](repeating: 0, count: 6))
        let wrongWidth = SampleSet(steps: 10, inputDim: 1, targetWidth: 2, perStep: false,
                                   x: [Float](repeating: 0, count: 20), y: [Float](repeating: 0, count: 4))
        for set in [wrongSteps, wrongWidth] {
            XCTAssertTrue(errorMessage { _ = try trainer.trainEpoch(set, epoch: 0) }.contains("do not fit the network"))
            XCTAssertTrue(errorMessage { _ = try trainer.evaluate(set) }.contains("do not fit the network"))
        }
    }

    func testParallelismPolicyAndFirstErrorWins() {
        XCTAssertEqual(Parallelism(tasks: 5, threads: 2), Parallelism(tasks: 2, threads: 2))
        XCTAssertEqual(Parallelism(tasks: 5, threads: 2).threadsPerTask, 1)
        XCTAssertEqual(Parallelism(tasks: 1, threads: 4).workers, 1)
        XCTAssertEqual(Parallelism(tasks: 1, threads: 4).threadsPerTask, 4)
        XCTAssertEqual(Parallelism(tasks: 3, threads: 1).workers, 1)
        struct Boom: Error { let i: Int }
        final class Ran: @unchecked Sendable { var count = 0; let lock = NSLock() }
        for threads in [1, 2] {
            let ran = Ran()
            XCTAssertThrowsError(try concurrentForEach(100, threads: threads) { i in
                ran.lock.withLock { ran.count += 1 }
                if i == 3 { throw Boom(i: i) }
            }) { XCTAssertEqual(($0 as? Boom)?.i, 3) }
            XCTAssertLessThan(ran.count, 100, "no worker starts new work after the first error")
        }
    }

    func testSummaryConfigIsTheEncodedSettings() throws {
        let dir = temporaryDirectory(self)
        var r = BacktestRequest(train: smallRequest(datasetPath("airline.csv"), epochs: 1, ensemble: 1))
        r.backtest.start = .fraction(0.9); r.backtest.stride = 6
        let result = try BacktestJob.run(r)
        try result.write(to: dir, config: r.config)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as! [String: Any]
        let config = try XCTUnwrap(summary["config"] as? [String: Any])
        let decoded = try JSONDecoder().decode(BacktestRequest.Config.self, from: JSONSerialization.data(withJSONObject: config))
        XCTAssertEqual(decoded, r.config, "summary.json's config reads back as the request's settings")
        let resolved = try XCTUnwrap(summary["resolved"] as? [String: Any])
        XCTAssertEqual(resolved["lookback"] as? Int, result.lookback)
    }

    /// `--window-stride` spaces training windows; backtest `--stride` spaces origins (as Darts'
    /// stride) and `--origin-stride` is the same flag; supervised mode refuses series-only flags.
    func testFlagNames() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: seqcastBinary), "build the CLI first")
        let dir = temporaryDirectory(self)
        let air = datasetPath("airline.csv")
        let common = ["--data", air, "--horizon", "6", "--hidden", "4", "--epochs", "1", "--ensemble", "1", "--start", "0.8", "--quiet"]
        let a = try runCLI(["backtest"] + common + ["--stride", "12", "--out", dir + "/a"])
        let b = try runCLI(["backtest"] + common + ["--origin-stride", "12", "--out", dir + "/b"])
        XCTAssertEqual(a.status, 0, a.err); XCTAssertEqual(b.status, 0, b.err)
        let fa = try String(contentsOfFile: dir + "/a/forecasts.csv", encoding: .utf8)
        XCTAssertEqual(fa, try String(contentsOfFile: dir + "/b/forecasts.csv", encoding: .utf8))
        XCTAssertTrue(a.out.contains("backtest of \(air): 3 windows"), a.out)   // origins 114, 126, 138 ≤ 144 − 6
        let w = try runCLI(["train", "--data", air, "--window-stride", "3", "--horizon", "6", "--hidden", "4", "--epochs", "1",
                            "--ensemble", "1", "--out", dir + "/w", "--quiet"])
        XCTAssertEqual(w.status, 0, w.err)
        XCTAssertEqual(try ModelFile.load(dir + "/w").manifest.windows.stride, 3)
        let old = try runCLI(["train", "--data", air, "--stride", "3", "--out", dir + "/old"])
        XCTAssertNotEqual(old.status, 0); XCTAssertTrue(old.err.contains("--stride"), old.err)
        let sup = try runCLI(["train", "--data", datasetPath("airline.h5"), "--x", "series", "--y", "series", "--horizon", "3",
                              "--scaler", "standard", "--out", dir + "/sup"])
        XCTAssertNotEqual(sup.status, 0)
        XCTAssertTrue(sup.err.contains("supervised HDF5 mode (--x/--y)") && sup.err.contains("--horizon"), sup.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/sup"))
    }

    func testASeriesModelRefusesSupervisedInput() throws {
        let model = try trainedModel(temporaryDirectory(self))
        XCTAssertTrue(errorMessage { _ = try ForecastInput.read(datasetPath("airline.h5"), for: model, x: "series") }
            .contains("trained in series mode"))
        let input = try ForecastInput.read(datasetPath("airline.csv"), for: model)
        XCTAssertEqual(try Forecaster.forecast(model, input: input, threads: 1).values,
                       try Forecaster.forecast(model, data: try XCTUnwrap(input.series), threads: 1).values)
    }

    func testForecastThreadsDoNotChangeTheForecast() throws {
        let dir = temporaryDirectory(self)
        _ = try trainedModel(dir)
        for t in ["1", "2"] {
            let r = try runCLI(["forecast", "--model", dir + "/run", "--data", datasetPath("airline.csv"), "--threads", t,
                                "--out", dir + "/f\(t).csv"])
            XCTAssertEqual(r.status, 0, r.err)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/f1.csv")), try Data(contentsOf: URL(fileURLWithPath: dir + "/f2.csv")))
    }
}

extension ArchitectureTests {
    /// Transforms are stored as `{NAME: {"_0": fields}}` (the layout model files have always had),
    /// found by name in `SeriesTransforms.all`, and `--transform` takes exactly those names.
    func testTransformsAreStoredByName() throws {
        let t = SeriesTransform(LogTransform(channels: [true, false]))
        let json = String(decoding: try JSONEncoder().encode(t), as: UTF8.self)
        XCTAssertEqual(json, #"{"log":{"_0":{"channels":[true,false]}}}"#)
        XCTAssertEqual(try JSONDecoder().decode(SeriesTransform.self, from: Data(json.utf8)), t)
        XCTAssertTrue(errorMessage { _ = try JSONDecoder().decode(SeriesTransform.self, from: Data(#"{"yeojohnson":{"_0":{}}}"#.utf8)) }
            .contains("unknown transform 'yeojohnson'"))
        XCTAssertEqual(SeriesTransforms.names, ["log", "boxcox", "deseasonalise"])
        let b = SeriesTransform(BoxCoxTransform(lambdas: [0.25, nil]))
        XCTAssertEqual(try JSONDecoder().decode(SeriesTransform.self, from: JSONEncoder().encode(b)), b)
        XCTAssertEqual(TransformChoice(transformList: "deseasonalise,log")?.names, ["deseasonalise", "log"])
        XCTAssertNil(TransformChoice(transformList: "log,yeojohnson"))
    }
}
