// The preprocessing pipeline: each transform inverts exactly, every fitted step sees the training
// part only, the seasonality test, baselines and auto's choice of anchor (an untrained model
// forecasts exactly its baseline), the phase of deseasonalisation on data that starts elsewhere,
// and thread-independence with every preprocessing option on.
import Foundation
import XCTest
@testable import SeqCast

final class PreprocessingTests: XCTestCase {
    /// A positive monthly series: trend × season × noise (deterministic).
    private func seasonal(_ n: Int, period m: Int = 12, seed: UInt64 = 1) -> [Float] {
        var state = seed
        return (0..<n).map { t in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Double(state >> 40) / Double(1 << 24) - 0.5
            return Float((100 + Double(t)) * (1 + 0.3 * sin(2 * Double.pi * Double(t) / Double(m))) * (1 + 0.05 * noise))
        }
    }

    private func collection(_ values: [Float], id: String = "s", time: [String] = []) -> SeriesCollection {
        SeriesCollection(source: "mem", channels: ["v"], targetCount: 1,
                         series: [Series(id: id, time: time, matrix: SeriesMatrix(steps: values.count, channels: 1, values: values))],
                         timeAxis: nil, missingCount: 0)
    }

    private let allOn = PreprocessingChoice(scaler: .window, transform: .auto,
                                            variants: [VariantSpec(.auto), VariantSpec(.auto, deseasonalise: true),
                                                       VariantSpec(.naive), VariantSpec(.mean)], season: 12)

    func testEveryTransformRoundTrips() throws {
        let values = seasonal(120)
        let m = SeriesMatrix(steps: 120, channels: 1, values: values)
        let log = LogTransform(channels: [true])
        let d = try XCTUnwrap(Deseasonaliser.fit(parts: [Series(id: "s", time: [], matrix: m)], channels: 1, targets: [0],
                                                 period: 12, automatic: false))
        let boxcox = BoxCoxTransform(lambdas: [0.4]), boxcoxNeg = BoxCoxTransform(lambdas: [-0.5])
        for t in [SeriesTransform(log), SeriesTransform(d), SeriesTransform(boxcox), SeriesTransform(boxcoxNeg)] {
            let applied = t.apply(m, series: "s", firstRow: 0)
            XCTAssertNotEqual(applied.values, values)
            for row in 0..<120 {
                let back = t.step.invert(applied[row, 0], channel: 0, at: RowPosition(series: "s", row: row))
                XCTAssertEqual(back, values[row], accuracy: 1e-4 * abs(values[row]), "\(t) row \(row)")
            }
        }
    }

    func testPipelineTargetsInvertToTheActualValuesForEveryVariant() throws {
        let c = collection(seasonal(120))
        let p = try c.fitPipeline(spec: WindowSpec(lookback: 24, horizon: 6), choice: allOn, valFraction: 0.2)
        XCTAssertEqual(p.variants.count, 4)
        XCTAssertEqual(p.variants[0].baselineLags, [12], "seasonal series: auto picks seasonal naive")
        XCTAssertEqual(p.variants[1].transforms.count, 1, "deseasonalised variant")
        XCTAssertEqual(p.variants[1].baselineLags.count, 1)
        XCTAssertEqual(p.variants[3].baselineLags, [0])
        let raw = c.series[0].matrix
        for v in 0..<4 {
            let s = p.samples(raw, series: "s", starts: [40], variant: v)
            let w = p.forecastWindow(raw, origin: 64, series: "s")
            XCTAssertEqual(w.x[v], Array(s.x), "forecast input equals the training input of the same window")
            let back = p.invert(Array(s.y), context: w.contexts[v], variant: v)
            for k in 0..<6 { XCTAssertEqual(back[k], raw[64 + k, 0], accuracy: 1e-3 * raw[64 + k, 0], "variant \(v) step \(k)") }
        }
    }

    func testFittedOnTheTrainingPartOnly() throws {
        let values = seasonal(120)
        var changed = values
        for t in 96..<120 { changed[t] *= 3 }   // the validation part (last 20%) only
        let spec = WindowSpec(lookback: 24, horizon: 6)
        let a = try collection(values).fitPipeline(spec: spec, choice: allOn, valFraction: 0.2)
        let b = try collection(changed).fitPipeline(spec: spec, choice: allOn, valFraction: 0.2)
        XCTAssertEqual(a, b)
        var std = allOn; std.scaler = .standard
        XCTAssertEqual(try collection(values).fitPipeline(spec: spec, choice: std, valFraction: 0.2),
                       try collection(changed).fitPipeline(spec: spec, choice: std, valFraction: 0.2))
        var boxcox = allOn; boxcox.transform = TransformChoice(transformList: "boxcox")!
        let c = try collection(values).fitPipeline(spec: spec, choice: boxcox, valFraction: 0.2)
        XCTAssertEqual(c, try collection(changed).fitPipeline(spec: spec, choice: boxcox, valFraction: 0.2))
        XCTAssertTrue(c.transforms.contains { $0.step is BoxCoxTransform }, "Box-Cox fitted")
        // …and it does depend on the training part.
        var early = values
        for t in 0..<48 { early[t] *= 3 }
        XCTAssertNotEqual(c, try collection(early).fitPipeline(spec: spec, choice: boxcox, valFraction: 0.2))
    }

    /// Guerrero's λ: near 0 (log) when the seasonal spread grows in proportion to the level, near 1
    /// when it stays constant; a non-positive series is left alone under `auto`-like fits and is an
    /// error when Box-Cox is asked for.
    func testBoxCoxLambdaFollowsHowTheSpreadGrowsWithTheLevel() throws {
        let multiplicative = seasonal(240)   // (100 + t)·(1 + 0.3 sin): sd ∝ level
        let additive = (0..<240).map { t in Float(100 + Double(t) + 20 * sin(2 * Double.pi * Double(t) / 12)) }
        let lm = BoxCoxTransform.guerrero([multiplicative.map(Double.init)], period: 12)
        let la = BoxCoxTransform.guerrero([additive.map(Double.init)], period: 12)
        XCTAssertEqual(lm, 0, accuracy: 0.15, "multiplicative season: λ near 0 (log)")
        XCTAssertEqual(la, 1, accuracy: 0.15, "additive season: λ near 1")
        var negative = seasonal(120)
        negative[5] = -1
        var boxcox = allOn; boxcox.transform = TransformChoice(transformList: "boxcox")!
        XCTAssertThrowsError(try collection(negative).fitPipeline(spec: WindowSpec(lookback: 24, horizon: 6), choice: boxcox,
                                                                   valFraction: 0.2)) { e in
            XCTAssertTrue("\(e)".contains("--transform boxcox needs strictly positive values"), "\(e)")
        }
    }

