// `--per-series` (issue 17): one model per series id. Each series gets the model, forecasts and
// backtest scores it gets trained alone with its own seed (no cross-talk); HDF5 series mode reads
// only the batch rows asked for; a failing series is named and nothing is written; and under
// `mpirun -n 2` / `-n 3` (MPITests' launcher) the models, forecasts and backtest metrics are one
// process's, bit for bit, each rank reading only its own rows of an HDF5 file.
import Foundation
import XCTest
import SeqCast

/// A long-format CSV (id, month, y) with one series per (id, length), distinct shapes per id.
private func longCSV(_ series: [(String, Int)]) -> String {
    var csv = "id,month,y\n"
    for (i, (id, n)) in series.enumerated() { for t in 0..<n {
        let y = 20 + 5 * sin(2 * Double.pi * Double(t) / 12 + Double(i)) + 0.05 * Double(t * (i + 1)) + Double((t * 7919 + i * 104729) % 13) / 13
        csv += "\(id),\(2000 + t / 12)-\(String(format: "%02d", t % 12 + 1)),\(String(format: "%.4f", y))\n"
    } }
    return csv
}

/// The lines of a CSV whose field `column` is `value`.
private func rows(_ text: String, column: Int, _ value: String) -> [Substring] {
    text.split(separator: "\n").filter { $0.split(separator: ",", omittingEmptySubsequences: false)[column] == value }
}

/// An HDF5 [4, 48, 1] series file (ids a, b, c, d) whose rows `poisoned` hold +inf, which any read of them refuses.
private func seriesH5(_ path: String, poisoned: Set<Int> = []) throws {
    var values: [Float] = []
    for b in 0..<4 { for t in 0..<48 {
        values.append(poisoned.contains(b) ? .infinity : Float(10 + 3 * sin(Double(t) / 2 + Double(b)) + 0.1 * Double(t * (b + 1))))
    } }
    let f = try HDF5File.create(path)
    try f.write("series", shape: [4, 48, 1], values: values,
                attributes: [("columns", .string("y")), ("series_ids", .string("a\nb\nc\nd"))])
    try f.close()
}

final class PerSeriesTests: XCTestCase {
    private let small = ["--horizon", "6", "--hidden", "6", "--epochs", "2", "--ensemble", "2", "--quiet"]

