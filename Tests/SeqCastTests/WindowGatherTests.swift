// Windows gathered from the prepared series (SeriesWindows) equal the samples the pipeline used to
// materialise, bit for bit — every scaler, multivariate with a covariate, several series of
// different lengths with gaps (`--missing drop`), a window stride, ensemble variants with their own
// transforms, and seq2seq targets — and a run that cannot fit in memory is refused before it starts.
import Foundation
import XCTest
import SeqCast

final class WindowGatherTests: XCTestCase {
    /// Positive seasonal values (deterministic), channel c shifted so channels differ.
    private func values(_ n: Int, channels: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<(n * channels)).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let t = Double(i / channels), c = Double(i % channels)
            let noise = Double(state >> 40) / Double(1 << 24) - 0.5
            return Float((50 + 10 * c + t) * (1 + 0.3 * sin(2 * Double.pi * (t + c) / 12)) * (1 + 0.05 * noise))
        }
    }

    /// Two series (long format), 2 targets + 1 covariate; series b has gaps (NaN).
    private func collection() -> SeriesCollection {
        var b = values(90, channels: 3, seed: 2)
        for i in [40 * 3 + 1, 41 * 3 + 1, 70 * 3 + 2] { b[i] = .nan }
        return SeriesCollection(source: "mem", channels: ["y1", "y2", "cov"], targetCount: 2, series: [
            Series(id: "a", time: [], matrix: SeriesMatrix(steps: 120, channels: 3, values: values(120, channels: 3, seed: 1))),
            Series(id: "b", time: [], matrix: SeriesMatrix(steps: 90, channels: 3, values: b)),
        ], timeAxis: nil, missingCount: 3)
    }

    /// The samples as they were materialised before windows were gathered: Pipeline.samples per
    /// series over the same window starts, appended in series order.
    private func materialised(_ c: SeriesCollection, _ p: Pipeline, variant v: Int, validation: Bool) -> SampleSet {
        var all = SampleSet(steps: p.spec.lookback, inputDim: 3, targetWidth: p.spec.horizon * 2, perStep: p.spec.perStep)
        for s in c.series {
            let cut = SampleSet.validationCut(count: s.length, valFraction: 0.2)
            let starts = validation ? p.validStarts(s.matrix, in: max(0, cut - p.spec.lookback)..<s.length)
                                    : p.validStarts(s.matrix, in: 0..<cut)
            all.append(contentsOf: p.samples(s.matrix, series: s.id, starts: starts, variant: v))
        }
        return all
    }

    func testGatheredWindowsEqualTheMaterialisedSamples() throws {
        let c = collection()
        let variants = [VariantSpec(.auto), VariantSpec(.auto, deseasonalise: true), VariantSpec(.naive), VariantSpec(.mean)]
        var cases: [(WindowSpec, PreprocessingChoice)] = []
        for scaler in ScalerKind.allCases {
            cases.append((WindowSpec(lookback: 24, horizon: 4, stride: 1),
                          PreprocessingChoice(scaler: scaler, transform: .auto, variants: variants, season: 12)))
            cases.append((WindowSpec(lookback: 12, horizon: 3, stride: 3, perStep: true),
                          PreprocessingChoice(scaler: scaler, transform: .none, variants: [], season: 12)))
        }
        for (spec, choice) in cases {
            let split = try c.split(spec: spec, choice: choice, valFraction: 0.2)
            let p = split.pipeline
            let what = "\(choice.scaler) perStep \(spec.perStep)"
            XCTAssertEqual(split.trains.count, p.variantCount)
            for v in 0..<p.variantCount {
                for (windows, validation) in [(split.trains[v], false), (split.validations[v], true)] {
                    let old = materialised(c, p, variant: v, validation: validation), new = windows.materialised()
                    XCTAssertGreaterThan(old.count, 0, what)
                    XCTAssertEqual(new.count, old.count, what)
                    XCTAssertEqual(new.x.map(\.bitPattern), old.x.map(\.bitPattern), "\(what) variant \(v) inputs")
                    XCTAssertEqual(new.y.map(\.bitPattern), old.y.map(\.bitPattern), "\(what) variant \(v) targets")
                    // A shuffled batch, time-major, as the Trainer gathers it.
                    let idx = [old.count - 1, 0, old.count / 2, 1][...]
                    var xb = [Float](repeating: 0, count: idx.count * old.inputRowWidth)
                    var yb = [Float](repeating: 0, count: idx.count * old.targetRowWidth)
                    var xo = xb, yo = yb
                    xb.withUnsafeMutableBufferPointer { x in yb.withUnsafeMutableBufferPointer { y in
                        windows.gather(idx, x: x.baseAddress!, y: y.baseAddress!) } }
                    xo.withUnsafeMutableBufferPointer { x in yo.withUnsafeMutableBufferPointer { y in
                        old.gather(idx, x: x.baseAddress!, y: y.baseAddress!) } }
                    XCTAssertEqual(xb.map(\.bitPattern), xo.map(\.bitPattern), "\(what) variant \(v) batch inputs")
                    XCTAssertEqual(yb.map(\.bitPattern), yo.map(\.bitPattern), "\(what) variant \(v) batch targets")
                }
            }
        }
    }

    func testEveryVariantSharesOnePreparedCopy() throws {
        for variants in [[VariantSpec(.auto), VariantSpec(.naive)], [VariantSpec(.auto), VariantSpec(.auto, deseasonalise: true)]] {
            let choice = PreprocessingChoice(scaler: .standard, transform: .auto, variants: variants, season: 12)
            let split = try collection().split(spec: WindowSpec(lookback: 24, horizon: 4), choice: choice, valFraction: 0.2)
            XCTAssertEqual(split.trains.count, 2)
            if variants[1].deseasonalise { XCTAssertFalse(split.pipeline.variants[1].transforms.isEmpty, "deseasonalised") }
            for j in 0..<2 {
                split.trains[0].series[j].values.withUnsafeBufferPointer { a in
                    split.trains[1].series[j].values.withUnsafeBufferPointer { b in XCTAssertEqual(a.baseAddress, b.baseAddress) }
                    split.validations[1].series[j].values.withUnsafeBufferPointer { b in XCTAssertEqual(a.baseAddress, b.baseAddress) } }
            }
        }
    }

    func testWindowStartsNumberRegularAndListedRuns() {
        var w = WindowStarts()
        w.append(series: 0, starts: [2, 5, 8, 11])
        w.append(series: 1, starts: [])
        w.append(series: 2, starts: [0, 1, 4])
        XCTAssertEqual(w.count, 7)
        XCTAssertEqual((0..<7).map { w.window($0).series }, [0, 0, 0, 0, 2, 2, 2])
        XCTAssertEqual((0..<7).map { w.window($0).start }, [2, 5, 8, 11, 0, 1, 4])
    }

    func testARunThatCannotFitInMemoryIsRefusedBeforeItStarts() throws {
        let dir = temporaryDirectory(self)
        setenv("SEQCAST_MEMORY_LIMIT", "64K", 1); defer { unsetenv("SEQCAST_MEMORY_LIMIT") }
        var r = TrainRequest(dataPath: datasetPath("airline.csv"), outDir: dir + "/run")
        r.windows.horizon = 3; r.training.epochs = 1; r.training.ensemble = 1
        let msg = errorMessage { _ = try TrainJob.run(r) }
        XCTAssertTrue(msg.contains("training on \(datasetPath("airline.csv")) needs about "), msg)
        XCTAssertTrue(msg.contains("of memory (series "), msg)
        XCTAssertTrue(msg.contains("more than SEQCAST_MEMORY_LIMIT's 0.1 MiB"), msg)
        XCTAssertFalse(msg.contains("\n"))
        XCTAssertEqual(listing(dir + "/run"), [], "nothing written")
        // The HDF5 read check uses the same budget (half of it for one read).
        let h5 = dir + "/s.h5"
        let f = try HDF5File.create(h5)
        try f.write("series", shape: [20000], values: [Float](repeating: 1, count: 20000))
        try f.close()
        let read = errorMessage { _ = try DataSource.load(h5, selection: DataSelection()) }
        XCTAssertTrue(read.contains("reading it needs 0.1 MiB of memory, more than half of SEQCAST_MEMORY_LIMIT's 0.1 MiB"), read)
        unsetenv("SEQCAST_MEMORY_LIMIT")
        XCTAssertNoThrow(try DataSource.load(h5, selection: DataSelection()))
    }
}