    /// `auto`'s anchor: the window mean where it forecasts the training part's next K values better
    /// than naive / seasonal naive (a series that returns to its level), in the variant that is not
    /// deseasonalised only; naive for a trend, seasonal naive for a seasonal series. The error sums
    /// decide as a direct computation does, a gap skips its windows, and a global scaler (whose lag-0
    /// anchor is a constant) keeps the lag.
    func testAutoAnchorsAtTheWindowMeanWhereItForecastsBetter() throws {
        var state: UInt64 = 3
        let level = (0..<200).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return 50 + Float(state >> 40) / Float(1 << 24) * 10   // white noise around 55
        }
        func parts(_ v: [Float]) -> [SeriesMatrix] { [SeriesMatrix(steps: v.count, channels: 1, values: v)] }
        func auto(_ v: [Float], season: Int = 1, deseasonalised: Bool = false) -> [Int] {
            BaselineChoice.auto.lags(targets: [0], parts: parts(v), season: season, lookback: 24, horizon: 4, deseasonalised: deseasonalised,
                                     windowMean: true)
        }
        XCTAssertEqual(auto(level), [0], "noise around a level: the window mean")
        XCTAssertEqual(auto(level, deseasonalised: true), [1], "the deseasonalised variant keeps its lag")
        XCTAssertEqual(auto((0..<200).map { Float($0) + level[$0] / 10 }), [1], "a trend: naive")
        XCTAssertEqual(auto(seasonal(200), season: 12), [12], "seasonal with a trend: seasonal naive")
        XCTAssertEqual(BaselineChoice.naive.lags(targets: [0], parts: parts(level), season: 1, lookback: 24, horizon: 4, deseasonalised: false,
                                                 windowMean: true), [1])
        // The comparison itself, against a direct computation: every look-back window of L, the next
        // K values, lag `lag` repeating its last season when K > lag (k mod lag).
        func direct(_ v: [Float], lag: Int, L: Int, K: Int) -> (lag: Double, mean: Double) {
            var lagError = 0.0, meanError = 0.0
            for s in 0...(v.count - L - K) {
                let mean = v[s..<(s + L)].map(Double.init).reduce(0, +) / Double(L)
                for k in 0..<K {
                    lagError += abs(Double(v[s + L + k]) - Double(v[s + L - lag + k % lag])); meanError += abs(Double(v[s + L + k]) - mean)
                }
            }
            return (lagError, meanError)
        }
        let wave: [Float] = (0..<200).map { t in Float(50 + 10 * sin(Double(t) * 2 * Double.pi / 12)) + level[t] / 2 }
        let cases: [(v: [Float], lag: Int, L: Int, K: Int)] = [(level, 1, 24, 4), (wave, 12, 24, 4), (wave, 12, 24, 20), (wave, 6, 24, 15), (level, 12, 36, 30)]
        for (v, lag, L, K) in cases {
            let e = BaselineChoice.windowErrors(lag: lag, parts: parts(v), channel: 0, lookback: L, horizon: K), d = direct(v, lag: lag, L: L, K: K)
            XCTAssertEqual(e.lag, d.lag, accuracy: 1e-9 * d.lag, "lag \(lag), L \(L), K \(K)")
            XCTAssertEqual(e.mean, d.mean, accuracy: 1e-9 * d.mean, "lag \(lag), L \(L), K \(K)")
            XCTAssertEqual(BaselineChoice.meanForecastsBetter(than: lag, parts: parts(v), channel: 0, lookback: L, horizon: K), d.mean < d.lag)
        }
        XCTAssertLessThan(direct(level, lag: 1, L: 24, K: 4).mean, direct(level, lag: 1, L: 24, K: 4).lag, "noise: the mean wins")
        // A gap leaves its windows out (were it summed, both errors would be NaN and the lag kept).
        var gapped = level
        gapped[100] = .nan
        XCTAssertEqual(auto(gapped), [0])
        XCTAssertFalse(BaselineChoice.meanForecastsBetter(than: 1, parts: parts([Float](repeating: .nan, count: 40)), channel: 0, lookback: 24, horizon: 4),
                       "no gap-free window: keep the lag")
        // A global scaler's lag-0 anchor is a constant, not the window's mean: the rule does not apply.
        XCTAssertEqual(BaselineChoice.auto.lags(targets: [0], parts: parts(level), season: 1, lookback: 24, horizon: 4,
                                                deseasonalised: false, windowMean: false), [1])
        for scaler in [ScalerKind.standard, .minmax, .window] {
            var choice = PreprocessingChoice(scaler: scaler, variants: [VariantSpec(.auto)])
            choice.season = 1
            let p = try? collection(level).fitPipeline(spec: WindowSpec(lookback: 24, horizon: 4), choice: choice, valFraction: 0.2)
            XCTAssertEqual(p?.variants.first?.baselineLags, [scaler == .window ? 0 : 1], "\(scaler)")
        }
    }

    /// A mean-reverting target (no season, the window mean beats naive on the training part) is
    /// anchored at the window mean in every `auto` variant, its plain member is the window's mean,
    /// and the statistical member leaves it out; a trending target beside it keeps naive, seasonal
    /// naive and Theta. Fitted on the training part only, stored, and absent where no target reverts.
    func testMeanRevertingTargetsGetTheMeanAndNoStatisticalMember() throws {
        var state: UInt64 = 5
        let n = 240, L = 24, K = 4
        let level = (0..<n).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return 50 + Float(state >> 40) / Float(1 << 24) * 10   // white noise around 55: reverting
        }
        let trend = (0..<n).map { t in 100 + Float(t) }   // positive, trending (no season: constant differences)
        func two(_ a: [Float], _ b: [Float]) -> SeriesCollection {
            SeriesCollection(source: "mem", channels: ["level", "trend"], targetCount: 2,
                             series: [Series(id: "s", time: [], matrix: SeriesMatrix(steps: n, channels: 2, values: zip(a, b).flatMap { [$0, $1] }))],
                             timeAxis: nil, missingCount: 0)
        }
        var choice = PreprocessingChoice(scaler: .window, transform: .auto,
                                         variants: [VariantSpec(.auto), VariantSpec(.auto, deseasonalise: true)], season: 12)
        choice.baselineWeight = -1; choice.thetaWeight = -1   // auto, as by default
        let spec = WindowSpec(lookback: L, horizon: K)
        let p = try two(level, trend).fitPipeline(spec: spec, choice: choice, valFraction: 0.2)
        XCTAssertEqual(p.meanReverting, [true, false])
        XCTAssertEqual(p.variants.map { $0.baselineLags[0] }, [0, 0], "the mean in both auto variants for the reverting target")
        XCTAssertFalse(p.variants.contains { $0.baselineLags[1] == 0 }, "the trend keeps a lag")
        XCTAssertEqual(p.baselineLags, [0, 12], "plain member: the window mean; seasonal naive for the other")
        let w = p.forecastWindow(two(level, trend).series[0].matrix, origin: 200, parts: true)
        let mean = level[(200 - L)..<200].map(Double.init).reduce(0, +) / Double(L)
        for k in 0..<K {
            XCTAssertEqual(Double(w.baseline[k * 2]), mean, accuracy: 1e-4, "step \(k): the window's mean")
            XCTAssertEqual(w.baseline[k * 2 + 1], trend[199 - 12 + 1 + k], "step \(k): seasonal naive")
            XCTAssertTrue(w.theta[k * 2].isNaN, "no statistical member for the reverting target")
            XCTAssertTrue(w.theta[k * 2 + 1].isFinite, "Theta for the trending one")
            XCTAssertTrue(w.damped[k * 2].isNaN, "nor a damped trend to choose a share from")
            XCTAssertTrue(w.damped[k * 2 + 1].isFinite)
        }
        let words = p.summary(names: ["level", "trend"])
        XCTAssertTrue(words.contains("variants: level: window mean, trend:") && words.contains("(not for level: mean-reverting)"), words)
        // The rule's second half: no season, or one the test rejects (whatever the look-back); a season that passes is one.
        let lv = [SeriesMatrix(steps: n, channels: 1, values: level)]
        let waveValues = (0..<n).map { t in Float(50 + 10 * sin(Double(t) * 2 * Double.pi / 12)) + level[t] / 2 }
        let wave = [SeriesMatrix(steps: n, channels: 1, values: waveValues)]
        XCTAssertTrue(BaselineChoice.seasonless(parts: lv, channel: 0, season: 1))
        XCTAssertTrue(BaselineChoice.seasonless(parts: lv, channel: 0, season: 12))
        XCTAssertFalse(BaselineChoice.seasonless(parts: wave, channel: 0, season: 12))
        // A seasonal series with a look-back shorter than its season: `auto` may anchor at the mean,
        // but the target is not mean-reverting (the test sees the season).
        let short = try two(waveValues, trend).fitPipeline(spec: WindowSpec(lookback: 6, horizon: K), choice: choice, valFraction: 0.2)
        XCTAssertFalse(short.reverting(0), "\(short.variants.map(\.baselineLags))")
        // Stored with the model; fitted on the training part only.
        let back = try JSONDecoder().decode(Pipeline.self, from: JSONEncoder().encode(p))
        XCTAssertEqual(back, p)
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(p)) as? [String: Any])
        json["meanReverting"] = [true]   // one flag for two targets: a damaged manifest, refused
        XCTAssertThrowsError(try JSONDecoder().decode(Pipeline.self, from: JSONSerialization.data(withJSONObject: json)))
        var changed = level
        for t in 192..<n { changed[t] = 200 + Float(t) }   // the validation part (last 20%) trends away
        XCTAssertEqual(try two(changed, trend).fitPipeline(spec: spec, choice: choice, valFraction: 0.2), p)
        // Nothing reverts: no key in the stored pipeline (models stay as they were written).
        let q = try two(trend, trend).fitPipeline(spec: spec, choice: choice, valFraction: 0.2)
        XCTAssertEqual(q.meanReverting, [])
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(q), as: UTF8.self).contains("meanReverting"))
        XCTAssertEqual(q.baselineLags, [12, 12])
    }

    /// A cycle of varying length around a stable mean (an AR(2) with complex roots, period about 11)
    /// and no season: the cycle rule gives the network alone — the pipeline of `--baseline none`, with
    /// the period kept for the configuration line — decided on the training part only. White noise
    /// reverts but has no cycle; a look-back shorter than the cycle cannot hold it.
    func testCycleAroundTheMeanIsForecastByTheNetworkAlone() throws {
        var state: UInt64 = 3, x1 = 0.0, x2 = 0.0
        let n = 240
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 40) / Double(1 << 24) - 0.5
        }
        let cycle = (0..<n).map { _ -> Float in
            let x = 1.666 * x1 - 0.98 * x2 + 4 * uniform()   // roots of modulus 0.99 at about 2π/11
            x2 = x1; x1 = x
            return Float(50 + x)
        }
        let noise = (0..<n).map { _ in Float(50 + 10 * uniform()) }
        func one(_ v: [Float]) -> SeriesCollection {
            SeriesCollection(source: "mem", channels: ["v"], targetCount: 1,
                             series: [Series(id: "s", time: [], matrix: SeriesMatrix(steps: n, channels: 1, values: v))],
                             timeAxis: nil, missingCount: 0)
        }
        var choice = PreprocessingChoice(scaler: .window, transform: .auto,
                                         variants: [VariantSpec(.auto), VariantSpec(.auto, deseasonalise: true)], season: 1)
        choice.baselineWeight = -1; choice.thetaWeight = -1   // auto, as by default
        let spec = WindowSpec(lookback: 24, horizon: 6)
        let p = try one(cycle).fitPipeline(spec: spec, choice: choice, valFraction: 0.2)
        let period = try XCTUnwrap(p.cycles.first, "\(p.variants.map(\.baselineLags)) \(p.meanReverting)")
        XCTAssertTrue((9...13).contains(period), "period \(period)")
        XCTAssertFalse(p.hasBaseline)
        XCTAssertNil(p.theta)
        XCTAssertEqual(p.baselineLags, [])
        var none = choice; none.variants = []
        var alone = p; alone.cycles = []
        XCTAssertEqual(alone, try one(cycle).fitPipeline(spec: spec, choice: none, valFraction: 0.2), "the pipeline of --baseline none")
        XCTAssertTrue(p.summary(names: ["v"]).contains("a cycle (period \(period))"), p.summary(names: ["v"]))
        // Fitted on the training part only: the validation part (last 20%) flat changes nothing.
        var flat = cycle
        for t in 192..<n { flat[t] = 50 }
        XCTAssertEqual(try one(flat).fitPipeline(spec: spec, choice: choice, valFraction: 0.2), p)
        // Stored with the model; a damaged list is refused.
        XCTAssertEqual(try JSONDecoder().decode(Pipeline.self, from: JSONEncoder().encode(p)), p)
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(p)) as? [String: Any])
        for damaged in [[11, 11], [1]] {   // one period per target, each at least 2
            json["cycles"] = damaged
            XCTAssertThrowsError(try JSONDecoder().decode(Pipeline.self, from: JSONSerialization.data(withJSONObject: json)), "\(damaged)")
        }
        var withVariants = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(
            try one(noise).fitPipeline(spec: spec, choice: choice, valFraction: 0.2))) as? [String: Any])
        withVariants["cycles"] = [11]   // a cycle beside variants: contradictory, refused
        XCTAssertThrowsError(try JSONDecoder().decode(Pipeline.self, from: JSONSerialization.data(withJSONObject: withVariants)))
        // White noise reverts, with no cycle: the mean-reverting rule, variants kept.
        let q = try one(noise).fitPipeline(spec: spec, choice: choice, valFraction: 0.2)
        XCTAssertEqual(q.meanReverting, [true])
        XCTAssertEqual(q.cycles, [])
        XCTAssertEqual(q.variants.count, 2)
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(q), as: UTF8.self).contains("cycles"))
        // A look-back shorter than the cycle: not the rule.
        let short = try one(cycle).fitPipeline(spec: WindowSpec(lookback: 8, horizon: 6), choice: choice, valFraction: 0.2)
        XCTAssertEqual(short.meanReverting, [true], "still mean-reverting: only the look-back stops the rule")
        XCTAssertEqual(short.cycles, [])
        XCTAssertTrue(short.hasBaseline)
        // Not the defaults: a season given (100: too long for the test on 192 rows, so the target still
        // reverts), an explicit variant list or plain weight — kept as asked.
        var seasonal = choice; seasonal.season = 100
        var listed = choice; listed.variants = [VariantSpec(.auto), VariantSpec(.mean)]
        var weighted = choice; weighted.baselineWeight = 0.25
        for other in [seasonal, listed, weighted] {
            let kept = try one(cycle).fitPipeline(spec: spec, choice: other, valFraction: 0.2)
            XCTAssertEqual(kept.cycles, [], "\(other)")
            XCTAssertTrue(kept.hasBaseline, "\(other)")
            XCTAssertEqual(kept.meanReverting, [true], "\(other): reverting, so only the condition stops the rule")
        }
        // Every training part must cycle (a global model over several series); the first one's period is kept.
        let c = SeriesMatrix(steps: n, channels: 1, values: cycle), w = SeriesMatrix(steps: n, channels: 1, values: noise)
        XCTAssertEqual(Baselines.cycle(parts: [c, c], channel: 0, lookback: 24), Baselines.detectSeason(c, channel: 0, range: 0..<n))
        XCTAssertNil(Baselines.cycle(parts: [c, w], channel: 0, lookback: 24))
        XCTAssertNil(Baselines.cycle(parts: [w, c], channel: 0, lookback: 24))
    }

    /// A univariate mean-reverting series trained end to end: no statistical member anywhere, so
    /// the automatic θ comes out 0 (no validation value has Theta) and the configuration line says why.
    func testMeanRevertingSeriesTrainsWithoutTheta() throws {
        var state: UInt64 = 9
        let rows = (0..<200).map { t -> String in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return String(format: "%04d-01-01,%g", 1800 + t, 50 + Double(state >> 40) / Double(1 << 24) * 10)   // yearly
        }
        let dir = temporaryDirectory(self)
        let data = writeFile(dir, "level.csv", "year,v\n" + rows.joined(separator: "\n") + "\n")
        var r = smallRequest(data, out: dir + "/run", horizon: 4, ensemble: 2)
        _ = try TrainJob.runCalibrated(r)
        let p = try XCTUnwrap(try ModelFile.load(dir + "/run").manifest.pipeline)
        XCTAssertEqual(p.meanReverting, [true])
        XCTAssertEqual(p.theta?.weight, 0)
        XCTAssertEqual(p.theta?.damped, 0)
        XCTAssertEqual(p.baselineLags, [0])
        XCTAssertTrue(p.summary(names: ["v"]).contains("no Theta (mean-reverting)"), p.summary(names: ["v"]))
    }

    /// A yearly series with a wandering, trending level (no seasonal period, not mean-reverting):
    /// the statistical member alone forecasts it — bit for bit Theta mixed with the damped trend at
    /// the chosen share — and only under the automatic Theta weight and without a season.
    func testNonSeasonalTrendIsForecastByTheStatisticalMemberAlone() throws {
        var state: UInt64 = 11, level = 100.0
        let values = (0..<120).map { _ -> Double in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            level += 1 + (Double(state >> 40) / Double(1 << 24) - 0.5) * 4   // a random walk with drift
            return level
        }
        let dir = temporaryDirectory(self)
        let data = writeFile(dir, "trend.csv", "year,v\n" + values.enumerated().map { String(format: "%04d-01-01,%.4f", 1900 + $0, $1) }
            .joined(separator: "\n") + "\n")
        var request = smallRequest(data, out: dir + "/run", horizon: 4, ensemble: 2)
        request.preprocessing.season = 1   // yearly: no seasonal period (as the benchmark gives it)
        _ = try TrainJob.runCalibrated(request)
        let model = try ModelFile.load(dir + "/run")
        let p = try XCTUnwrap(model.manifest.pipeline)
        XCTAssertEqual(p.statisticalOnly, [true])
        XCTAssertEqual(p.meanReverting, [])
        XCTAssertEqual(p.theta?.fromValidation, true)
        let share = try XCTUnwrap(p.theta?.damped)
        XCTAssertGreaterThan(share, 0, "the damped trend's share is still chosen")
        let loaded = try DataSource.load(data, selection: model.manifest.selection)
        let series = loaded.series[0].matrix
        let w = p.forecastWindow(series, origin: series.steps)
        XCTAssertEqual(try Forecaster.forecast(model, data: loaded).values[0], w.theta, "the forecast is the statistical member's")
        XCTAssertTrue(p.summary(names: ["v"]).contains("the statistical member alone"), p.summary(names: ["v"]))
        // Not with a fixed Theta weight, nor with a season.
        let collection = SeriesCollection(source: "mem", channels: ["v"], targetCount: 1,
                                          series: [Series(id: "s", time: [], matrix: SeriesMatrix(steps: 120, channels: 1, values: values.map(Float.init)))],
                                          timeAxis: nil, missingCount: 0)
        var choice = PreprocessingChoice(scaler: .window, transform: .auto, variants: [VariantSpec(.auto), VariantSpec(.auto, deseasonalise: true)], season: 1)
        choice.baselineWeight = -1; choice.thetaWeight = -1
        let spec = WindowSpec(lookback: 24, horizon: 4)
        XCTAssertEqual(try collection.fitPipeline(spec: spec, choice: choice, valFraction: 0.2).statisticalOnly, [true])
        choice.thetaWeight = 0.25
        XCTAssertEqual(try collection.fitPipeline(spec: spec, choice: choice, valFraction: 0.2).statisticalOnly, [])
        choice.thetaWeight = -1; choice.season = 12
        XCTAssertEqual(try collection.fitPipeline(spec: spec, choice: choice, valFraction: 0.2).statisticalOnly, [])
        choice.season = 1; choice.scaler = .standard   // `auto` does not test the mean there: reverting is unknown
        XCTAssertEqual(try collection.fitPipeline(spec: spec, choice: choice, valFraction: 0.2).statisticalOnly, [])
        // A damaged flag list is refused; at weight 1 the statistical member stands even beside a diverged network.
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(p)) as? [String: Any])
        json["statisticalOnly"] = [true, false]
        XCTAssertThrowsError(try JSONDecoder().decode(Pipeline.self, from: JSONSerialization.data(withJSONObject: json)))
        XCTAssertEqual(Forecaster.withTheta(.infinity, theta: 7, weight: 1), 7)
        XCTAssertEqual(Forecaster.withTheta(3, theta: .nan, weight: 1), 3, "where it does not apply, the network's combination")
    }

    func testSeasonalityTest() {
        let sine = (0..<96).map { sin(2 * Double.pi * Double($0) / 12) + 0.01 * Double($0) }
        XCTAssertTrue(Seasonality.test(sine, period: 12))
        var state: UInt64 = 3, walk = 0.0
        let randomWalk = (0..<96).map { _ -> Double in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            walk += Double(state >> 40) / Double(1 << 24) - 0.5
            return walk
        }
        let steps = zip(randomWalk.dropFirst(), randomWalk).map { $0 - $1 }
        XCTAssertFalse(Seasonality.test(steps, period: 12), "white-noise steps are not seasonal")
        XCTAssertFalse(Seasonality.test(Array(sine.prefix(30)), period: 12), "fewer than three seasons: no verdict")
    }

    func testLogOfANonPositiveSeriesIsAnErrorOnlyWhenAskedFor() throws {
        var values = seasonal(60); values[5] = 0
        let spec = WindowSpec(lookback: 12, horizon: 3)
        let auto = try collection(values).fitPipeline(spec: spec, choice: PreprocessingChoice(transform: .auto), valFraction: 0.2)
        XCTAssertTrue(auto.transforms.isEmpty, "auto leaves a series with a zero unlogged")
        let msg = errorMessage {
            _ = try collection(values).fitPipeline(spec: spec, choice: PreprocessingChoice(transform: TransformChoice(transformList: "log")!),
                                                   valFraction: 0.2)
        }
        XCTAssertTrue(msg.contains("strictly positive") && msg.contains("'v'"), msg)
    }

    /// With the head at zero, an untrained model forecasts its baseline: seasonal naive for every
    /// member, so the ensemble forecast is seasonal naive too.
    func testUntrainedModelForecastsItsBaseline() throws {
        let dir = temporaryDirectory(self)
        let csv = "month,v\n" + seasonal(96).enumerated().map { "\(1990 + $0.offset / 12)-\(String(format: "%02d", $0.offset % 12 + 1)),\($0.element)" }.joined(separator: "\n") + "\n"
        let path = writeFile(dir, "s.csv", csv)
        var r = TrainRequest(dataPath: path, outDir: dir + "/run")
        r.windows.horizon = 6; r.preprocessing.variants = [VariantSpec(.seasonal)]; r.training.ensemble = 2
        r.preprocessing.thetaWeight = .fixed(0)   // with Theta: ThetaTests.testUntrainedModelForecastsItsBaselineAndTheta
        let data = try DataSource.load(path, selection: r.data.selection)
        let (model, _) = try TrainJob.seriesModel(r.settings, data: data)
        let f = try Forecaster.forecast(model, data: data)
        let last = data.series[0].matrix
        for k in 0..<6 { XCTAssertEqual(f.values[0][k], last[96 - 12 + k, 0], accuracy: 1e-3 * last[96 - 12 + k, 0]) }
    }

    /// The automatic weight of the plain baseline: ½ when no member beat its untrained start on the
    /// validation windows, ρ/(1+ρ) with ρ = √(best/initial) averaged over members otherwise.
    func testAutomaticBaselineWeightFollowsTheValidationGain() throws {
        let dir = temporaryDirectory(self)
        var r = TrainRequest(dataPath: datasetPath("airline.csv"), outDir: dir)
        r.windows.horizon = 6; r.training.ensemble = 2
        let data = try DataSource.load(r.data.path, selection: r.data.selection)
        let (model, _) = try TrainJob.seriesModel(r.settings, data: data)
        let p = try XCTUnwrap(model.manifest.pipeline)
        XCTAssertLessThan(p.baselineWeight, 0, "auto by default")
        XCTAssertEqual(Forecaster.baselineWeight(model, pipeline: p), 1.0 / 3, accuracy: 1e-6, "no validation record yet")
        for m in model.members { m.state.initialLoss = 2; m.state.bestLoss = 2 }
        XCTAssertEqual(Forecaster.baselineWeight(model, pipeline: p), 0.5, accuracy: 1e-6)
        model.members[0].state.bestLoss = 0.5   // ρ = ½ → ⅓
        XCTAssertEqual(Forecaster.baselineWeight(model, pipeline: p), (0.5 + 1.0 / 3) / 2, accuracy: 1e-6)
        var fixed = p; fixed.baselineWeight = 0.25
        XCTAssertEqual(Forecaster.baselineWeight(model, pipeline: fixed), 0.25)
    }

    /// A deseasonalising model forecasts the same from the full data and from data that starts a few
    /// months later (the phase is found from the time labels).
    func testDeseasonalisedForecastFindsThePhaseOnLaterData() throws {
        let dir = temporaryDirectory(self)
        let rows = seasonal(96).enumerated().map { "\(1990 + $0.offset / 12)-\(String(format: "%02d", $0.offset % 12 + 1)),\($0.element)" }
        let full = writeFile(dir, "full.csv", "month,v\n" + rows.joined(separator: "\n") + "\n")
        let later = writeFile(dir, "later.csv", "month,v\n" + rows.dropFirst(5).joined(separator: "\n") + "\n")
        var r = TrainRequest(dataPath: full, outDir: dir + "/run")
        r.windows.horizon = 6; r.preprocessing.variants = [VariantSpec(.auto, deseasonalise: true)]; r.training.ensemble = 1
        r.training.epochs = 3; r.run.threads = 1
        r.preprocessing.thetaWeight = .fixed(0)   // Theta reads the history before the window, which the later file shortens
        _ = try TrainJob.run(r)
        let model = try ModelFile.load(dir + "/run")
        XCTAssertEqual(model.manifest.pipeline?.variants[0].transforms.count, 1)
        let a = try Forecaster.forecast(model, data: try DataSource.load(full, selection: model.manifest.selection))
        let b = try Forecaster.forecast(model, data: try DataSource.load(later, selection: model.manifest.selection))
        XCTAssertEqual(a.values, b.values)
        // A model of one series (its id is its file's name) applies its profile to the series of any file.
        let long = writeFile(dir, "long.csv", "id,month,v\n" + rows.map { "a,\($0)" }.joined(separator: "\n") + "\n"
                             + rows.map { "b,\($0)" }.joined(separator: "\n") + "\n")
        var sel = model.manifest.selection; sel.idColumn = "id"
        XCTAssertEqual(try Forecaster.forecast(model, data: try DataSource.load(long, selection: sel)).values, [a.values[0], a.values[0]])
        // The later data without its time column: the phase cannot be found, so it is refused (it was
        // counted from the first row: the seasonal pattern shifted by 5 months, exit 0).
        let unlabelled = writeFile(dir, "later-values.csv", "v\n" + rows.dropFirst(5).map { String($0.split(separator: ",")[1]) }.joined(separator: "\n") + "\n")
        var plain = model.manifest.selection; plain.timeColumn = nil
        let refused = errorMessage { _ = try Forecaster.forecast(model, data: try DataSource.load(unlabelled, selection: plain)) }
        XCTAssertTrue(refused.contains("has no time labels, and the model's seasonal indices count from 1990-01"), refused)
        // A model trained without labels counts the phase from the first row, and says so.
        var bare = r; bare.data.path = writeFile(dir, "full-values.csv", "v\n" + rows.map { String($0.split(separator: ",")[1]) }.joined(separator: "\n") + "\n")
        bare.run.outDir = dir + "/bare"; bare.preprocessing.season = 12
        _ = try TrainJob.run(bare)
        let bareModel = try ModelFile.load(dir + "/bare")
        XCTAssertEqual(Forecaster.phaseFromFirstRow(bareModel, data: try DataSource.load(unlabelled, selection: bareModel.manifest.selection)), 12)
        // Labelled data cannot place a phase the model never had a label for: the same note.
        var labelled = bareModel.manifest.selection; labelled.timeColumn = "month"
        XCTAssertEqual(Forecaster.phaseFromFirstRow(bareModel, data: try DataSource.load(later, selection: labelled)), 12)
        XCTAssertNil(Forecaster.phaseFromFirstRow(model, data: try DataSource.load(later, selection: model.manifest.selection)))
        // The forecast carries the note (forecast, per-series forecasts and plot print it from there).
        let noted = try Forecaster.forecast(bareModel, data: try DataSource.load(unlabelled, selection: bareModel.manifest.selection))
        XCTAssertEqual(noted.notes, [Forecaster.phaseNote(period: 12)])
        XCTAssertEqual(b.notes, [])
    }

    /// Every preprocessing option on: weights identical for 1 and 2 threads, and a resumed run ends
    /// with the weights of an uninterrupted one.
    func testThreadsAndResumeWithEveryOptionOn() throws {
        let dir = temporaryDirectory(self)
        var one = TrainRequest(dataPath: datasetPath("airline.csv"), outDir: dir + "/t1")
        one.windows.horizon = 12; one.architecture.hidden = 8; one.training.epochs = 4; one.training.patience = 0; one.run.threads = 1
        one.preprocessing.transform = .auto; one.training.ensemble = 4
        one.preprocessing.variants = [VariantSpec(.auto), VariantSpec(.auto, deseasonalise: true), VariantSpec(.naive), VariantSpec(.mean)]
        var two = one; two.run.outDir = dir + "/t2"; two.run.threads = 2
        _ = try TrainJob.runCalibrated(one); _ = try TrainJob.runCalibrated(two)
        var part = two; part.run.outDir = dir + "/t3"; part.run.stopAfterEpoch = 2
        _ = try TrainJob.runCalibrated(part)
        XCTAssertEqual(try ModelFile.load(dir + "/t3").manifest.pipeline?.theta?.weight, ThetaMember.fallbackWeight, "not chosen before the run finishes")
        XCTAssertEqual(try ModelFile.load(dir + "/t3").manifest.pipeline?.theta?.damped, 0, "nor the damped trend's share")
        part.run.stopAfterEpoch = nil; part.run.resume = true
        _ = try TrainJob.runCalibrated(part)
        for i in 0..<4 {
            let a = try HDF5File.open(dir + "/t1/model.h5").read("members/\(i)/params").values
            XCTAssertEqual(a, try HDF5File.open(dir + "/t2/model.h5").read("members/\(i)/params").values, "member \(i)")
            XCTAssertEqual(a, try HDF5File.open(dir + "/t3/model.h5").read("members/\(i)/params").values, "member \(i) resumed")
        }
        let m1 = try ModelFile.load(dir + "/t1"), m2 = try ModelFile.load(dir + "/t2"), m3 = try ModelFile.load(dir + "/t3")
        let data = try DataSource.load(datasetPath("airline.csv"), selection: m1.manifest.selection)
        XCTAssertEqual(try Forecaster.forecast(m1, data: data).values, try Forecaster.forecast(m2, data: data).values)
        XCTAssertEqual(try Forecaster.forecast(m1, data: data).values, try Forecaster.forecast(m3, data: data).values)
        // Theta's automatic weight, the damped trend's share and the calibration: the same whatever
        // the threads, and after a resume.
        XCTAssertEqual(m1.manifest.pipeline?.theta?.fromValidation, true)
        XCTAssertNotEqual(m1.manifest.pipeline?.theta?.weight, ThetaMember.fallbackWeight)
        XCTAssertGreaterThan(try XCTUnwrap(m1.manifest.pipeline?.theta?.damped), 0)
        for m in [m2, m3] {
            XCTAssertEqual(m.manifest.pipeline, m1.manifest.pipeline)
            XCTAssertEqual(m.calibration, m1.calibration)
        }
    }
}