    /// Each series' model, forecast and backtest are those of that series trained alone with the
    /// seed the rule gives it; the folder holds an index and one model folder per series.
    func testEachSeriesGetsWhatItGetsAlone() throws {
        let dir = temporaryDirectory(self)
        let ids = [("s0", 72), ("s1", 84), ("s2", 96), ("s3", 60)]
        let data = writeFile(dir, "long.csv", longCSV(ids))
        let train = try runCLI(["train", "--data", data, "--id-column", "id", "--per-series", "--threads", "2", "--out", dir + "/all"] + small)
        XCTAssertEqual(train.status, 0, train.err)
        XCTAssertTrue(train.out.contains("one 2-member ensemble per series for 4 series"), train.out)
        let index = try XCTUnwrap(try PerSeriesModel.open(dir + "/all"))
        XCTAssertEqual(index.ids, ids.map(\.0))
        for (p, (id, _)) in ids.enumerated() {
            let m = try index.model(p)
            XCTAssertEqual(m.manifest.training.seed, PerSeriesModel.seed(42, id: id))
            XCTAssertEqual(m.members.map(\.state.seed), [0, 1].map { PerSeriesModel.seed(42, id: id) + $0 })
            XCTAssertNotNil(m.calibration, "series \(id) calibrated")
        }
        XCTAssertTrue(errorMessage { _ = try ModelFile.load(dir + "/all") }.contains("index of a per-series model"))
        XCTAssertEqual(try runCLI(["forecast", "--model", dir + "/all", "--data", data, "--out", dir + "/all.csv"]).status, 0)
        let all = try String(contentsOfFile: dir + "/all.csv", encoding: .utf8)
        XCTAssertEqual(all.split(separator: "\n").count, 1 + 4 * 6)
        // One series' folder forecasts that series alone, as the run's folder does (it forecast
        // every series of the file with that one series' model; exploratory testing, 2026-12-02).
        XCTAssertEqual(try index.model(1).manifest.seriesId, "s1")
        let one = try runCLI(["forecast", "--model", dir + "/all/series/1", "--data", data, "--out", dir + "/one.csv"])
        XCTAssertEqual(one.status, 0, one.err)
        let oneText = try String(contentsOfFile: dir + "/one.csv", encoding: .utf8)
        XCTAssertEqual(rows(oneText, column: 0, "s1"), rows(all, column: 0, "s1"))
        XCTAssertEqual(oneText.split(separator: "\n").count, 1 + 6)
        // Its forecast plot draws that series too (it drew the file's first series, forecast with
        // this series' model; exploratory testing, 2026-12-02, fourteenth session).
        let plot = try runCLI(["plot", "--from", dir + "/all/series/1", "--kind", "forecast", "--out", dir + "/one.svg"])
        XCTAssertEqual(plot.status, 0, plot.err)
        let svg = try String(contentsOfFile: dir + "/one.svg", encoding: .utf8)
        XCTAssertTrue(svg.contains("s1: 6-step forecast") && !svg.contains("s0: 6-step forecast"), "the plot's title names another series")
        let backtest = ["backtest", "--data", data, "--id-column", "id", "--start", "0.8", "--per-series", "--out", dir + "/bt"] + small
        let bt = try runCLI(backtest)
        XCTAssertEqual(bt.status, 0, bt.err)
        let btForecasts = try String(contentsOfFile: dir + "/bt/forecasts.csv", encoding: .utf8)
        let btMetrics = try String(contentsOfFile: dir + "/bt/metrics.csv", encoding: .utf8)
        for (id, _) in [ids[1], ids[3]] {
            // This series' rows alone, trained and backtested with the seed the rule gives it.
            let alone = writeFile(dir, id + ".csv", "id,month,y\n" + rows(try String(contentsOfFile: data, encoding: .utf8), column: 0, id)
                .joined(separator: "\n") + "\n")
            let seed = "\(PerSeriesModel.seed(42, id: id))"
            let r = try runCLI(["train", "--data", alone, "--id-column", "id", "--seed", seed, "--threads", "1", "--out", dir + "/" + id] + small)
            XCTAssertEqual(r.status, 0, r.err)
            XCTAssertEqual(try runCLI(["forecast", "--model", dir + "/" + id, "--data", alone, "--out", dir + "/\(id).f.csv"]).status, 0)
            XCTAssertEqual(rows(all, column: 0, id), rows(try String(contentsOfFile: dir + "/\(id).f.csv", encoding: .utf8), column: 0, id),
                           "series \(id): its per-series forecast is its forecast alone")
            XCTAssertEqual(try runCLI(["backtest", "--data", alone, "--id-column", "id", "--start", "0.8", "--seed", seed,
                                       "--out", dir + "/bt-" + id] + small).status, 0)
            XCTAssertEqual(rows(btForecasts, column: 1, id),
                           rows(try String(contentsOfFile: dir + "/bt-\(id)/forecasts.csv", encoding: .utf8), column: 1, id))
            let aloneOverall = rows(try String(contentsOfFile: dir + "/bt-\(id)/metrics.csv", encoding: .utf8), column: 0, "overall")
            let perSeries = rows(btMetrics, column: 0, "series").filter { $0.split(separator: ",", omittingEmptySubsequences: false)[2] == id }
            XCTAssertEqual(perSeries.map { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst(4) },
                           aloneOverall.map { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst(4) },
                           "series \(id)'s metrics are its backtest alone")
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/bt/summary.json"))) as! [String: Any]
        XCTAssertEqual((summary["per_series"] as? [[String: Any]])?.map { $0["series"] as? String }, ids.map(\.0))
        // Each series' rule picks its own look-back (the 60-step one a shorter one): the run says
        // so rather than the first series' (it printed "lookback 24" for every series).
        let lookbacks = try XCTUnwrap((summary["per_series"] as? [[String: Any]])?.compactMap { $0["lookback"] as? Int })
        XCTAssertGreaterThan(Set(lookbacks).count, 1, "\(lookbacks)")
        XCTAssertTrue((summary["resolved"] as? [String: Any])?["lookback"] is NSNull)
        XCTAssertTrue(bt.out.contains("lookback \(lookbacks.min()!)–\(lookbacks.max()!) (differs between series"), bt.out)
    }

    /// A series too short for a validation window trains on its training loss: the run names that
    /// loss as such and leaves it out of the mean of the validation losses (it was printed as "best
    /// validation loss" and averaged in), and its forecast notes its few calibration windows as a
    /// single model's does.
    func testASeriesWithoutValidationWindowsIsReportedAsSuch() throws {
        let dir = temporaryDirectory(self)
        let data = writeFile(dir, "short.csv", longCSV([("long", 72), ("short", 10)]))
        let flags = ["--horizon", "4", "--hidden", "4", "--epochs", "2", "--ensemble", "1"]
        let train = try runCLI(["train", "--data", data, "--id-column", "id", "--per-series", "--out", dir + "/m"] + flags)
        XCTAssertEqual(train.status, 0, train.err)
        let lines = (train.out + train.err).split(separator: "\n")   // the per-series lines are progress notes (stderr)
        let short = try XCTUnwrap(lines.first { $0.contains("series 'short' (") }, train.out + train.err)
        XCTAssertTrue(short.contains("best training loss (no validation windows)"), String(short))
        let long = try XCTUnwrap(lines.first { $0.contains("series 'long' (") }, train.out + train.err)
        let longLoss = try XCTUnwrap(long.components(separatedBy: "best validation loss ").last?.split(separator: ",").first)
        XCTAssertTrue(train.out.contains("best validation loss \(longLoss) (mean over the 1 series with validation windows)"), train.out)
        let forecast = try runCLI(["forecast", "--model", dir + "/m", "--data", data, "--out", dir + "/f.csv"])
        XCTAssertEqual(forecast.status, 0, forecast.err)
        XCTAssertTrue(forecast.out.contains("series 'short': the model has ") && forecast.out.contains("calibration windows"), forecast.out)
        XCTAssertFalse(forecast.out.contains("series 'long' has "), forecast.out)
    }

    /// HDF5 series mode with `rows` reads only those batch rows: the rows left out hold +inf, which
    /// reading them would refuse.
    func testHDF5ReadsOnlyTheRowsAsked() throws {
        let dir = temporaryDirectory(self), path = dir + "/s.h5"
        try seriesH5(path, poisoned: [0, 2])
        let f = try HDF5File.open(path)
        let some = try f.series(DataSelection(), rows: [3, 1])
        XCTAssertEqual(some.series.map(\.id), ["d", "b"])
        XCTAssertEqual(some.series[1].matrix.values.first, Float(10 + 3 * sin(1.0)))
        XCTAssertTrue(errorMessage { _ = try f.series(DataSelection()) }.contains(": inf; infinite values are not allowed"))
        let catalog = try SeriesCatalog.open(path, selection: DataSelection())
        XCTAssertEqual(catalog.ids, ["a", "b", "c", "d"]); XCTAssertEqual(catalog.lengths, [48, 48, 48, 48])
        XCTAssertEqual(try catalog.load([1]).series.map(\.id), ["b"])
        XCTAssertTrue(errorMessage { _ = try f.series(DataSelection(), rows: [4]) }.contains("row 4 does not exist"))
    }

    /// A series too short for the window stops the run with one line naming it; nothing is written.
    /// A CSV without --id-column is refused, saying so.
    func testAFailingSeriesIsNamedAndNothingIsWritten() throws {
        let dir = temporaryDirectory(self)
        let data = writeFile(dir, "long.csv", longCSV([("s0", 48), ("s1", 48), ("short", 10), ("s3", 48)]))
        for command in ["train", "backtest"] {
            let r = try runCLI([command, "--data", data, "--id-column", "id", "--per-series", "--lookback", "12", "--out", dir + "/out"] + small)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.err.contains("series 'short' (3 of 4): "), r.err)
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out"), "\(command): nothing written")
        }
        let r = try runCLI(["train", "--data", datasetPath("airline.csv"), "--per-series", "--out", dir + "/out"] + small)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("--id-column"), r.err)
    }

    /// Series of one long-format file on different time steps are refused, naming both: the first
    /// series set the step for all, so a monthly series after a quarterly one was forecast in
    /// quarters with season 4, exit 0 (exploratory testing, 2026-12-02).
    func testSeriesOnDifferentTimeStepsAreRefused() throws {
        let dir = temporaryDirectory(self)
        let quarterly: [String] = (0..<40).map { (i: Int) -> String in String(format: "Q,%04d-%02d-01,%d", 2005 + i / 4, (i % 4) * 3 + 1, 50 + i % 4) }
        let monthly: [String] = (0..<60).map { (i: Int) -> String in String(format: "M,%04d-%02d-01,%d", 2000 + i / 12, i % 12 + 1, 100 + i % 12) }
        for (name, rows, first, other) in [("qm.csv", quarterly + monthly, "'Q', the first, is quarterly (month starts)", "series 'M' is monthly (month starts)"),
                                           ("mq.csv", monthly + quarterly, "'M', the first, is monthly (month starts)", "series 'Q' is quarterly (month starts)")] {
            let path = writeFile(dir, name, "id,date,v\n" + rows.joined(separator: "\n") + "\n")
            for extra in [["--per-series"], []] {
                let r = try runCLI(["train", "--data", path, "--id-column", "id", "--out", dir + "/run"] + extra + small)
                XCTAssertEqual(r.status, 1, r.err)
                XCTAssertTrue(r.err.contains(other) && r.err.contains(first), r.err)
                XCTAssertTrue(r.err.contains("put the series of each frequency in a file of their own"), r.err)
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/run"))
        // Series on the same step, one with a gap, are read as before.
        let gapped: [String] = monthly.filter { !$0.hasPrefix("M,2001-03") }.map { (l: String) -> String in "N" + l.dropFirst() }
        let fine = writeFile(dir, "mm.csv", "id,date,v\n" + (monthly + gapped).joined(separator: "\n") + "\n")
        let ok = try runCLI(["train", "--data", fine, "--id-column", "id", "--per-series", "--out", dir + "/ok"] + small)
        XCTAssertEqual(ok.status, 0, ok.err)
    }

    /// `--resume` continues only the stored run, on the bytes it started with (a renamed copy is
    /// fine), and forecasting asks for a model of every series: each refusal is one line with what to
    /// do, exit 1, and the stored index is left as it was.
    func testResumeAndForecastRefusals() throws {
        let dir = temporaryDirectory(self)
        let series = [("s0", 60), ("s1", 72), ("s2", 66)]
        let data = writeFile(dir, "long.csv", longCSV(series))
        let run = ["--id-column", "id", "--per-series", "--out", dir + "/ps"] + small
        XCTAssertEqual(try runCLI(["train", "--data", data] + run + ["--stop-after-epoch", "1"]).status, 0)
        let index = PerSeriesModel.indexPath(dir + "/ps")
        let stored = try Data(contentsOf: URL(fileURLWithPath: index))
        // Forecasting the stopped run says its models are unfinished (it blamed an old seqcast).
        let early = try runCLI(["forecast", "--model", dir + "/ps", "--data", data, "--out", dir + "/early.csv"])
        XCTAssertEqual(early.status, 0, early.err)
        XCTAssertTrue(early.out.contains("3 of 3 series' models in \(dir)/ps are unfinished (first: 's0')"), early.out)
        XCTAssertFalse(early.out.contains("no calibration residuals"), early.out)
        func refused(_ file: String, _ expected: String, line: UInt = #line) throws {
            let r = try runCLI(["train", "--data", file, "--resume"] + run)
            XCTAssertEqual(r.status, 1, r.err, line: line)
            XCTAssertTrue(r.err.contains(expected), r.err, line: line)
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err, line: line)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: index)), stored, "index untouched", line: line)
        }
        // Other series (one id more), the same ids with other values in the same file, and in another file.
        try refused(writeFile(dir, "more.csv", longCSV(series + [("s3", 60)])), "holds other series than the stored run")
        let original = try String(contentsOfFile: data, encoding: .utf8)
        let edited = original.replacingOccurrences(of: ",2", with: ",3")
        try edited.write(toFile: data, atomically: true, encoding: .utf8)
        try refused(data, "long.csv has changed since this run started")
        try original.write(toFile: data, atomically: true, encoding: .utf8)
        try refused(writeFile(dir, "edited.csv", edited), "edited.csv is not the data this run started on (\(data)")
        // One series' model resumed on its own would train on every series of the file: refused,
        // naming the run to resume.
        let one = try runCLI(["train", "--data", data, "--resume", "--out", dir + "/ps/series/0"])
        XCTAssertEqual(one.status, 1, one.err)
        XCTAssertTrue(one.err.contains("is series 's0''s model of a per-series run; resume the run with seqcast train --resume --out \(dir)/ps"), one.err)
        // A flag typed with --resume that asks for another run than the stored one.
        let changed = try runCLI(["train", "--data", data, "--resume"] + run + ["--seed", "7"])
        XCTAssertEqual(changed.status, 1, changed.err)
        XCTAssertTrue(changed.err.contains("--seed 7 (the stored run has 42)"), changed.err)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: index)), stored, "index untouched")
        // A global model's folder: the stored run decides, --per-series or not.
        let global = ["train", "--data", data, "--id-column", "id", "--out", dir + "/global"] + small
        XCTAssertEqual(try runCLI(global + ["--stop-after-epoch", "1"]).status, 0)
        XCTAssertEqual(try runCLI(global + ["--per-series", "--resume"]).status, 0)
        XCTAssertNil(try PerSeriesModel.open(dir + "/global"), "still one global model")
        XCTAssertTrue(try ModelFile.load(dir + "/global/model.h5").finished)
        // Forecasting: a series the folder has no model of, and one whose model was never written.
        let other = writeFile(dir, "other.csv", longCSV([("s0", 60), ("zz", 60)]))
        let unknown = try runCLI(["forecast", "--model", dir + "/ps", "--data", other, "--out", dir + "/f.csv"])
        XCTAssertEqual(unknown.status, 1, unknown.err)
        XCTAssertTrue(unknown.err.contains("series 'zz' has no model in"), unknown.err)
        try FileManager.default.removeItem(atPath: dir + "/ps/series/1")
        let missing = try runCLI(["forecast", "--model", dir + "/ps", "--data", data, "--out", dir + "/f.csv"])
        XCTAssertEqual(missing.status, 1, missing.err)
        XCTAssertTrue(missing.err.contains("series 's1' has no trained model yet"), missing.err)
        XCTAssertTrue(missing.err.contains("seqcast train --resume --out"), missing.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/f.csv"), "no forecast written")
        // The resume that message suggests, on a renamed copy of the data: every series finishes and
        // the index names the copy.
        let copy = dir + "/copy.csv"
        try FileManager.default.copyItem(atPath: data, toPath: copy)
        try FileManager.default.removeItem(atPath: data)
        XCTAssertEqual(try runCLI(["train", "--data", copy, "--resume"] + run).status, 0)
        let resumed = try XCTUnwrap(try PerSeriesModel.open(dir + "/ps"))
        XCTAssertEqual(resumed.settings.data.path, copy)
        XCTAssertTrue(try (0..<3).allSatisfy { try resumed.model($0).finished })
    }
}

