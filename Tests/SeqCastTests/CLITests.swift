// The built `seqcast` binary: bad input gives one line naming the problem, a non-zero exit and
// no output; a run killed with SIGKILL resumes to the same weights as an uninterrupted run.
import Foundation
import XCTest
import SeqCast

/// Path of the built CLI (next to the test bundle; `make test` builds it first).
let seqcastBinary: String = {
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [exe, Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        .map { $0.appendingPathComponent("seqcast").path }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
}()

struct RunResult { var status: Int32; var out: String; var err: String; var signaled: Bool }

/// Runs the CLI with `args` (no shell), returning exit status and output.
@discardableResult
func runCLI(_ args: [String], environment: [String: String] = [:], killWhen: (() -> Bool)? = nil) throws -> RunResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: seqcastBinary)
    p.arguments = args
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    try p.run()
    if let killWhen {
        while p.isRunning && !killWhen() { usleep(2_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    }
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return RunResult(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self),
                     err: String(decoding: e, as: UTF8.self), signaled: p.terminationReason == .uncaughtSignal)
}

final class CLITests: XCTestCase {
    override func setUpWithError() throws {
        // Not a skip: a missing binary must fail CI, not hide the CLI tests.
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: seqcastBinary),
                      "\(seqcastBinary) missing: build the CLI first (make test does)")
    }

    func testBadInputsGiveOneLineAndWriteNothing() throws {
        let dir = temporaryDirectory(self)
        let bad = writeFile(dir, "bad.csv", "a,b\n1,2\n3,x\n")
        let gaps = writeFile(dir, "gaps.csv", "t,v\n2020-01-01,1\n2020-01-02,\n2020-01-03,3\n")
        let cases: [([String], String)] = [
            (["train", "--data", bad, "--out", dir + "/o1"], "bad.csv: row 3, column 'b': 'x' is not a number"),
            (["train", "--data", dir + "/none.csv", "--out", dir + "/o2"], "none.csv: no such file"),
            (["train", "--data", datasetPath("airline.csv"), "--lookback", "140", "--horizon", "12", "--out", dir + "/o3"],
             "series 'airline' has 144 steps, needs at least 190"),
            (["train", "--data", datasetPath("airline.csv"), "--target", "Pasengers", "--out", dir + "/o4"],
             "no column 'Pasengers'; columns are: Date, Passengers"),
            (["train", "--data", gaps, "--missing", "error", "--out", dir + "/o5"], "gaps.csv: row 3, column 'v': missing value"),
            (["inspect", bad + ".h5"], "bad.csv.h5: no such file"),
        ]
        for (args, expected) in cases {
            let r = try runCLI(args)
            XCTAssertNotEqual(r.status, 0, args.joined(separator: " "))
            XCTAssertFalse(r.signaled, "crashed: \(r.err)")
            let lines = r.err.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "one line expected, got: \(r.err)")
            XCTAssertTrue(r.err.contains(expected), "\(args): \(r.err)")
        }
        XCTAssertEqual(listing(dir), ["bad.csv", "gaps.csv"], "no output directory or file may be left behind")
    }

    /// `--help` prints help for every command (exit 0), including the preprocessing flags.
    func testHelpForEveryCommand() throws {
        for command in ["train", "forecast", "backtest", "plot", "bench", "inspect", "convert"] {
            let r = try runCLI([command, "--help"])
            XCTAssertEqual(r.status, 0, "\(command): \(r.err)")
            XCTAssertTrue(r.out.contains("USAGE: seqcast \(command)"), "\(command): \(r.out) \(r.err)")
        }
        let train = try runCLI(["train", "--help"]).out
        for flag in ["--transform", "--baseline", "--baseline-weight", "--season"] { XCTAssertTrue(train.contains(flag), flag) }
    }

    /// An unknown `bench --variant` is refused before anything runs, naming the valid ones.
    func testBenchRejectsAnUnknownVariant() throws {
        let r = try runCLI(["bench", "--variant", "lnorm", "--only", "S1-lstm"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertFalse(r.signaled, "crashed: \(r.err)")
        XCTAssertTrue(r.err.contains("lnorm") && r.err.contains("layer-norm"), r.err)
        XCTAssertEqual(r.out, "", "nothing may be timed")
    }

    func testForecastToUnwritablePathLeavesNothing() throws {
        let dir = temporaryDirectory(self)
        XCTAssertEqual(try runCLI(["train", "--data", datasetPath("airline.csv"), "--horizon", "6", "--epochs", "2",
                                   "--out", dir + "/run", "--quiet"]).status, 0)
        let r = try runCLI(["forecast", "--model", dir + "/run", "--data", datasetPath("airline.csv"),
                            "--out", dir + "/missing/dir/f.csv"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("cannot write: directory"), r.err)
        XCTAssertEqual(listing(dir), ["run"])
    }

    func testPlotWithoutGnuplotKeepsTheOtherOutputs() throws {
        let dir = temporaryDirectory(self)
        let r = try runCLI(["train", "--data", datasetPath("airline.csv"), "--horizon", "6", "--epochs", "2", "--quiet",
                            "--out", dir + "/run", "--plot"], environment: ["SEQCAST_GNUPLOT": "/nonexistent/gnuplot"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("gnuplot not found"), r.err)
        XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
        XCTAssertEqual(listing(dir + "/run"), ["history.csv", "model.h5"], "model and history stay; no image, no temp file")
        let fc = try runCLI(["forecast", "--model", dir + "/run", "--data", datasetPath("airline.csv"), "--out", dir + "/f.csv",
                             "--plot"], environment: ["SEQCAST_GNUPLOT": "/nonexistent/gnuplot"])
        XCTAssertNotEqual(fc.status, 0)
        XCTAssertTrue(fc.err.contains("gnuplot not found"), fc.err)
        XCTAssertEqual(try CSVTable.read(dir + "/f.csv").rows.count, 6, "the forecast is written before the plot fails")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/f.png"))
        let ok = try runCLI(["plot", "--from", dir + "/run", "--kind", "forecast", "--out", dir + "/f.svg"])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/f.svg"))
    }

    /// Trains `members` members on co2 once uninterrupted and once killed with SIGKILL after
    /// `epochsBeforeKill` epochs of each member, then resumes the killed run; the weights must match.
    private func checkKillAndResume(members: Int, hidden: Int, epochs: Int, epochsBeforeKill: Int,
                                    extra: [String] = []) throws {
        let dir = temporaryDirectory(self)
        let common = ["train", "--data", datasetPath("co2_weekly.csv"), "--horizon", "4", "--lookback", "52",
                      "--hidden", "\(hidden)", "--epochs", "\(epochs)", "--patience", "0", "--threads", "2",
                      "--ensemble", "\(members)"] + extra
        XCTAssertEqual(try runCLI(common + ["--out", dir + "/full", "--quiet"]).status, 0)
        let history = dir + "/killed/history.csv"
        let killed = try runCLI(common + ["--out", dir + "/killed", "--quiet"]) {
            let rows = (try? String(contentsOfFile: history, encoding: .utf8))?.split(separator: "\n").count ?? 0
            return rows >= 1 + members * epochsBeforeKill
        }
        XCTAssertTrue(killed.signaled, "the run finished before it could be killed; make it longer")
        let partial = try ModelFile.load(dir + "/killed", current: true)
        XCTAssertFalse(partial.finished)
        XCTAssertGreaterThanOrEqual(partial.members.map(\.state.epochsCompleted).reduce(0, +), epochsBeforeKill,
                                    "the checkpoint holds the epochs done before the kill")
        let resumed = try runCLI(common + ["--out", dir + "/killed", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("resuming"), resumed.err)
        for i in 0..<members {
            XCTAssertEqual(try HDF5File.open(dir + "/full/model.h5").read("members/\(i)/params").values,
                           try HDF5File.open(dir + "/killed/model.h5").read("members/\(i)/params").values,
                           "member \(i): kill -9 + --resume must end with the weights of an uninterrupted run")
        }
    }

    func testKilledRunResumesToTheSameWeights() throws {
        try checkKillAndResume(members: 1, hidden: 24, epochs: 12, epochsBeforeKill: 2)
    }

    /// A 3-member ensemble trained concurrently: every checkpoint holds each member as it was at the
    /// end of one of its epochs (before the snapshot fix, this failed 4 runs out of 4).
    func testKilledEnsembleResumesToTheSameWeights() throws {
        try checkKillAndResume(members: 3, hidden: 16, epochs: 10, epochsBeforeKill: 3)
    }

    /// An encoder–decoder with a bidirectional encoder and scheduled sampling (its teacher-forcing
    /// decisions depend on the epoch), killed and resumed.
    func testKilledEncoderDecoderResumesToTheSameWeights() throws {
        try checkKillAndResume(members: 1, hidden: 12, epochs: 10, epochsBeforeKill: 2,
                               extra: ["--head", "encoder-decoder", "--bidirectional", "--decoder-hidden", "16",
                                       "--teacher-forcing", "0.7", "--teacher-forcing-decay", "0.9"])
    }

    /// `--resume` continues the stored run as it started: a flag typed with it that asks for another
    /// value is refused (one line, naming each such flag and the stored value, model.h5 untouched);
    /// the same flags retyped, or left out, continue it.
    func testResumeRefusesFlagsThatAskForAnotherRun() throws {
        let dir = temporaryDirectory(self), out = dir + "/run"
        let start = ["train", "--data", datasetPath("airline.csv"), "--horizon", "6", "--hidden", "8", "--lr", "0.01",
                     "--ensemble", "1", "--epochs", "3", "--threads", "1", "--out", out]
        XCTAssertEqual(try runCLI(start + ["--quiet", "--stop-after-epoch", "1"]).status, 0)
        let stored = try Data(contentsOf: URL(fileURLWithPath: out + "/model.h5"))
        for (extra, expected) in [(["--hidden", "16"], "--hidden 16 (the stored run has 8)"),
                                  (["--lr=0.001", "--cell", "gru"], "--cell gru (the stored run has lstm), --lr 0.001 (the stored run has 0.01)"),
                                  (["--layer-norm"], "--layer-norm true (the stored run has false)"),
                                  (["--shard-size", "4"], "--shard-size 4 (the stored run has 8)"),   // the size its rule chose
                                  (["--target", "Month"], "--target Month (the stored run has Passengers)")] {
            let r = try runCLI(["train", "--data", datasetPath("airline.csv"), "--out", out, "--resume"] + extra)
            XCTAssertEqual(r.status, 1, r.err)
            XCTAssertTrue(r.err.contains(expected), r.err)
            XCTAssertTrue(r.err.contains("--resume continues the run in \(out) exactly as it started"), r.err)
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/model.h5")), stored, "model.h5 untouched")
        }
        // What the stored run resolved from a rule or the data: another value is refused, the value
        // itself accepted (the default look-back here is 24, the season 12, the log transform applied).
        let none = try runCLI(["train", "--data", datasetPath("airline.csv"), "--out", out, "--resume", "--transform", "none"])
        XCTAssertTrue(none.status == 1 && none.err.contains("--transform none (the stored run has log)"), none.err)
        let covariate = try runCLI(["train", "--data", datasetPath("airline.csv"), "--out", out, "--resume", "--target", "Passengers", "--covariates", "Date"])
        XCTAssertTrue(covariate.status == 1 && covariate.err.contains("--covariates Date (the stored run has (none))"), covariate.err)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/model.h5")), stored, "model.h5 untouched")
        XCTAssertEqual(try runCLI(["train", "--data", datasetPath("airline.csv"), "--out", out, "--resume", "--quiet",
                                   "--lookback", "24", "--season", "12", "--transform", "log", "--target", "Passengers", "--shard-size", "8",
                                   "--time-column", "Date", "--stop-after-epoch", "2"]).status, 0)
        // A quantile head's levels retyped (they were compared with settings that did not store them).
        let q = ["train", "--data", datasetPath("airline.csv"), "--horizon", "6", "--quantile-levels", "80,95", "--ensemble", "1",
                 "--epochs", "2", "--threads", "1", "--out", dir + "/q", "--quiet"]
        XCTAssertEqual(try runCLI(q + ["--stop-after-epoch", "1"]).status, 0)
        let qr = try runCLI(q + ["--resume"])
        XCTAssertEqual(qr.status, 0, qr.err)
        let retyped = try runCLI(start + ["--resume", "--quiet", "--stop-after-epoch", "2"])
        XCTAssertEqual(retyped.status, 0, retyped.err)
        let bare = try runCLI(["train", "--data", datasetPath("airline.csv"), "--out", out, "--resume", "--quiet"])
        XCTAssertEqual(bare.status, 0, bare.err)
        XCTAssertTrue(try ModelFile.load(out).finished)
        XCTAssertEqual(try ModelFile.load(out).manifest.requested?.architecture.hidden, 8)
    }

    /// A finished run extended with `--resume --epochs N` ends with the weights of a run that asked
    /// for N epochs from the start, also when a member's last epoch was not its best: the finished
    /// member had taken its best weights, and the extension continued from them (exploratory
    /// testing, 2026-12-02); model.h5 now keeps its last epoch's weights as the current ones.
    func testExtendingAFinishedRunEqualsTheLongerRun() throws {
        let dir = temporaryDirectory(self)
        let common = ["train", "--data", datasetPath("airline.csv"), "--horizon", "12", "--ensemble", "2", "--patience", "0",
                      "--seed", "1", "--threads", "2", "--quiet"]
        XCTAssertEqual(try runCLI(common + ["--epochs", "15", "--out", dir + "/straight"]).status, 0)
        XCTAssertEqual(try runCLI(common + ["--epochs", "6", "--out", dir + "/extended"]).status, 0)
        let short = try ModelFile.load(dir + "/extended")
        XCTAssertTrue(short.members.contains { $0.state.bestEpoch! < 6 }, "a member whose last epoch is not its best (what this test is about)")
        XCTAssertEqual(try runCLI(common + ["--epochs", "15", "--out", dir + "/extended", "--resume"]).status, 0)
        let a = try HDF5File.open(dir + "/straight/model.h5"), b = try HDF5File.open(dir + "/extended/model.h5")
        for i in 0..<2 {
            for name in ["params", "best_params", "optimizer/m", "optimizer/v"] {
                XCTAssertEqual(try a.read("members/\(i)/\(name)").values, try b.read("members/\(i)/\(name)").values, "member \(i) \(name)")
            }
        }
        XCTAssertEqual(try String(contentsOfFile: dir + "/straight/history.csv", encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").prefix(3) },
                       try String(contentsOfFile: dir + "/extended/history.csv", encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").prefix(3) })
        // The finished model forecasts with its best weights, as before.
        let m = try ModelFile.load(dir + "/straight")
        XCTAssertEqual(m.members[0].network.params.array, try a.read("members/0/best_params").values)
        // Resuming a finished run trains nothing and leaves its files as they were (it recalibrated
        // and rewrote model.h5).
        let files = [dir + "/straight/model.h5", dir + "/straight/history.csv"]
        let before = try files.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as! Date }
        let bytes = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        Thread.sleep(forTimeInterval: 0.05)
        let again = try runCLI(common + ["--epochs", "15", "--out", dir + "/straight", "--resume"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.out.contains("already trained, left as it was"), again.out)
        XCTAssertEqual(try files.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as! Date }, before)
        XCTAssertEqual(try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }, bytes)
    }

    func testEncoderDecoderAndBidirectionalFlagsAreCheckedTogether() throws {
        let data = datasetPath("airline.csv"), dir = temporaryDirectory(self)
        for (args, message) in [
            (["--head", "seq2seq", "--bidirectional"], "--bidirectional cannot be used with --head seq2seq"),
            (["--decoder-hidden", "8"], "--decoder-hidden needs --head encoder-decoder"),
            (["--teacher-forcing", "0.5"], "--teacher-forcing and --teacher-forcing-decay need --head encoder-decoder"),
            (["--merge", "sum"], "--merge needs --bidirectional"),
            (["--dropout", "0.2"], "--dropout acts between stacked layers, and one layer has none"),   // it did nothing
            (["--dropout", "0.2", "--head", "encoder-decoder", "--decoder-layers", "1"], "--dropout acts between stacked layers"),
            (["--head", "encoder-decoder", "--teacher-forcing", "1.5"], "--teacher-forcing must be in [0, 1]"),
            // A fixed weight with no baseline variants to weigh against was silently ignored.
            (["--baseline", "none", "--theta-weight", "1"], "--theta-weight weighs a member against the baseline variants, and --baseline none has none"),
            (["--head", "seq2seq", "--baseline-weight", "1"], "--baseline-weight weighs a member against the baseline variants, and --head seq2seq has none"),
            (["--head", "seq2seq", "--baseline", "auto"], "--baseline works with the seq2vec and encoder-decoder heads"),
        ] {
            let r = try runCLI(["train", "--data", data, "--horizon", "12", "--out", dir + "/x"] + args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.err.contains(message), "\(args): \(r.err)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x/model.h5"))
        }
    }
}