/// `--resume` continues exactly the stored run: a changed data file or a shorter --epochs is refused
/// with the reason; a longer explicit --epochs extends it.
final class ResumeTests: XCTestCase {
    /// A 3-epoch run of `ensemble` small members on a copy of airline.csv in `dir` (run folder dir/run).
    private func request(_ dir: String, ensemble: Int) throws -> (TrainRequest, data: String) {
        let data = dir + "/airline.csv"
        try FileManager.default.copyItem(atPath: datasetPath("airline.csv"), toPath: data)
        var r = TrainRequest(dataPath: data, outDir: dir + "/run")
        r.windows.horizon = 6; r.architecture.hidden = 8; r.training.ensemble = ensemble; r.training.epochs = 3; r.training.patience = 0
        r.run.threads = 1
        return (r, data)
    }

    /// The mean-reverting rule (uschange's percentage changes revert) with the
    /// default variants and automatic weights: the same model whatever the threads, and after a resume.
    func testThreadsAndResumeWithMeanRevertingTargets() throws {
        let dir = temporaryDirectory(self)
        var one = TrainRequest(dataPath: datasetPath("uschange.csv"), outDir: dir + "/t1")
        one.windows.horizon = 4; one.architecture.hidden = 8; one.training.epochs = 4; one.training.patience = 0; one.run.threads = 1
        one.training.ensemble = 4
        var two = one; two.run.outDir = dir + "/t2"; two.run.threads = 2
        _ = try TrainJob.runCalibrated(one); _ = try TrainJob.runCalibrated(two)
        var part = two; part.run.outDir = dir + "/t3"; part.run.stopAfterEpoch = 2
        _ = try TrainJob.runCalibrated(part)
        part.run.stopAfterEpoch = nil; part.run.resume = true
        _ = try TrainJob.runCalibrated(part)
        let m1 = try ModelFile.load(dir + "/t1"), m2 = try ModelFile.load(dir + "/t2"), m3 = try ModelFile.load(dir + "/t3")
        let p = try XCTUnwrap(m1.manifest.pipeline)
        XCTAssertTrue(p.meanReverting.contains(true), "\(p.meanReverting)")
        let data = try DataSource.load(datasetPath("uschange.csv"), selection: m1.manifest.selection)
        let f1 = try Forecaster.forecast(m1, data: data).values
        XCTAssertEqual(f1, try Forecaster.forecast(m2, data: data).values)
        XCTAssertEqual(f1, try Forecaster.forecast(m3, data: data).values)
        for m in [m2, m3] {
            XCTAssertEqual(m.manifest.pipeline, p)
            XCTAssertEqual(m.calibration, m1.calibration)
        }
    }