extension MPITests {
    /// Per-series training on 5 series: 2 ranks × 1 thread, and 3 ranks stopped after an epoch and
    /// resumed on 2 (without --per-series: the stored run decides), give one process's models and
    /// forecasts; rank 0 alone reports.
    func testPerSeriesTrainMatchesOneProcess() throws {
        let dir = temporaryDirectory(self)
        // Two empty cells (rows of 'a' and 'c'): every rank parses the whole CSV, and the run counts
        // them once (a rank's count of the file was summed over the ranks: 4 under -n 2).
        var lines = longCSV([("a", 60), ("b", 72), ("c", 60), ("d", 84), ("e", 66)]).split(separator: "\n").map(String.init)
        for i in [20, 150] { lines[i] = String(lines[i][..<lines[i].lastIndex(of: ",")!]) + "," }
        let data = writeFile(dir, "long.csv", lines.joined(separator: "\n") + "\n")
        let common = ["train", "--data", data, "--id-column", "id", "--horizon", "6", "--hidden", "6", "--epochs", "3",
                      "--ensemble", "2", "--patience", "0"]
        XCTAssertEqual(try runCLI(common + ["--per-series", "--threads", "2", "--out", dir + "/one", "--quiet"]).status, 0)
        let two = try run(2, common + ["--per-series", "--threads", "1", "--out", dir + "/two"])
        XCTAssertEqual(two.status, 0, two.err)
        XCTAssertTrue(two.err.contains("2 ranks: the 5 series dealt in contiguous blocks (2, 3 series)"), two.err)
        XCTAssertEqual(two.out.components(separatedBy: "per series for 5 series").count, 2, "rank 0 alone reports: \(two.out)")
        XCTAssertEqual((two.out + two.err).components(separatedBy: "2 missing values filled (interpolate)").count, 2, two.out + two.err)
        let three = try run(3, common + ["--per-series", "--threads", "1", "--out", dir + "/three", "--quiet", "--stop-after-epoch", "1"])
        XCTAssertEqual(three.status, 0, three.err)
        XCTAssertFalse(try XCTUnwrap(try PerSeriesModel.open(dir + "/three")).model(4).finished)
        let resumed = try run(2, common + ["--threads", "1", "--out", dir + "/three", "--quiet", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        let f = try forecast(dir + "/one", data: data)
        for other in ["two", "three"] {
            for p in 0..<5 { try assertSameModel(dir + "/one/series/\(p)", dir + "/\(other)/series/\(p)", members: 2) }
            XCTAssertEqual(f, try forecast(dir + "/" + other, data: data), other)
        }
    }

    /// Per-series backtests on 2 and 3 ranks write one process's forecasts, metrics and summary.json
    /// (apart from its seconds).
    func testPerSeriesBacktestMatchesOneProcess() throws {
        let dir = temporaryDirectory(self)
        let data = writeFile(dir, "long.csv", longCSV([("a", 60), ("b", 72), ("c", 60), ("d", 66)]))
        let common = ["backtest", "--data", data, "--id-column", "id", "--per-series", "--horizon", "6", "--hidden", "6",
                      "--epochs", "2", "--ensemble", "2", "--start", "0.8", "--quiet"]
        let one = try runCLI(common + ["--threads", "2", "--out", dir + "/one"])
        XCTAssertEqual(one.status, 0, one.err)
        let summary = { (d: String) throws -> NSDictionary in
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: d + "/summary.json"))) as! [String: Any]
            return json.filter { $0.key != "seconds" } as NSDictionary
        }
        for ranks in [2, 3] {
            let r = try run(ranks, common + ["--threads", "1", "--out", dir + "/many\(ranks)"])
            XCTAssertEqual(r.status, 0, r.err)
            for name in ["forecasts.csv", "metrics.csv"] {
                XCTAssertEqual(try String(contentsOfFile: dir + "/one/" + name, encoding: .utf8),
                               try String(contentsOfFile: dir + "/many\(ranks)/" + name, encoding: .utf8), "\(ranks) ranks: \(name)")
            }
            XCTAssertEqual(try summary(dir + "/one"), try summary(dir + "/many\(ranks)"))
        }
    }

    /// HDF5 per-series: each rank reads only its own batch rows. Each rank's copy of the file holds
    /// +inf in every row it is not dealt (any read of them fails), yet training on 2 ranks gives one
    /// process's models on the clean file; in a backtest rank 0 scores (reads every row) and rank 1
    /// reads only its units' series. A series that fails on rank 1 names the series and the rank.
    func testPerSeriesHDF5RanksReadOnlyTheirRows() throws {
        let dir = temporaryDirectory(self)
        for (name, poisoned) in [("clean", Set<Int>()), ("rank0", Set([2, 3])), ("rank1", Set([0, 1]))] {
            try FileManager.default.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: true)
            try seriesH5(dir + "/\(name)/data.h5", poisoned: poisoned)
        }
        let train = ["train", "--data", "data.h5", "--per-series", "--horizon", "4", "--hidden", "6", "--epochs", "2",
                     "--ensemble", "1", "--patience", "0", "--quiet", "--threads", "1"]
        XCTAssertEqual(try run([(1, dir + "/clean", train + ["--out", dir + "/one"])]).status, 0)
        let r = try run([(1, dir + "/rank0", train + ["--out", dir + "/two"]), (1, dir + "/rank1", train + ["--out", dir + "/two"])])
        XCTAssertEqual(r.status, 0, r.err)
        for p in 0..<4 { try assertSameModel(dir + "/one/series/\(p)", dir + "/two/series/\(p)", members: 1) }

        let backtest = ["backtest", "--data", "data.h5", "--per-series", "--horizon", "4", "--hidden", "6", "--epochs", "2",
                        "--ensemble", "1", "--start", "0.8", "--quiet", "--threads", "1"]
        XCTAssertEqual(try run([(1, dir + "/clean", backtest + ["--out", dir + "/bt1"])]).status, 0)
        let b = try run([(1, dir + "/clean", backtest + ["--out", dir + "/bt2"]), (1, dir + "/rank1", backtest + ["--out", dir + "/bt2"])])
        XCTAssertEqual(b.status, 0, b.err)
        for name in ["forecasts.csv", "metrics.csv"] {
            XCTAssertEqual(try String(contentsOfFile: dir + "/bt1/" + name, encoding: .utf8),
                           try String(contentsOfFile: dir + "/bt2/" + name, encoding: .utf8), name)
        }

        let long = writeFile(dir, "long.csv", longCSV([("a", 48), ("b", 48), ("short", 10), ("d", 48)]))
        let bad = try run(2, ["train", "--data", long, "--id-column", "id", "--per-series", "--lookback", "12", "--horizon", "4",
                              "--hidden", "6", "--epochs", "1", "--ensemble", "1", "--quiet", "--out", dir + "/bad"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertEqual(bad.err.components(separatedBy: "series 'short' (3 of 4): ").count, 2, bad.err)
        XCTAssertTrue(bad.err.contains("(rank 1)"), bad.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/bad"))
    }
}
