// `seqcast inspect`: what a CSV or HDF5 file holds.
import ArgumentParser
import SeqCast

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Describe a CSV or HDF5 file: columns or datasets, shapes, statistics.")

    @Argument(help: "CSV or HDF5 file.") var file: String
    @Option(help: "Series-id column for long format: also describe the series (how many, lengths, time spans, the shortest).")
    var idColumn: String?
    @Option(help: "Time column (default: detected by name or format).") var timeColumn: String?
    @Option(help: "Target columns, comma-separated, as train would take them.") var target: String?
    @Option(help: "Extra input columns, comma-separated.") var covariates: String?
    @Option(help: "HDF5: the series dataset to describe.") var dataset: String?

    func run() throws {
        var s = DataSelection()
        s.idColumn = idColumn; s.timeColumn = timeColumn; s.dataset = dataset
        s.targets = names(target); s.covariates = names(covariates) ?? []
        print(try Inspector.describe(file, selection: s), terminator: "")
    }
}

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert", abstract: "Convert a CSV series file to HDF5 ([steps, dim] or [batch, steps, dim]).")

    @OptionGroup var data: DataOptions
    @Option(help: "Output .h5 file.") var out: String

    func validate() throws {
        if data.x != nil || data.y != nil { throw ValidationError("convert writes series; --x/--y name pre-cut samples, which it does not convert") }
    }

    func run() throws {
        try AtomicFile.refuseOverwriting(input: data.data, with: out, flag: "--out")
        if namedLikeText(out) {
            throw ValidationError("--out \(out): convert writes HDF5; give the file an .h5 name")
        }
        let c = try DataSource.load(data.data, selection: data.settings.selection)
        try c.writeHDF5(to: out)
        let names = c.channels.map { $0.contains(",") ? "'\($0)'" : $0 }   // a name with a comma, quoted
        let missing = data.missing == .drop ? "left as gaps (NaN; drop)" : "filled (\(data.missing))"
        print(terminalSafe("wrote \(out): \(c.series.count) series × \(c.series.first?.length ?? 0) steps × \(c.channels.count) channels (\(names.count > 12 ? names.prefix(10).joined(separator: ", ") + ", … and \(names.count - 10) more" : names.joined(separator: ", ")))\(c.missingCount > 0 ? ", \(c.missingCount) missing values \(missing)" : "")"))
    }
}