    func testResumeRefusesChangedDataAndShorterEpochsAndExtendsWhenAsked() throws {
        let dir = temporaryDirectory(self)
        let (r, data) = try request(dir, ensemble: 1)
        XCTAssertTrue(try TrainJob.run(r).finished)
        var again = r; again.run.resume = true; again.training.epochs = 100   // the default, not asked for
        XCTAssertEqual(try TrainJob.run(again).epochs, 3, "a default --epochs does not extend the stored run")
        again.run.resumeEpochs = 2
        XCTAssertTrue(errorMessage { _ = try TrainJob.run(again) }.contains("cannot be shortened"))
        again.run.resumeEpochs = 5
        final class Notes: @unchecked Sendable { var all: [String] = []; let lock = NSLock() }
        let notes = Notes()
        XCTAssertEqual(try TrainJob.run(again) { e in
            if case .note(let n) = e { notes.lock.withLock { notes.all.append(n) } }
        }.epochs, 5, "an explicit larger --epochs extends it")
        XCTAssertTrue(notes.all.contains { $0.contains("extending the stored run from 3 to 5 epochs") }, "\(notes.all)")
        // Extending a finished, calibrated run: stopped before it finishes again, its model holds
        // Theta's fallback weight and no calibration (both are chosen again when it finishes).
        let finished = dir + "/finished"
        var calibrated = r; calibrated.run.outDir = finished
        _ = try TrainJob.runCalibrated(calibrated)
        let chosen = try XCTUnwrap(ModelFile.load(finished).manifest.pipeline?.theta)
        XCTAssertNotNil(try ModelFile.load(finished).calibration)
        XCTAssertNotEqual(chosen.weight, ThetaMember.fallbackWeight)
        var extended = calibrated; extended.run.resume = true; extended.run.resumeEpochs = 6; extended.run.stopAfterEpoch = 4
        _ = try TrainJob.runCalibrated(extended)
        let stopped = try ModelFile.load(finished)
        XCTAssertEqual(stopped.manifest.pipeline?.theta?.weight, ThetaMember.fallbackWeight)
        XCTAssertEqual(stopped.manifest.pipeline?.theta?.damped, 0)
        XCTAssertNotEqual(chosen.damped, 0)
        XCTAssertNil(stopped.calibration)
        extended.run.stopAfterEpoch = nil
        _ = try TrainJob.runCalibrated(extended)
        XCTAssertNotNil(try ModelFile.load(finished).calibration)
        XCTAssertNotEqual(try ModelFile.load(finished).manifest.pipeline?.theta?.weight, ThetaMember.fallbackWeight)
        XCTAssertFalse(notes.all.contains { $0.contains("nothing to resume") }, "an extended run is resumed: \(notes.all)")
        let text = try String(contentsOfFile: data, encoding: .utf8)
        try (text + "1961-01,500\n").write(toFile: data, atomically: true, encoding: .utf8)
        again.run.resumeEpochs = nil
        let msg = errorMessage { _ = try TrainJob.run(again) }
        XCTAssertTrue(msg.contains("has changed since this run started"), msg)
    }

