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
        DataNotes.onNote { note in FileHandle.standardError.write(Data("note: \(terminalSafe(note))\n".utf8)) }
        var command: any ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do { try command.run() } catch {
            // Only the library's errors carry user text; ArgumentParser's own (help requests, which
            // its help command throws from run(), validation, exit codes) go to it untouched.
            let library = String(reflecting: type(of: error)).hasPrefix("SeqCast.")
            exit(withError: library ? TerminalSafeError(error: error) : error)
        }
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
