// seqcast: the command-line entry point. Parses flags and calls the SeqCast library; nothing else.
import ArgumentParser
import SeqCast

@main
struct SeqCastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seqcast",
        abstract: "Time-series forecasting with recurrent neural networks (LSTM, GRU, RNN).",
        version: seqcastVersion,
        subcommands: [TrainCommand.self, ForecastCommand.self, BacktestCommand.self, PlotCommand.self, BenchCommand.self, InspectCommand.self, ConvertCommand.self])
}

extension CellKind: ExpressibleByArgument {}
extension HeadKind: ExpressibleByArgument {}
extension ScalerKind: ExpressibleByArgument {}
extension TransformChoice: ExpressibleByArgument {
    public init?(argument: String) { self.init(transformList: argument) }
    public var defaultValueDescription: String { description }
}
extension BaselineChoice: ExpressibleByArgument {}
extension MissingPolicy: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension GateInit: ExpressibleByArgument {}
