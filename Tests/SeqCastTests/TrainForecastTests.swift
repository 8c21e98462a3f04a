// The train → forecast job end to end through the library: outputs read back, determinism across
// thread counts and seeds, resume after an interruption, supervised HDF5 input.
import Foundation
import XCTest
import SeqCast

final class TrainForecastTests: XCTestCase {
    private func request(_ data: String, _ out: String, epochs: Int = 4, threads: Int = 1, seed: UInt64 = 42) -> TrainRequest {
        smallRequest(data, out: out, horizon: 12, hidden: 16, epochs: epochs, threads: threads, seed: seed, patience: 0)
    }

    private func params(_ dir: String) throws -> [Float] { try HDF5File.open(dir + "/model.h5").read("members/0/params").values }

    func testTrainForecastAndReadBack() throws {
        let dir = temporaryDirectory(self)
        let s = try TrainJob.run(request(datasetPath("airline.csv"), dir + "/run"))
        XCTAssertTrue(s.finished)
        XCTAssertEqual(s.epochs, 4)
        let history = try String(contentsOfFile: dir + "/run/history.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(history.count, 1 + 4 * 5, "4 epochs × 5 ensemble members")
        XCTAssertEqual(history[0], "epoch,train_loss,val_loss,seconds,member")
        XCTAssertTrue(history[1].hasPrefix("1,") && history[1].hasSuffix(",1") && history[20].hasSuffix(",5"))

        let model = try ModelFile.load(dir + "/run")
        XCTAssertEqual(model.manifest.model.horizon, 12)
        XCTAssertEqual(model.manifest.channels, ["Passengers"])
        let data = try DataSource.load(datasetPath("airline.csv"), selection: model.manifest.selection)
        let f = try Forecaster.forecast(model, data: data)
        XCTAssertEqual(f.times[0], (1...12).map { String(format: "1961-%02d", $0) })
        XCTAssertTrue(f.values[0].allSatisfy { $0.isFinite && $0 > 100 && $0 < 1500 }, "\(f.values[0])")

        try f.write(to: dir + "/f.csv")
        try f.write(to: dir + "/f.h5")
        let csv = try CSVTable.read(dir + "/f.csv", keepingText: .all)
        XCTAssertEqual(csv.header, ["series", "time", "step", "variable", "value"])
        XCTAssertEqual(csv.rows.count, 12)
        XCTAssertEqual(csv.rows.map { Float($0[4])! }, f.values[0], "CSV values read back exactly")
        let h5 = try HDF5File.open(dir + "/f.h5")
        let (shape, values) = try h5.read("forecast")
        XCTAssertEqual(shape, [1, 12, 1]); XCTAssertEqual(values, f.values[0])
        XCTAssertEqual(try h5.readStrings("forecast_time"), f.times[0])

        // Write-back goes into a copy; the input is untouched, writing over it is refused.
        try data.writeHDF5(to: dir + "/in.h5")
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/in.h5"))
        try f.writeBack(input: dir + "/in.h5", output: dir + "/copy.h5", name: "forecast")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/in.h5")), before)
        XCTAssertEqual(try HDF5File.open(dir + "/copy.h5").datasetNames(), ["forecast", "forecast_time", "series", "time"])
        let refused = errorMessage { try f.writeBack(input: dir + "/in.h5", output: dir + "/in.h5", name: "forecast") }
        XCTAssertTrue(refused.contains("refusing to overwrite the input file"), refused)
    }

    func testThreadsAndSeeds() throws {
        let dir = temporaryDirectory(self)
        let data = datasetPath("uschange.csv")
        var r1 = request(data, dir + "/t1", epochs: 3, threads: 1); r1.windows.horizon = 4; r1.architecture.layers = 2; r1.architecture.dropout = 0.2; r1.architecture.recurrentDropout = 0.1
        var r2 = r1; r2.run.outDir = dir + "/t2"; r2.run.threads = 2
        var r3 = r2; r3.run.outDir = dir + "/t3"
        var r4 = r2; r4.run.outDir = dir + "/t4"; r4.training.seed = 7
        for r in [r1, r2, r3, r4] { _ = try TrainJob.run(r) }
        XCTAssertEqual(try params(dir + "/t1"), try params(dir + "/t2"), "--threads 1 and 2 must give identical weights")
        XCTAssertEqual(try params(dir + "/t2"), try params(dir + "/t3"), "same seed twice must give identical weights")
        XCTAssertNotEqual(try params(dir + "/t2"), try params(dir + "/t4"), "a different seed must give different weights")
    }

    /// An encoder–decoder (bidirectional 2-layer encoder, bridge to a wider decoder, scheduled
    /// sampling, dropout) and a bidirectional seq2vec model: identical across --threads, stored in
    /// model.h5 with their whole configuration (they load and forecast with no other settings), and
    /// resumed to the weights of an uninterrupted run.
    func testEncoderDecoderAndBidirectionalModels() throws {
        let dir = temporaryDirectory(self)
        var ed = request(datasetPath("uschange.csv"), dir + "/ed1", epochs: 4)
        ed.windows.horizon = 4; ed.training.ensemble = 2
        ed.architecture.head = .encoderDecoder; ed.architecture.layers = 2; ed.architecture.bidirectional = true
        ed.architecture.decoderHidden = 20; ed.architecture.dropout = 0.2; ed.architecture.recurrentDropout = 0.1
        ed.training.teacherForcing = 0.6; ed.training.teacherForcingDecay = 0.8
        var bi = request(datasetPath("airline.csv"), dir + "/bi1", epochs: 3)
        bi.architecture.bidirectional = true; bi.architecture.merge = .sum; bi.architecture.layerNorm = true; bi.training.ensemble = 1
        for (r, name) in [(ed, "ed"), (bi, "bi")] {
            _ = try TrainJob.run(r)
            var two = r; two.run.outDir = dir + "/\(name)2"; two.run.threads = 2
            _ = try TrainJob.run(two)
            XCTAssertEqual(try params(dir + "/\(name)1"), try params(dir + "/\(name)2"), "\(name): --threads 1 and 2 differ")
            let model = try ModelFile.load(dir + "/\(name)1")
            XCTAssertEqual(model.manifest.model.architecture, r.architecture, "\(name): the architecture round-trips through model.h5")
            XCTAssertEqual(model.manifest.training.teacherForcing, r.training.teacherForcing)
            let data = try DataSource.load(r.data.path, selection: model.manifest.selection)
            let f = try Forecaster.forecast(model, data: data)
            XCTAssertTrue(f.values[0].allSatisfy(\.isFinite), "\(f.values[0])")
            // Stopped after 2 epochs and resumed: the uninterrupted run's weights and moments.
            var part = r; part.run.outDir = dir + "/\(name)p"; part.run.stopAfterEpoch = 2
            XCTAssertFalse(try TrainJob.run(part).finished)
            var resumed = part; resumed.run.stopAfterEpoch = nil; resumed.run.resume = true
            XCTAssertTrue(try TrainJob.run(resumed).finished)
            for m in 0..<r.training.ensemble {
                for key in ["params", "optimizer/m"] {
                    XCTAssertEqual(try HDF5File.open(dir + "/\(name)p/model.h5").read("members/\(m)/\(key)").values,
                                   try HDF5File.open(dir + "/\(name)1/model.h5").read("members/\(m)/\(key)").values,
                                   "\(name) member \(m) \(key): resumed differs from uninterrupted")
                }
            }
        }
    }

    func testResumeMatchesAnUninterruptedRun() throws {
        let dir = temporaryDirectory(self)
        var full = request(datasetPath("sunspots.csv"), dir + "/full", epochs: 6)
        full.windows.horizon = 3; full.architecture.recurrentDropout = 0.2; full.training.patience = 3
        _ = try TrainJob.run(full)
        var part = full; part.run.outDir = dir + "/part"; part.run.stopAfterEpoch = 2
        let stopped = try TrainJob.run(part)
        XCTAssertFalse(stopped.finished); XCTAssertEqual(stopped.epochs, 2)
        var resumed = part; resumed.run.stopAfterEpoch = nil; resumed.run.resume = true
        let s = try TrainJob.run(resumed)
        XCTAssertTrue(s.finished)
        XCTAssertEqual(try params(dir + "/part"), try params(dir + "/full"), "resumed run must end with the same weights")
        XCTAssertEqual(try HDF5File.open(dir + "/part/model.h5").read("members/0/optimizer/m").values,
                       try HDF5File.open(dir + "/full/model.h5").read("members/0/optimizer/m").values)
    }

    func testEnsembleMembersTrainConcurrentlyAndResumeIdentically() throws {
        let dir = temporaryDirectory(self)
        var one = request(datasetPath("airline.csv"), dir + "/e1", epochs: 4, threads: 1)
        one.windows.horizon = 6; one.training.ensemble = 3; one.training.patience = 2
        var two = one; two.run.outDir = dir + "/e2"; two.run.threads = 2
        let s1 = try TrainJob.run(one), s2 = try TrainJob.run(two)
        XCTAssertEqual(s1.members, 3); XCTAssertTrue(s1.finished && s2.finished)
        for i in 0..<3 {
            let a = try HDF5File.open(dir + "/e1/model.h5").read("members/\(i)/params").values
            let b = try HDF5File.open(dir + "/e2/model.h5").read("members/\(i)/params").values
            XCTAssertEqual(a, b, "member \(i): sequential and concurrent members must agree")
        }
        let m0 = try HDF5File.open(dir + "/e1/model.h5").read("members/0/params").values
        let m1 = try HDF5File.open(dir + "/e1/model.h5").read("members/1/params").values
        XCTAssertNotEqual(m0, m1, "members are differently seeded")
        // Interrupt (members at epoch 2), resume concurrently: same as uninterrupted.
        var part = two; part.run.outDir = dir + "/e3"; part.run.stopAfterEpoch = 2
        XCTAssertFalse(try TrainJob.run(part).finished)
        part.run.stopAfterEpoch = nil; part.run.resume = true
        XCTAssertTrue(try TrainJob.run(part).finished)
        for i in 0..<3 {
            XCTAssertEqual(try HDF5File.open(dir + "/e3/model.h5").read("members/\(i)/params").values,
                           try HDF5File.open(dir + "/e1/model.h5").read("members/\(i)/params").values)
        }
        // The ensemble forecast: each variant's members averaged (members 0 and 2 use variant 0,
        // member 1 variant 1), the variants' means sharing 1 − w equally with seasonal naive at w,
        // all of it sharing 1 − θ with Theta's forecast at θ.
        let model = try ModelFile.load(dir + "/e1")
        let p = try XCTUnwrap(model.manifest.pipeline)
        XCTAssertEqual(p.variants.count, 2); XCTAssertEqual(p.baselineLags, [12])
        let data = try DataSource.load(datasetPath("airline.csv"), selection: model.manifest.selection)
        let combined = try Forecaster.forecast(model, data: data).values[0]
        let single = try model.members.map { try Forecaster.forecast(ModelFileTestSupport.single(model, member: $0), data: data).values[0] }
        let w = Forecaster.baselineWeight(model, pipeline: p), y = data.series[0].matrix
        let theta = try XCTUnwrap(p.theta), history = (0..<144).map { Double(y[$0, 0]) }
        let t = try XCTUnwrap(Theta.forecast(history, season: theta.season, horizon: 6))
        for k in 0..<6 {
            let network = (1 - w) / 2 * ((single[0][k] + single[2][k]) / 2 + single[1][k]) + w * y[144 - 12 + k, 0]
            let expected = (1 - theta.weight) * network + theta.weight * Float(t[k])
            XCTAssertEqual(combined[k], expected, accuracy: 1e-4 * abs(expected))
        }
    }

    func testDivergenceStopsWithAClearMessageAndKeepsTheLastCheckpoint() throws {
        let dir = temporaryDirectory(self)
        var r = request(datasetPath("airline.csv"), dir + "/run", epochs: 6)
        r.training.ensemble = 1; r.run.stopAfterEpoch = 2
        _ = try TrainJob.run(r)
        // Poison the checkpoint's dense weights so the next forward pass overflows to ±inf / NaN.
        let model = try ModelFile.load(dir + "/run", current: true)
        let w = model.network.layout.entry("dense.W")!
        for i in 0..<w.count { model.members[0].network.params[w.offset + i] = 1e38 }
        try ModelFile.save(model, to: dir + "/run/model.h5")
        let checkpoint = try Data(contentsOf: URL(fileURLWithPath: dir + "/run/model.h5"))
        r.run.stopAfterEpoch = nil; r.run.resume = true
        let msg = errorMessage { _ = try TrainJob.run(r) }
        XCTAssertTrue(msg.contains("training diverged: the loss became NaN or infinite at epoch 3"), msg)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/run/model.h5")), checkpoint,
                       "the last checkpoint stays as it was")
    }

