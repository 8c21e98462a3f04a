// `seqcast bench`: training (and inference) throughput on the benchmark configurations.
import ArgumentParser
import Foundation
import SeqCast

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure training and inference throughput (one JSON line per configuration).")

    @Option(help: "Benchmark configurations (default: Benchmarks/configs.json in the current directory, else the one beside the binary).") var configs: String?
    @Option(help: "Run only this configuration.") var only: String?
    @Option(help: "Threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Timed repeats (the median is reported).") var repeats: Int = 5
    @Option(help: "Training steps per repeat.") var steps: Int = 20
    @Option(help: "Sequences per parallel shard (default: the training default).") var shardSize: Int?
    @Flag(help: "Also time the layer-norm and dropout variants (repeats interleaved with the plain ones).") var variants = false
    @Option(help: "Time only this training variant: plain, layer-norm or dropout (e.g. to profile it).")
    var variant: Benchmark.Variant?
    @Flag(help: "Skip the inference lines.") var noInference = false
    @Flag(help: "Instead: single-core GFLOP/s of seqcast's packed GEMM kernel and OpenBLAS on the per-shard product shapes.")
    var kernels = false
    @Option(help: "With --kernels: threads running each kernel at once (aggregate GFLOP/s: the measured multi-core ceiling).")
    var kernelThreads: Int?
    @Flag(help: "Instead: where each configuration's training step spends its time (per-phase thread time, GFLOP/s).")
    var phases = false

    /// Benchmarks/configs.json here, else in the source tree of a `.build/<triple>/release` binary or
    /// `<prefix>/share/seqcast/configs.json` (the README's `seqcast bench` works from any folder).
    /// None there: a usage error naming the places looked in.
    static func defaultConfigs() throws -> String {
        let here = "Benchmarks/configs.json"
        let exe = binaryFolder()
        let places = [here, exe.appendingPathComponent("../../../Benchmarks/configs.json").standardized.path,
                      exe.appendingPathComponent("../share/seqcast/configs.json").standardized.path]
        guard let found = places.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw ValidationError("no benchmark configurations: looked for \(places.joined(separator: ", ")); give --configs FILE (the repository's Benchmarks/configs.json)")
        }
        return found
    }

    func run() throws {
        // Under mpirun: training steps are data-parallel over the ranks (each rank --threads); rank 0
        // prints the same JSON lines (plus "ranks") and alone times inference.
        let world = ProcessGroup.world
        if kernels {
            guard world.isRoot else { return }
            for r in KernelBenchmark.run(repeats: repeats, threads: kernelThreads ?? 1) { print(r.json); fflush(nil) }
            return
        }
        var list = try Benchmark.load(try configs ?? Self.defaultConfigs())
        if let only {
            list = list.filter { $0.name == only }
            if list.isEmpty { throw ValidationError("no configuration named '\(only)'") }
        }
        if phases {
            guard world.isRoot else { return }   // one process: the phases of a single rank's step
            for c in list {
                let p = try Benchmark.phases(c, threads: threads, steps: steps, shardSize: shardSize)
                print(p.table); print(p.json); fflush(nil)
            }
            return
        }
        let chosen = variant.map { [$0] } ?? (variants ? Benchmark.Variant.allCases : [.plain])
        for c in list {
            for result in try Benchmark.train(c, variants: chosen, threads: threads, steps: steps, repeats: repeats,
                                              shardSize: shardSize, group: world) where world.isRoot {
                print(result.json)
            }
            if !noInference && world.isRoot { print(try Benchmark.infer(c, threads: threads, steps: steps, repeats: repeats).json) }
            fflush(nil)
        }
    }
}

extension Benchmark.Variant: ExpressibleByArgument {}
