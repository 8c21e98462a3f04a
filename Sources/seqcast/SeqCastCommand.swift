// seqcast: the command-line entry point. Parses flags and calls the SeqCast library; nothing else.
// Errors from the library are printed terminal-safe (control characters escaped) on one line, and
// the data reader's notes go to stderr as `note:` lines.
import ArgumentParser
import Foundation
import SeqCast

/// An error printed with control characters from user text escaped.
struct TerminalSafeError: Error, CustomStringConvertible {
    let error: any Error
    var description: String { terminalSafe("\(error)") }
}

@main
struct SeqCastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seqcast",
        abstract: "Time-series forecasting with recurrent neural networks (LSTM, GRU, RNN).",
        version: seqcastVersion,
        subcommands: [TrainCommand.self, ForecastCommand.self, BacktestCommand.self, PlotCommand.self, BenchCommand.self, InspectCommand.self, ConvertCommand.self])

    static func main() {
        // Before any BLAS work: re-exec once with OPENBLAS_CORETYPE if OpenBLAS fell back to kernels
        // below this CPU's (issue 13; BLAS.swift).
        BLAS.ensureNativeCore()
        // MPI_Init only when mpirun / srun started this process; plain `seqcast …` never calls MPI.
        ProcessGroup.startIfLaunched()
        let world = ProcessGroup.world
        DataNotes.onNote { note in
            if world.isRoot { FileHandle.standardError.write(Data("note: \(terminalSafe(note))\n".utf8)) }
        }
        var command: any ParsableCommand
        do { command = try parseAsRoot() } catch { exit(world, withError: error) }
        // Under mpirun only train, backtest and bench share work; any other command runs on rank 0 alone.
        if world.distributed && !world.isRoot && !(command is TrainCommand || command is BacktestCommand || command is BenchCommand) {
            ProcessGroup.finish(); return
        }
        do { try command.run() } catch {
            // Only the library's errors carry user text; ArgumentParser's own (help requests, which
            // its help command throws from run(), validation, exit codes) go to it untouched.
            let library = String(reflecting: type(of: error)).hasPrefix("SeqCast.")
            exit(world, withError: library ? TerminalSafeError(error: error) : error)
        }
        ProcessGroup.finish()
    }

    /// Exits with `error`'s message and status. Under mpirun: an error every rank agreed on
    /// (`ClusterError`, or usage errors, which every rank parses alike) is printed by rank 0 alone
    /// and every rank exits after MPI_Finalize; any other error is one rank's own, so that rank
    /// prints it and MPI_Abort ends the whole job.
    static func exit(_ world: ProcessGroup, withError error: any Error) -> Never {
        guard world.distributed else { exit(withError: error) }
        let agreed = ((error as? TerminalSafeError)?.error ?? error) is ClusterError || !(error is TerminalSafeError)
        if agreed {
            ProcessGroup.finish()
            if world.isRoot { exit(withError: error) }
            Foundation.exit(exitCode(for: error).rawValue)
        }
        FileHandle.standardError.write(Data("Error: \(ClusterError(rank: world.rank, message: "\(error)"))\n".utf8))
        ProcessGroup.abort(1)
    }
}

extension CellKind: ExpressibleByArgument {}
extension HeadKind: ExpressibleByArgument {}
extension MergeKind: ExpressibleByArgument {}
extension DecoderInput: ExpressibleByArgument {}
extension ScalerKind: ExpressibleByArgument {}
extension TransformChoice: ExpressibleByArgument {
    public init?(argument: String) { self.init(transformList: argument) }
    public var defaultValueDescription: String { description }
}
extension MissingPolicy: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension GateInit: ExpressibleByArgument {}