    func testSupervisedHDF5TrainsAndForecasts() throws {
        let dir = temporaryDirectory(self)
        // The usual Python recipe: X = series[:, :n_steps], y = series[:, n_steps:].
        let b = 200, steps = 20, k = 3
        var rng = SeededRandom(seed: 5)
        var xs = [Float](), ys = [Float]()
        for _ in 0..<b {
            let phase = rng.uniform(0, 6.28), freq = rng.uniform(0.2, 0.5)
            let series = (0..<(steps + k)).map { Float(sin(Double(phase + freq * Float($0)))) }
            xs += series.prefix(steps); ys += series.suffix(k)
        }
        do {
            let f = try HDF5File.create(dir + "/sup.h5")
            try f.write("X", shape: [b, steps, 1], values: xs)
            try f.write("y", shape: [b, k], values: ys)
        }
        var r = TrainRequest(dataPath: dir + "/sup.h5", outDir: dir + "/run")
        r.data.x = "X"; r.data.y = "y"; r.preprocessing.scaler = .standard; r.architecture.hidden = 16
        r.training.epochs = 30; r.training.learningRate = 1e-2
        let s = try TrainJob.run(r)
        XCTAssertLessThan(s.bestLoss!, 0.1, "a clean sine continuation should be learned")
        let model = try ModelFile.load(dir + "/run")
        XCTAssertEqual(model.manifest.model.horizon, k)
        let f = try Forecaster.forecastSupervised(model, path: dir + "/sup.h5", xName: "X")
        XCTAssertEqual(f.values.count, b)
        // The one entry for both modes gives the same forecast, and refuses the other mode's input.
        let viaInput = try Forecaster.forecast(model, input: try ForecastInput.read(dir + "/sup.h5", for: model, x: "X"), threads: 2)
        XCTAssertEqual(viaInput.values, f.values)
        XCTAssertTrue(errorMessage { _ = try ForecastInput.read(dir + "/sup.h5", for: model) }.contains("forecast with --x NAME"))
        var mse = 0.0
        for i in 0..<b { for j in 0..<k { let d = Double(f.values[i][j] - ys[i * k + j]); mse += d * d } }
        XCTAssertLessThan(mse / Double(b * k), 0.05)

        // Through the CLI without --scaler: supervised mode takes the standard scaler (the window
        // scaler needs series); asking for intervals gives points and a note that says why.
        let cli = try runCLI(["train", "--data", dir + "/sup.h5", "--x", "X", "--y", "y", "--epochs", "1", "--quiet", "--out", dir + "/cli"])
        XCTAssertEqual(cli.status, 0, cli.err)
        XCTAssertNotNil(try ModelFile.load(dir + "/cli").manifest.supervised)
        let fc = try runCLI(["forecast", "--model", dir + "/cli", "--data", dir + "/sup.h5", "--x", "X", "--out", dir + "/f.csv"])
        XCTAssertEqual(fc.status, 0, fc.err)
        XCTAssertTrue(fc.out.contains("note: pre-cut --x samples are forecast as points only"), fc.out)
    }
}

/// Builds a one-member model from a member of an ensemble (for comparing forecasts).
enum ModelFileTestSupport {
    static func single(_ model: Ensemble, member: Member) -> Ensemble {
        var manifest = model.manifest
        manifest.training.ensemble = 1
        // The member keeps its own ensemble variant (member i uses variant i mod count).
        if let p = manifest.pipeline, p.hasBaseline, let i = model.members.firstIndex(where: { $0 === member }) {
            manifest.updatePipeline { $0.variants = [p.variants[i % p.variants.count]]; $0.baselineWeight = 0; $0.theta = nil }
        }
        let one = try! Ensemble(manifest: manifest, count: 1, seed: 0)
        one.members[0].network.params.copy(from: member.network.params)
        return one
    }
}
