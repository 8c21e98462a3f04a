// `mpirun -n N seqcast …` (issue 17): data-parallel training, ensemble members and backtest fits
// spread over ranks, and --resume across rank counts give the weights, forecasts and backtest
// metrics of one process, bit for bit; a rank that fails stops every rank with its message and
// leaves no model.h5. Runs the built binary under Open MPI's mpirun (make setup installs it); set
// SEQCAST_SKIP_MPI=1 to skip these tests where Open MPI cannot run.
import Foundation
import XCTest
import SeqCast

/// What the child mpirun needs, set for it only: running as root (CI containers), more ranks than
/// cores, shared memory between ranks (no network needed) without the single-copy mechanism that
/// containers without ptrace permission refuse.
private let mpiEnvironment = [
    "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_rmaps_base_oversubscribe": "1", "OMPI_MCA_btl": "self,vader",
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
]

/// The failure when mpirun is missing (thrown from setUp, so each test fails with this line).
private struct MissingMPI: Error, CustomStringConvertible {
    var description: String { "mpirun not found on PATH: run `make setup` (installs openmpi-bin, libopenmpi-dev) or set SEQCAST_SKIP_MPI=1 to skip the MPI tests" }
}

final class MPITests: XCTestCase {
    private var mpirun = ""

    override func setUpWithError() throws {
        if ProcessInfo.processInfo.environment["SEQCAST_SKIP_MPI"] == "1" { throw XCTSkip("SEQCAST_SKIP_MPI=1") }
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: seqcastBinary), "\(seqcastBinary) missing: build the CLI first")
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map { "\($0)/mpirun" }
        guard let found = path.first(where: FileManager.default.isExecutableFile) else {
            // Not a skip: CI installs Open MPI (make setup), so a missing mpirun must fail there.
            throw MissingMPI()
        }
        mpirun = found
    }

    /// Runs `mpirun` with one application context per element of `contexts` (ranks, working
    /// directory, seqcast arguments); fails the test after `timeout` seconds (a deadlock).
    func run(_ contexts: [(ranks: Int, wdir: String?, args: [String])], timeout: Double = 120) throws -> RunResult {
        let dir = temporaryDirectory(self)
        var args: [String] = []
        for (i, c) in contexts.enumerated() {
            if i > 0 { args.append(":") }
            args += ["-n", "\(c.ranks)"] + (c.wdir.map { ["-wdir", $0] } ?? []) + [seqcastBinary] + c.args
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: mpirun)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(mpiEnvironment) { $1 }
        FileManager.default.createFile(atPath: dir + "/out", contents: nil)
        FileManager.default.createFile(atPath: dir + "/err", contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: dir + "/out")
        p.standardError = FileHandle(forWritingAtPath: dir + "/err")
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate(); p.waitUntilExit(); XCTFail("mpirun \(args.joined(separator: " ")) did not finish in \(Int(timeout)) s") }
        p.waitUntilExit()
        let read = { (name: String) in (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? "" }
        if read("err").contains("unable to find network interfaces") {
            XCTFail("Open MPI needs at least the loopback interface up (`ip link set lo up`; Docker's --network none has it), or set SEQCAST_SKIP_MPI=1")
        }
        return RunResult(status: p.terminationStatus, out: read("out"), err: withoutLauncherNotices(read("err")),
                         signaled: p.terminationReason == .uncaughtSignal)
    }

    /// stderr without mpirun's own notices (blocks between lines of dashes, e.g. "Primary job
    /// terminated normally, but 1 process returned a non-zero exit code"). mpirun relays the ranks'
    /// output as it reads it, so such a notice can land inside a rank's line: removing it joins the
    /// line again.
    func withoutLauncherNotices(_ text: String) -> String {
        text.replacingOccurrences(of: "-{20,}\n[\\s\\S]*?\n-{20,}\n", with: "", options: .regularExpression)
    }

    func run(_ ranks: Int, _ args: [String]) throws -> RunResult { try run([(ranks, nil, args)]) }

    /// The weights (current and best), optimizer moments, losses per epoch and calibration of two
    /// model folders are the same, bit for bit.
    func assertSameModel(_ a: String, _ b: String, members: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let (ca, cb) = (try ModelFile.load(a, current: true), try ModelFile.load(b, current: true))
        let (ba, bb) = (try ModelFile.load(a), try ModelFile.load(b))
        XCTAssertEqual(ca.members.count, members, file: file, line: line)
        XCTAssertEqual(cb.members.count, members, file: file, line: line)
        for i in 0..<members {
            XCTAssertEqual(ca.members[i].network.params.array, cb.members[i].network.params.array, "member \(i) weights", file: file, line: line)
            XCTAssertEqual(ba.members[i].network.params.array, bb.members[i].network.params.array, "member \(i) best weights", file: file, line: line)
            let losses = { (m: Ensemble) in m.members[i].state.history.map { [$0.trainLoss, $0.validationLoss ?? -1] } }
            XCTAssertEqual(losses(ca), losses(cb), "member \(i) losses per epoch", file: file, line: line)
            XCTAssertEqual(ca.members[i].state.bestEpoch, cb.members[i].state.bestEpoch, file: file, line: line)
            for moment in ["m", "v"] {
                XCTAssertEqual(try HDF5File.open(a + "/model.h5").read("members/\(i)/optimizer/\(moment)").values,
                               try HDF5File.open(b + "/model.h5").read("members/\(i)/optimizer/\(moment)").values,
                               "member \(i) optimizer \(moment)", file: file, line: line)
            }
        }
        XCTAssertEqual(ca.calibration?.residuals, cb.calibration?.residuals, "calibration", file: file, line: line)
        XCTAssertNotNil(ca.calibration, file: file, line: line)
    }

    /// The forecast CSV of each model folder (one process), as text.
    func forecast(_ model: String, data: String = datasetPath("airline.csv"), extra: [String] = []) throws -> String {
        let r = try runCLI(["forecast", "--model", model, "--data", data, "--out", model + "/forecast.csv"] + extra)
        XCTAssertEqual(r.status, 0, r.err)
        return try String(contentsOfFile: model + "/forecast.csv", encoding: .utf8)
    }

    /// One model, 3 shards per batch, dropout: 2 ranks × 1 thread, and 3 ranks × 2 threads
    /// (oversubscribed) stopped after an epoch and resumed on 2 ranks, give one process's weights,
    /// losses, calibration and forecasts; only rank 0 reports.
    func testDataParallelTrainingMatchesOneProcess() throws {
        let dir = temporaryDirectory(self)
        let common = ["train", "--data", datasetPath("airline.csv"), "--horizon", "6", "--hidden", "8", "--epochs", "3",
                      "--ensemble", "1", "--batch-size", "24", "--shard-size", "8", "--layers", "2", "--dropout", "0.1", "--patience", "0"]
        XCTAssertEqual(try runCLI(common + ["--threads", "2", "--out", dir + "/one", "--quiet"]).status, 0)
        let two = try run(2, common + ["--threads", "1", "--out", dir + "/two"])
        XCTAssertEqual(two.status, 0, two.err)
        XCTAssertTrue(two.err.contains("2 ranks: data-parallel, each rank computes its share of every mini-batch's 3 shards"), two.err)
        XCTAssertEqual(two.out.components(separatedBy: "trained model").count, 2, "rank 0 alone reports: \(two.out)")
        let three = try run(3, common + ["--threads", "2", "--out", dir + "/three", "--quiet", "--stop-after-epoch", "1"])
        XCTAssertEqual(three.status, 0, three.err)
        XCTAssertFalse(try ModelFile.load(dir + "/three", current: true).finished)
        let resumed = try run(2, common + ["--threads", "1", "--out", dir + "/three", "--quiet", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        try assertSameModel(dir + "/one", dir + "/two", members: 1)
        try assertSameModel(dir + "/one", dir + "/three", members: 1)
        let f = try forecast(dir + "/one")
        XCTAssertEqual(f, try forecast(dir + "/two"))
        XCTAssertEqual(f, try forecast(dir + "/three"))
    }

    /// Many series, one global model: a long-format CSV (4 ids; 4 shards per batch shared unevenly
    /// by 3 ranks) and the same series as an HDF5 [batch, steps, dim] dataset on 2 ranks train to
    /// one process's weights.
    func testManySeriesTrainDataParallel() throws {
        let dir = temporaryDirectory(self)
        var csv = "id,month,y\n"
        for i in 0..<4 { for t in 0..<120 {
            let y = 10 + 5 * sin(2 * Double.pi * Double(t) / 12 + Double(i)) + 0.1 * Double(t) + Double((t * 7919 + i * 104729) % 13) / 13
            csv += "s\(i),\(2000 + t / 12)-\(String(format: "%02d", t % 12 + 1)),\(String(format: "%.4f", y))\n"
        } }
        let long = writeFile(dir, "long.csv", csv), h5 = dir + "/long.h5"
        XCTAssertEqual(try runCLI(["convert", "--data", long, "--id-column", "id", "--out", h5]).status, 0)
        let common = ["train", "--horizon", "6", "--hidden", "8", "--epochs", "2", "--ensemble", "1", "--batch-size", "32",
                      "--shard-size", "8", "--quiet", "--threads", "1"]
        for (ranks, data) in [(3, ["--data", long, "--id-column", "id"]), (2, ["--data", h5, "--dataset", "series"])] {
            let one = dir + "/one\(ranks)", many = dir + "/many\(ranks)"
            XCTAssertEqual(try runCLI(common + data + ["--out", one]).status, 0)
            let r = try run(ranks, common + data + ["--out", many])
            XCTAssertEqual(r.status, 0, r.err)
            try assertSameModel(one, many, members: 1)
            XCTAssertEqual(try forecast(one, data: data[1]), try forecast(many, data: data[1]))
        }
    }

    /// A 3-member ensemble spread over 2 ranks, stopped after 2 epochs and resumed on 3 ranks, ends
    /// with one process's members.
    func testSpreadEnsembleAndResumeMatchOneProcess() throws {
        let dir = temporaryDirectory(self)
        let common = ["train", "--data", datasetPath("airline.csv"), "--horizon", "6", "--hidden", "8", "--epochs", "4",
                      "--ensemble", "3", "--patience", "0"]
        XCTAssertEqual(try runCLI(common + ["--threads", "2", "--out", dir + "/one", "--quiet"]).status, 0)
        let first = try run(2, common + ["--threads", "1", "--out", dir + "/spread", "--stop-after-epoch", "2"])
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertTrue(first.err.contains("2 ranks: 3 members spread over the ranks"), first.err)
        let partial = try ModelFile.load(dir + "/spread", current: true)
        XCTAssertEqual(partial.members.map(\.state.epochsCompleted), [2, 2, 2], "rank 0's checkpoint holds every rank's members")
        let resumed = try run(3, common + ["--threads", "1", "--out", dir + "/spread", "--resume", "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        try assertSameModel(dir + "/one", dir + "/spread", members: 3)
        XCTAssertEqual(try forecast(dir + "/one"), try forecast(dir + "/spread"))
    }

    /// Backtests: 5 fits × 2 members spread over 3 ranks, and one fit trained data-parallel on 2
    /// ranks, write one process's forecasts, metrics and summary.json (apart from its seconds).
    func testBacktestMatchesOneProcess() throws {
        let dir = temporaryDirectory(self)
        let common = ["backtest", "--data", datasetPath("airline.csv"), "--horizon", "6", "--hidden", "8", "--epochs", "3",
                      "--start", "0.8", "--batch-size", "24", "--shard-size", "8", "--quiet", "--threads", "1"]
        for (ranks, extra, mode) in [(3, ["--ensemble", "2"], "10 (fit, member) units spread"),
                                     (2, ["--ensemble", "1", "--retrain", "never"], "data-parallel")] {
            let one = dir + "/one\(ranks)", many = dir + "/many\(ranks)"
            let single = try runCLI(common + extra + ["--out", one])
            XCTAssertEqual(single.status, 0, single.err)
            let r = try run(ranks, common.filter { $0 != "--quiet" } + extra + ["--out", many])
            XCTAssertEqual(r.status, 0, r.err)
            XCTAssertTrue(r.err.contains(mode), r.err)
            for name in ["forecasts.csv", "metrics.csv"] {
                XCTAssertEqual(try String(contentsOfFile: one + "/" + name, encoding: .utf8),
                               try String(contentsOfFile: many + "/" + name, encoding: .utf8), name)
            }
            let summary = { (d: String) throws -> NSDictionary in
                let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: d + "/summary.json"))) as! [String: Any]
                return json.filter { $0.key != "seconds" } as NSDictionary
            }
            XCTAssertEqual(try summary(one), try summary(many))
            XCTAssertEqual(r.out.components(separatedBy: "backtest of").count, 2, "rank 0 alone reports: \(r.out)")
        }
    }

    /// `mpirun -n 2 seqcast bench` runs data-parallel steps and rank 0 alone prints the usual JSON
    /// line, with the rank count.
    func testBenchUnderMPIPrintsOneLinePerConfiguration() throws {
        let r = try run(2, ["bench", "--configs", repositoryRoot + "/Benchmarks/configs.json", "--only", "S1-lstm",
                            "--repeats", "1", "--steps", "2", "--threads", "1", "--no-inference"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.out)
        let json = try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any]
        XCTAssertEqual(json?["name"] as? String, "S1-lstm")
        XCTAssertEqual(json?["ranks"] as? Int, 2)
        XCTAssertEqual(json?["threads"] as? Int, 1)
    }

    /// A rank that fails stops every rank: exit status non-zero, the failing rank's message once,
    /// nothing written. Rank 1 alone reads a bad file (its own working directory); rank 1 alone
    /// fails a backtest fit (its copy has a gap too long for the early fits, which are rank 1's);
    /// rank 0 alone fails to write model.h5 mid-training.
    func testAFailingRankStopsEveryRank() throws {
        let dir = temporaryDirectory(self)
        let good = dir + "/good", bad = dir + "/bad", gaps = dir + "/gaps"
        let lines = try String(contentsOfFile: datasetPath("airline.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        for d in [good, bad, gaps] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        writeFile(good, "data.csv", lines.joined(separator: "\n") + "\n")
        writeFile(bad, "data.csv", lines.enumerated().map { $0 == 4 ? "1949-04,x" : $1 }.joined(separator: "\n") + "\n")
        writeFile(gaps, "data.csv", lines.enumerated().map { $0 >= 1 && $0 <= 100 ? $1.split(separator: ",")[0] + "," : $1 }
            .joined(separator: "\n") + "\n")

        let train = ["train", "--data", "data.csv", "--horizon", "6", "--hidden", "8", "--epochs", "2", "--ensemble", "1",
                     "--quiet", "--out", dir + "/out1"]
        let r1 = try run([(1, good, train), (1, bad, train)])
        XCTAssertNotEqual(r1.status, 0)
        XCTAssertEqual(r1.err.components(separatedBy: "data.csv: row 5, column 'Passengers': 'x' is not a number (rank 1)").count, 2, r1.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out1"), "no output when a rank fails before training")

        let backtest = ["backtest", "--data", "data.csv", "--horizon", "6", "--hidden", "8", "--epochs", "2", "--lookback", "24",
                        "--start", "0.8", "--ensemble", "1", "--missing", "drop", "--quiet", "--out", dir + "/out2"]
        let r2 = try run([(1, good, backtest), (1, gaps, backtest)])
        XCTAssertNotEqual(r2.status, 0)
        XCTAssertTrue(r2.err.contains("no training window: the shortest series has 120 steps"), r2.err)
        XCTAssertTrue(r2.err.contains("(rank 1)"), r2.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out2"))

        try FileManager.default.createDirectory(atPath: dir + "/out3/model.h5/blocker", withIntermediateDirectories: true)
        let r3 = try run(2, ["train", "--data", datasetPath("airline.csv"), "--horizon", "6", "--hidden", "8", "--epochs", "2",
                             "--ensemble", "1", "--quiet", "--out", dir + "/out3"])
        XCTAssertNotEqual(r3.status, 0)
        XCTAssertEqual(r3.err.components(separatedBy: "model.h5: cannot write").count, 2, r3.err)
        XCTAssertEqual(listing(dir + "/out3"), ["model.h5"], "nothing but the blocking directory")
        XCTAssertEqual(listing(dir + "/out3/model.h5"), ["blocker"])
    }
}