    /// A model stored before digests existed resumes on its own file only: another file is refused
    /// (nothing could tell whether it holds the same data), the stored path continues.
    func testResumeOfAModelWithoutADigestStaysOnItsOwnFile() throws {
        let dir = temporaryDirectory(self)
        var (r, data) = try request(dir, ensemble: 1)
        r.run.stopAfterEpoch = 1
        XCTAssertFalse(try TrainJob.run(r).finished)
        let stored = try ModelFile.load(dir + "/run/model.h5")
        stored.manifest.sourceDigest = nil
        try ModelFile.save(stored, to: dir + "/run/model.h5")
        var again = r; again.run.resume = true; again.run.stopAfterEpoch = nil
        let copy = dir + "/copy.csv"
        try FileManager.default.copyItem(atPath: data, toPath: copy)
        again.data.path = copy
        let msg = errorMessage { _ = try TrainJob.run(again) }
        XCTAssertTrue(msg.contains("this run stored no digest of its data, so it can only resume on \(data) itself, not \(copy)"), msg)
        again.data.path = data
        XCTAssertTrue(try TrainJob.run(again).finished)
    }

    /// `--data` on resume must hold the bytes the run started on: another file is refused, naming
    /// the stored one; a renamed copy continues the run (and becomes its source), exactly as the
    /// uninterrupted run ends.
    func testResumeOnAnotherFileIsRefusedAndOnARenamedCopyContinues() throws {
        let dir = temporaryDirectory(self)
        var (r, data) = try request(dir, ensemble: 2)
        var whole = r; whole.run.outDir = dir + "/whole"
        XCTAssertTrue(try TrainJob.run(whole).finished)
        r.run.stopAfterEpoch = 1
        XCTAssertFalse(try TrainJob.run(r).finished)
        var again = r; again.run.resume = true; again.run.stopAfterEpoch = nil
        let other = dir + "/other.csv"
        try (try String(contentsOfFile: data, encoding: .utf8) + "1961-01,500\n").write(toFile: other, atomically: true, encoding: .utf8)
        again.data.path = other
        let msg = errorMessage { _ = try TrainJob.run(again) }
        XCTAssertTrue(msg.contains("other.csv is not the data this run started on (\(data), size:hash "), msg)
        XCTAssertFalse(try ModelFile.load(dir + "/run/model.h5").finished, "the stored run is untouched")
        let moved = dir + "/moved.csv"
        try FileManager.default.moveItem(atPath: data, toPath: moved)
        again.data.path = moved
        XCTAssertTrue(try TrainJob.run(again).finished)
        XCTAssertEqual(try ModelFile.load(dir + "/run/model.h5").manifest.source, moved)
        for i in 0..<2 {
            XCTAssertEqual(try HDF5File.open(dir + "/run/model.h5").read("members/\(i)/params").values,
                           try HDF5File.open(dir + "/whole/model.h5").read("members/\(i)/params").values, "member \(i)")
        }
    }
}

