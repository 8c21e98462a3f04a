// PhaseBenchmark: where one configuration's training step spends its time (`seqcast bench --phases`):
// the per-phase thread time from the workspaces' PhaseClocks, set against threads × wall time, with
// the GEMM phases' FLOPs so each can be compared with the kernel ceiling (`seqcast bench --kernels`).
import Dispatch
import Foundation

public struct PhaseBreakdown: Sendable {
    public var name: String
    public var threads: Int
    public var steps: Int
    public var sequencesPerSecond: Double
    /// Wall time of the timed steps, and thread time per phase, in nanoseconds.
    public var wall: UInt64
    public var phases: [Phase: UInt64]
    /// FLOPs of the timed steps per GEMM phase (encoder layers only; zero for the others).
    public var flops: [Phase: Double]

    /// The phases inside a shard that are timed on their own; the shard's remainder is the head,
    /// the loss, dropout between layers and the bidirectional/decoder glue.
    static let inner: [Phase] = [.gather, .inputProjection, .recurrentForward, .gatesForward, .gatesBackward,
                                 .recurrentBackward, .inputBackward, .weightGradients]

    /// Rows: (label, thread ns, GFLOP/s of that phase's own thread time or nil).
    public var rows: [(String, UInt64, Double?)] {
        var out: [(String, UInt64, Double?)] = []
        for p in Self.inner {
            let ns = phases[p] ?? 0, f = flops[p] ?? 0
            out.append((p.label, ns, f > 0 && ns > 0 ? f / Double(ns) : nil))
        }
        let shard = phases[.shard] ?? 0
        let innerSum = Self.inner.reduce(0) { $0 + (phases[$1] ?? 0) }
        out.append(("head, loss, dropout, rest of the shard", shard > innerSum ? shard - innerSum : 0, nil))
        out.append((Phase.reduction.label, phases[.reduction] ?? 0, nil))
        out.append((Phase.optimizer.label, phases[.optimizer] ?? 0, nil))
        let busy = shard + (phases[.reduction] ?? 0) + (phases[.optimizer] ?? 0)
        let capacity = UInt64(threads) * wall
        out.append(("idle: waiting for the other shard, scheduling", capacity > busy ? capacity - busy : 0, nil))
        return out
    }

    /// Human-readable table: ms per training step of thread time, share of threads × wall, GFLOP/s.
    public var table: String {
        let capacity = Double(threads) * Double(wall)
        let totalFlops = flops.values.reduce(0, +)
        var lines = ["\(name), \(threads) thread(s), \(steps) steps: \(String(format: "%.1f", sequencesPerSecond)) seq/s, "
                     + "\(String(format: "%.1f", totalFlops / Double(wall))) GFLOP/s (GEMM FLOPs over wall time)",
                     "phase                                             ms/step   share  GFLOP/s (per thread-second)"]
        for (label, ns, rate) in rows {
            let padded = label.padding(toLength: 48, withPad: " ", startingAt: 0)
            lines.append(padded + String(format: " %8.2f  %5.1f%%", Double(ns) / 1e6 / Double(steps), 100 * Double(ns) / capacity)
                         + (rate.map { String(format: "  %7.1f", $0) } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    public var json: String {
        let fields = rows.map { label, ns, rate in
            "{\"phase\": \"\(label)\", \"ms_per_step\": \(String(format: "%.3f", Double(ns) / 1e6 / Double(steps)))"
                + (rate.map { ", \"gflops\": \(String(format: "%.1f", $0))" } ?? "") + "}"
        }
        return "{\"name\": \"\(name)\", \"mode\": \"phases\", \"threads\": \(threads), \"steps\": \(steps), "
            + "\"seq_per_s\": \(String(format: "%.1f", sequencesPerSecond)), \"wall_ms_per_step\": "
            + "\(String(format: "%.3f", Double(wall) / 1e6 / Double(steps))), \"phases\": [\(fields.joined(separator: ", "))], "
            + "\(Benchmark.kernelFields)}"
    }
}

extension Benchmark {
    /// Trains `steps` steps of the plain variant with the phase clocks on, after the usual warm-up.
    public static func phases(_ c: BenchConfig, threads: Int, steps: Int, shardSize: Int?) throws -> PhaseBreakdown {
        let trainer = try makeTrainer(c, layerNorm: false, dropout: 0, threads: threads, shardSize: shardSize, group: .single)
        let set = benchData(c)
        PhaseClock.enabled = true
        defer { PhaseClock.enabled = false }
        var epoch = 0
        let warmStart = DispatchTime.now().uptimeNanoseconds
        while epoch < 3 || DispatchTime.now().uptimeNanoseconds - warmStart < 300_000_000 {
            _ = try trainer.trainEpoch(set, epoch: epoch); epoch += 1
        }
        trainer.resetPhases()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<steps { _ = try trainer.trainEpoch(set, epoch: epoch); epoch += 1 }
        let wall = DispatchTime.now().uptimeNanoseconds - start
        return PhaseBreakdown(name: c.name, threads: threads, steps: steps,
                              sequencesPerSecond: Double(c.batch * steps) / (Double(wall) / 1e9), wall: wall,
                              phases: trainer.phaseNanoseconds(), flops: gemmFlops(c, steps: steps))
    }

    /// FLOPs per GEMM phase for `steps` training steps of the encoder (layer 0 computes no dX).
    static func gemmFlops(_ c: BenchConfig, steps: Int) -> [Phase: Double] {
        let directions = Double(c.bidirectional == true ? 2 : 1)
        let B = Double(c.batch), T = Double(c.steps), H = Double(c.hidden), GH = Double(c.cell.gates * c.hidden)
        var f: [Phase: Double] = [:]
        for l in 0..<c.layers {
            let din = Double(l == 0 ? c.input_dim : (c.bidirectional == true ? 2 : 1) * c.hidden)
            let input = 2 * T * B * din * GH, recurrent = 2 * (T - 1) * B * H * GH
            f[.inputProjection, default: 0] += directions * input
            f[.recurrentForward, default: 0] += directions * recurrent
            f[.recurrentBackward, default: 0] += directions * recurrent
            if l > 0 { f[.inputBackward, default: 0] += directions * input }
            f[.weightGradients, default: 0] += directions * (input + recurrent)
        }
        return f.mapValues { $0 * Double(steps) }
    }
}
