// `seqcast bench --phases`: the per-phase clocks account for a training step's time and FLOPs, and
// cost nothing (read nothing) when off.
import Foundation
import XCTest
import SeqCast

final class PhaseClockTests: XCTestCase {
    private func config(cell: String) throws -> BenchConfig {
        let json = #"{"name": "tiny-\#(cell)", "cell": "\#(cell)", "batch": 16, "steps": 12, "input_dim": 9, "hidden": 16, "layers": 2, "head": "seq2seq", "horizon": 1, "output_dim": 3}"#
        return try JSONDecoder().decode(BenchConfig.self, from: Data(json.utf8))
    }

    func testPhasesAccountForTheStepAndItsFlops() throws {
        for cell in ["lstm", "gru"] {
            let c = try config(cell: cell)
            let p = try Benchmark.phases(c, threads: 2, steps: 3, shardSize: nil)
            XCTAssertFalse(PhaseClock.enabled, "switched off again after the run")
            for phase in [Phase.gather, .inputProjection, .recurrentForward, .gatesForward, .gatesBackward,
                          .recurrentBackward, .inputBackward, .weightGradients, .shard, .reduction, .optimizer] {
                XCTAssertGreaterThan(p.phases[phase] ?? 0, 0, "\(cell): \(phase) timed")
            }
            let inner: [Phase] = [.gather, .inputProjection, .recurrentForward, .gatesForward, .gatesBackward,
                                  .recurrentBackward, .inputBackward, .weightGradients]
            XCTAssertGreaterThanOrEqual(p.phases[.shard]!, inner.reduce(0) { $0 + p.phases[$1]! }, "phases nest inside the shard")
            XCTAssertLessThanOrEqual(p.phases[.shard]!, 2 * p.wall, "two shards at most in parallel")
            // FLOPs: G·H wide products; layer 0 (D 9) computes no input gradient.
            let G = Double(c.cell.gates * 16), T = 12.0, B = 16.0, steps = 3.0
            XCTAssertEqual(p.flops[.inputProjection], steps * 2 * T * B * G * (9 + 16))
            XCTAssertEqual(p.flops[.recurrentForward], steps * 2 * 2 * (T - 1) * B * 16 * G)
            XCTAssertEqual(p.flops[.inputBackward], steps * 2 * T * B * 16 * G)
            XCTAssertEqual(p.flops[.weightGradients], p.flops[.inputProjection]! + p.flops[.recurrentForward]!)
            XCTAssertEqual(p.rows.count, inner.count + 4)
            XCTAssertTrue(p.json.contains("\"mode\": \"phases\"") && p.table.contains("weight gradients"), p.json)
        }
    }

    func testClocksStayAtZeroWhenOff() throws {
        XCTAssertFalse(PhaseClock.enabled)
        let net = try Network(config: ModelConfig(cell: .lstm, inputDim: 2, hidden: 8, layers: 1, head: .seq2vec, horizon: 2,
                                                  outputDim: 1, lookback: 6), seed: 1)
        var o = TrainingOptions(); o.batchSize = 8
        let trainer = Trainer(network: net, options: o, threads: 2)
        var rng = SeededRandom(seed: 2)
        let set = SampleSet(steps: 6, inputDim: 2, targetWidth: 2, perStep: false,
                            x: (0..<(16 * 12)).map { _ in rng.normal() }, y: (0..<32).map { _ in rng.normal() })
        _ = try trainer.trainEpoch(set, epoch: 0)
        XCTAssertTrue(trainer.phaseNanoseconds().values.allSatisfy { $0 == 0 })
    }
}
