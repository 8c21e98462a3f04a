// KernelBenchmark: single-core (or all-cores-at-once) GFLOP/s of PackedGEMM against OpenBLAS's cblas_sgemm on the
// product shapes one shard of the benchmark configurations runs (`seqcast bench --kernels`).
// This is the evidence for which products RecurrentLayer sends to which kernel.
import Foundation

public struct KernelResult: Sendable {
    public var name: String
    public var m: Int, n: Int, k: Int
    /// Threads running the kernel at once (the GFLOP/s are their aggregate).
    public var threads: Int = 1
    public var packedGFLOPS: Double, blasGFLOPS: Double

    public var json: String {
        "{\"kernel\": \"\(name)\", \"m\": \(m), \"n\": \(n), \"k\": \(k), \"packed_gflops\": \(String(format: "%.1f", packedGFLOPS)), \"openblas_gflops\": \(String(format: "%.1f", blasGFLOPS)), \"threads\": \(threads), \(Benchmark.kernelFields)}"
    }
}

public enum KernelBenchmark {
    /// The shapes of one 64-sequence L1 shard and one 32-sequence M1 shard (H 256 / 128, LSTM):
    /// C = A·B, or C = A·Bᵀ when `transB` (B stored [n, k]). In training the weight operand B is
    /// packed once per batch and reused by every call of the batch, so packing is not timed here.
    public static let shapes: [(name: String, transB: Bool, m: Int, n: Int, k: Int)] = [
        ("L1 per-step h·Wh", false, 64, 1024, 256),
        ("L1 per-step ∂ra·Whᵀ", true, 64, 256, 1024),
        ("L1 input projection chunk x·Wx", false, 128, 1024, 256),
        ("L1 input gradient chunk ∂pre·Wxᵀ", true, 128, 256, 1024),
        ("M1 per-step h·Wh", false, 32, 512, 128),
        ("M1 per-step ∂ra·Whᵀ", true, 32, 128, 512),
    ]

    /// The weight-gradient products of one backward chunk (~128 rows): C[m, n] += Aᵀ·B with A stored
    /// [k, m] (the chunk's inputs or previous states) and B stored [k, n] (its ∂pre / ∂ra rows).
    /// B changes at every call, so for PackedGEMM the timing includes transposing A and packing B.
    public static let weightGradientShapes: [(name: String, m: Int, n: Int, k: Int)] = [
        ("L1 weight gradient chunk dWh += hᵀ·∂ra", 256, 1024, 128),
        ("L1 weight gradient chunk dWx += xᵀ·∂pre (layer 2)", 256, 1024, 128),
        ("L1 weight gradient chunk dWx += xᵀ·∂pre (layer 1, D 16)", 16, 1024, 128),
        ("M1 weight gradient chunk dWh += hᵀ·∂ra", 128, 512, 128),
    ]

    /// Best of `repeats` timings (each about 20 ms of calls) of both kernels on every shape. With
    /// `threads` > 1 every thread runs the same calls on its own operands at the same time, and the
    /// figure is the aggregate (threads × FLOPs over the wall time): the measured multi-core ceiling,
    /// which on a VM whose vCPUs share physical cores is less than threads × the single-core figure.
    public static func run(repeats: Int = 5, threads: Int = 1) -> [KernelResult] {
        BLAS.setThreads(1)
        let workers = max(1, threads)
        /// Best-of-`repeats` nanoseconds per call of `body`, run by every worker at once.
        func best(calls: Int, _ body: @escaping @Sendable (Int) -> Void) -> Double {
            var best = Double.infinity
            for _ in 0..<repeats {
                let start = DispatchTime.now().uptimeNanoseconds
                concurrentWorkers(workers, threads: workers) { w, _ in for _ in 0..<calls { body(w) } }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / Double(calls))
            }
            return best
        }
        let perStep = shapes.map { s in
            let flops = 2.0 * Double(s.m * s.n * s.k)
            let calls = max(1, Int(2e9 / flops))
            let ops = (0..<workers).map { w in
                var rng = SeededRandom(seed: 3 + UInt64(w))
                let a = FloatBuffer((0..<(s.m * s.k)).map { _ in rng.uniform(-1, 1) })
                let b = FloatBuffer((0..<(s.k * s.n)).map { _ in rng.uniform(-1, 1) })
                let packed = PackedMatrix(k: s.k, n: s.n)
                packed.pack(b.p, k: s.k, n: s.n, ld: s.transB ? s.k : s.n, transposed: s.transB)
                return (a: a, b: b, c: FloatBuffer(count: s.m * s.n), packed: packed)
            }
            let packedNs = best(calls: calls) { w in
                let o = ops[w]
                PackedGEMM.multiply(m: s.m, a: o.a.p, lda: s.k, b: o.packed, c: o.c.p, ldc: s.n, accumulate: false)
            }
            let blasNs = best(calls: calls) { w in
                let o = ops[w]
                BLAS.gemm(transB: s.transB, m: s.m, n: s.n, k: s.k, a: o.a.p, lda: s.k, b: o.b.p,
                          ldb: s.transB ? s.k : s.n, beta: 0, c: o.c.p, ldc: s.n)
            }
            let total = flops * Double(workers)
            return KernelResult(name: s.name, m: s.m, n: s.n, k: s.k, threads: workers,
                                packedGFLOPS: total / packedNs, blasGFLOPS: total / blasNs)
        }
        return perStep + weightGradientShapes.map { s in
            let flops = 2.0 * Double(s.m * s.n * s.k)
            let calls = max(1, Int(2e9 / flops))
            let ops = (0..<workers).map { w in
                var rng = SeededRandom(seed: 4 + UInt64(w))
                return (a: FloatBuffer((0..<(s.k * s.m)).map { _ in rng.uniform(-1, 1) }),
                        b: FloatBuffer((0..<(s.k * s.n)).map { _ in rng.uniform(-1, 1) }),
                        c: FloatBuffer(count: s.m * s.n), at: FloatBuffer(count: s.m * s.k),
                        packed: PackedMatrix(k: s.k, n: s.n))
            }
            let packedNs = best(calls: calls) { w in
                let o = ops[w]
                for r in 0..<s.k { for i in 0..<s.m { o.at.p[i * s.k + r] = o.a.p[r * s.m + i] } }
                o.packed.pack(o.b.p, k: s.k, n: s.n, ld: s.n, transposed: false)
                PackedGEMM.multiply(m: s.m, a: o.at.p, lda: s.k, b: o.packed, c: o.c.p, ldc: s.n, accumulate: true)
            }
            let blasNs = best(calls: calls) { w in
                let o = ops[w]
                BLAS.gemm(transA: true, m: s.m, n: s.n, k: s.k, a: o.a.p, lda: s.m, b: o.b.p, ldb: s.n,
                          beta: 1, c: o.c.p, ldc: s.n)
            }
            let total = flops * Double(workers)
            return KernelResult(name: s.name, m: s.m, n: s.n, k: s.k, threads: workers,
                                packedGFLOPS: total / packedNs, blasGFLOPS: total / blasNs)
        }
    }
}
