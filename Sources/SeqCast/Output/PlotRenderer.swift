// PlotRenderer: runs gnuplot on the templates in plots/ — writes the data files and a settings
// file (every string quoted for gnuplot, never passed through a shell), runs `gnuplot` as a
// process, checks its exit status and stderr, and renames the image into place.
import Foundation

public enum PlotKind: String, CaseIterable, Sendable { case forecast, backtest, training }

/// Why a plot could not be made.
public enum PlotError: Error, CustomStringConvertible {
    case gnuplotMissing
    case templatesMissing(searched: [String])
    case gnuplotFailed(status: Int32, stderr: String)
    case nothingToPlot(String)

    public var description: String {
        switch self {
        case .gnuplotMissing:
            return "gnuplot not found on PATH (install gnuplot-nox; `make setup` does); other outputs were written"
        case .templatesMissing(let s):
            return "plot templates not found (looked in \(s.joined(separator: ", "))); set SEQCAST_PLOTS to the plots/ folder"
        case .gnuplotFailed(let st, let e):
            return "gnuplot failed (exit \(st)): \(e.split(separator: "\n").prefix(3).joined(separator: " | "))"
        case .nothingToPlot(let m): return m
        }
    }
}

/// A value in the generated settings.gp.
public enum PlotValue {
    case text(String), number(Double)

    var gnuplot: String {
        switch self {
        case .number(let v): return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)"
        case .text(let s):
            // Single-quoted gnuplot string: only ' needs escaping (as ''); no newlines allowed.
            let flat = s.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
            return "'" + flat.replacingOccurrences(of: "'", with: "''") + "'"
        }
    }
}

public enum PlotRenderer {
    /// The plots/ folder: $SEQCAST_PLOTS, ./plots, or the source tree or install prefix of the binary.
    static func templates() throws(PlotError) -> String {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["SEQCAST_PLOTS"] { candidates.append(env) }
        candidates.append(FileManager.default.currentDirectoryPath + "/plots")
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(exe.appendingPathComponent("../../../plots").standardized.path)   // .build/<triple>/release
        candidates.append(exe.appendingPathComponent("../share/seqcast/plots").standardized.path)
        guard let dir = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/common.gp") }) else {
            throw .templatesMissing(searched: candidates)
        }
        return dir
    }

    static func gnuplotPath() throws(PlotError) -> String {
        let env = ProcessInfo.processInfo.environment
        if let given = env["SEQCAST_GNUPLOT"] {
            guard FileManager.default.isExecutableFile(atPath: given) else { throw .gnuplotMissing }
            return given
        }
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/gnuplot"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        throw .gnuplotMissing
    }

    /// Renders template `kind` with `settings` and data `files` (name → contents) to `output`
    /// (.png via pngcairo, .svg via svg), width × height pixels. Returns gnuplot's warnings (stderr
    /// of a successful run), or nil when it printed nothing.
    @discardableResult
    public static func render(_ kind: PlotKind, to output: String, title: String, settings: [(String, PlotValue)],
                       files: [String: String], width: Int = 1200, height: Int = 600) throws -> String? {
        let gnuplot = try gnuplotPath()
        let templates = try templates()
        let outURL = URL(fileURLWithPath: output)
        let dir = outURL.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw DataError.unwritable(path: output, reason: "directory \(dir) does not exist")
        }
        let work = NSTemporaryDirectory() + "seqcast-plot-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        for (name, text) in files { try text.write(toFile: work + "/" + name, atomically: false, encoding: .utf8) }
        let ext = outURL.pathExtension.lowercased()
        let tmpImage = dir + "/." + outURL.lastPathComponent + ".tmp-\(getpid())." + ext
        var all: [(String, PlotValue)] = [
            ("out_file", .text(tmpImage)), ("term", .text(ext == "svg" ? "svg" : "pngcairo")),
            ("width", .number(Double(width))), ("height", .number(Double(height))), ("title_text", .text(title)),
            ("data_dir", .text(work)), ("common_file", .text(templates + "/common.gp")),
        ]
        all += settings
        let settingsText = all.map { "\($0.0) = \($0.1.gnuplot)" }.joined(separator: "\n") + "\n"
        try settingsText.write(toFile: work + "/settings.gp", atomically: false, encoding: .utf8)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: gnuplot)
        p.arguments = [work + "/settings.gp", templates + "/\(kind.rawValue).gp"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let stderrText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            try? FileManager.default.removeItem(atPath: tmpImage)
            throw PlotError.gnuplotFailed(status: p.terminationStatus, stderr: stderrText)
        }
        guard rename(tmpImage, output) == 0 else {
            try? FileManager.default.removeItem(atPath: tmpImage)
            throw DataError.unwritable(path: output, reason: String(cString: strerror(errno)))
        }
        let warnings = stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
        return warnings.isEmpty ? nil : warnings
    }

    /// Tab-separated rows.
    static func tsv(_ rows: [[String]]) -> String { rows.map { $0.joined(separator: "\t") }.joined(separator: "\n") + "\n" }

    /// A tick label every `step` points so about `target` labels fit across `count` points.
    static func labelStep(count: Int, target: Int = 10, season: Int? = nil) -> Int {
        let raw = max(1, count / target)
        if let s = season, s > 1 { return max(s, (raw + s - 1) / s * s) }
        return raw
    }

    /// Labels safe for a TSV cell.
    static func cell(_ s: String) -> String { s.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }
}