/// Error paths of preprocessing at forecast and backtest time.
final class PreprocessingErrorTests: XCTestCase {
    /// A deseasonalised model of several series cannot forecast a series it never saw.
    func testUnknownSeriesOfADeseasonalisedModelIsAnError() throws {
        let dir = temporaryDirectory(self)
        func rows(_ id: String) -> [String] {
            (0..<72).map { t in "\(id),\(1990 + t / 12)-\(String(format: "%02d", t % 12 + 1)),\(100 + 20 * sin(Double(t) * .pi / 6) + Double(t % 5))" }
        }
        let train = writeFile(dir, "train.csv", "id,month,v\n" + (rows("a") + rows("b")).joined(separator: "\n") + "\n")
        let other = writeFile(dir, "other.csv", "id,month,v\n" + rows("c").joined(separator: "\n") + "\n")
        var r = TrainRequest(dataPath: train, outDir: dir + "/run")
        r.data.selection.idColumn = "id"; r.windows.horizon = 6; r.training.ensemble = 1
        r.preprocessing.variants = [VariantSpec(.auto, deseasonalise: true)]
        let (model, _) = try TrainJob.seriesModel(r.settings, data: try DataSource.load(train, selection: r.data.selection))
        XCTAssertEqual(model.manifest.pipeline?.variants[0].transforms.count, 1)
        let msg = errorMessage { _ = try Forecaster.forecast(model, data: try DataSource.load(other, selection: r.data.selection)) }
        XCTAssertTrue(msg.contains("series 'c' was not in the model's training data"), msg)
    }

