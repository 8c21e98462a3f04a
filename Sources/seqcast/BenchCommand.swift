// `seqcast bench`: training (and inference) throughput on the benchmark configurations.
import ArgumentParser
import Foundation
import SeqCast

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure training and inference throughput (one JSON line per configuration).")

    @Option(help: "Benchmark configurations.") var configs: String = "Benchmarks/configs.json"
    @Option(help: "Run only this configuration.") var only: String?
    @Option(help: "Threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Timed repeats (the median is reported).") var repeats: Int = 5
    @Option(help: "Training steps per repeat.") var steps: Int = 20
    @Option(help: "Sequences per parallel shard (default: the training default).") var shardSize: Int?
    @Flag(help: "Also time the layer-norm and dropout variants.") var variants = false
    @Flag(help: "Skip the inference lines.") var noInference = false

    func run() throws {
        var list = try Benchmark.load(configs)
        if let only {
            list = list.filter { $0.name == only }
            if list.isEmpty { throw ValidationError("no configuration named '\(only)'") }
        }
        for c in list {
            print(try Benchmark.train(c, threads: threads, steps: steps, repeats: repeats, shardSize: shardSize).json)
            if variants {
                print(try Benchmark.train(c, threads: threads, steps: steps, repeats: repeats, layerNorm: true, shardSize: shardSize).json)
                print(try Benchmark.train(c, threads: threads, steps: steps, repeats: repeats, dropout: 0.2, shardSize: shardSize).json)
            }
            if !noInference { print(try Benchmark.infer(c, threads: threads, steps: steps, repeats: repeats).json) }
            fflush(nil)
        }
    }
}
