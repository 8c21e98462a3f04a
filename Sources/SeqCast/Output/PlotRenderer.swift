// PlotRenderer: runs gnuplot on the templates in plots/ — writes the data files and a settings
// file (every string quoted for gnuplot, never passed through a shell), runs `gnuplot` as a
// process, checks its exit status and stderr, and renames the image into place.
// Templates are gnuplot programs (they can run commands), so they are taken only from where the
// user said ($SEQCAST_PLOTS, or --plot-templates which sets it) or from beside the installed
// binary — never from the current directory. Temporary files live in mkdtemp directories.
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
            return "plot templates not found (looked in \(s.joined(separator: ", "))); give the plots/ folder with --plot-templates DIR or SEQCAST_PLOTS"
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
    /// The plots/ folder: $SEQCAST_PLOTS when set (and then only it), else beside the binary:
    /// the source tree of a `.build/<triple>/release` build or `<prefix>/share/seqcast/plots`.
    /// Never the current directory: a planted plots/common.gp there would run as gnuplot code.
    static func templates() throws(PlotError) -> String {
        if let env = ProcessInfo.processInfo.environment["SEQCAST_PLOTS"], !env.isEmpty {
            guard FileManager.default.fileExists(atPath: env + "/common.gp") else { throw .templatesMissing(searched: [env]) }
            return env
        }
        let exe = binaryFolder()
        let candidates = [exe.appendingPathComponent("../../../plots").standardized.path,   // .build/<triple>/release
                          exe.appendingPathComponent("../share/seqcast/plots").standardized.path]
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
        let tmp = NSTemporaryDirectory()
        let work = try AtomicFile.privateDirectory(in: tmp.hasSuffix("/") ? String(tmp.dropLast()) : tmp,
                                                   for: "seqcast-plot", path: output, errors: DataError.self)
        defer { try? FileManager.default.removeItem(atPath: work) }
        for (name, text) in files { try AtomicFile.write(text, to: work + "/" + name) }
        let ext = outURL.pathExtension.lowercased()
        // gnuplot writes the image into a private directory beside the output; it is renamed into place.
        let imageDir = try AtomicFile.privateDirectory(in: dir, for: outURL.lastPathComponent, path: output, errors: DataError.self)
        defer { try? FileManager.default.removeItem(atPath: imageDir) }
        let tmpImage = imageDir + "/image." + ext
        var all: [(String, PlotValue)] = [
            ("out_file", .text(tmpImage)), ("term", .text(ext == "svg" ? "svg" : "pngcairo")),
            ("width", .number(Double(width))), ("height", .number(Double(height))), ("title_text", .text(title)),
            ("data_dir", .text(work)), ("common_file", .text(templates + "/common.gp")),
        ]
        all += settings
        let settingsText = all.map { "\($0.0) = \($0.1.gnuplot)" }.joined(separator: "\n") + "\n"
        try AtomicFile.write(settingsText, to: work + "/settings.gp")

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