    /// Backtest windows whose inputs a logged model cannot take are left out, not forecast as NaN.
    /// (Never every window: the first origin's inputs are the training part, on which log was chosen.)
    func testBacktestLeavesOutInputsALogCannotTake() throws {
        let dir = temporaryDirectory(self)
        let values: [Double] = (0..<140).map { t -> Double in
            guard t < 100 else { return 0 }
            let x = Double(t)
            return 10 + 5 * sin(x / 3) + x * 0.05
        }
        let path = writeFile(dir, "s.csv", "v\n" + values.map { "\($0)" }.joined(separator: "\n") + "\n")
        var t = TrainRequest(dataPath: path, outDir: dir + "/bt")
        t.windows.horizon = 5; t.training.ensemble = 1; t.training.epochs = 2; t.run.threads = 1
        var r = BacktestRequest(train: t)
        r.backtest.start = BacktestStart.index(90); r.backtest.retrain = RetrainPolicy.never
        final class Notes: @unchecked Sendable { var all: [String] = []; let lock = NSLock() }
        let box = Notes()
        let result = try BacktestJob.run(r) { e in if case .note(let s) = e { box.lock.lock(); box.all.append(s); box.lock.unlock() } }
        let notes = box.all
        XCTAssertEqual(result.windows.count, 3, "origins 90, 95 and 100 have positive inputs")
        XCTAssertTrue(result.windows.allSatisfy { w in w.forecast.allSatisfy { $0.isFinite } })
        XCTAssertTrue(notes.contains { $0.contains("7 windows left out") && $0.contains("log transform") }, "\(notes)")
    }
}
