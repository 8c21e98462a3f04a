// PerSeriesModel: the folder of a `--per-series` run — one model per series id, each a plain
// model.h5 (ModelFile.swift: its own manifest, preprocessing, look-back, seed and calibration) — and
// its index, and the seed rule (Forecasting/PerSeriesForecast.swift forecasts with it).
//
// Layout (readable by h5py / h5dump; a series' folder is a model folder of its own):
//   DIR/model.h5               the index: root attributes `seqcast_version`, `created` and
//                              `per_series` (JSON: the run's settings, its source's digest, the
//                              series count); dataset `series_ids` (strings [N], in file order)
//   DIR/series/<p>/model.h5    the model of the series at position p (0-based, file order)
//   DIR/series/<p>/history.csv its losses per member and epoch
// The index is written when training starts, and each series' folder when that series is trained
// (--resume keeps the trained ones and continues the others). Old seqcast versions refuse the
// index as "not a seqcast model"; this version refuses to load it as a single model, saying why.
import Foundation

public struct PerSeriesModel: Sendable {
    public let directory: String
    /// The run's settings (the seed is the run's; each series' own is `seed(_:id:)` of it).
    public var settings: TrainSettings
    /// Series ids in file order; position p's model is in `folder(p)`.
    public let ids: [String]
    /// `FileDigest` of the source when training started (what --resume checks).
    public var sourceDigest: String?

    public init(directory: String, settings: TrainSettings, ids: [String], sourceDigest: String?) {
        self.directory = directory; self.settings = settings; self.ids = ids; self.sourceDigest = sourceDigest
    }

    /// Series `id`'s seed: the run's seed mixed (splitmix64) with the 64-bit FNV-1a hash of the id's
    /// UTF-8 bytes; its ensemble members use that seed + i. It depends on the id's name alone — not
    /// on its position, the other series, the rank count or the threads — so a series trained alone
    /// with `--seed` this value gets the same model.
    public static func seed(_ base: UInt64, id: String) -> UInt64 {
        SeededRandom.mix(base, FileDigest.fnv1a(id.utf8))
    }

    /// The settings series `id` is trained with: the run's, with its own seed.
    public func settings(for id: String) -> TrainSettings { Self.settings(settings, for: id) }

    public static func settings(_ run: TrainSettings, for id: String) -> TrainSettings {
        var s = run
        s.training.seed = seed(run.training.seed, id: id)
        return s
    }

    public static func indexPath(_ dir: String) -> String { dir + "/model.h5" }
    /// Folder of the series at position `p`.
    public static func folder(_ dir: String, _ p: Int) -> String { dir + "/series/\(p)" }
    /// The run folder DIR of one series' model given as `DIR/series/<p>` or its model.h5 (`folder`'s inverse).
    public static func runFolder(ofSeriesModel path: String) -> String {
        var folder = path.lowercased().hasSuffix(".h5") ? (path as NSString).deletingLastPathComponent : path
        for _ in 0..<2 { folder = (folder as NSString).deletingLastPathComponent }
        return folder
    }
    public func folder(_ p: Int) -> String { Self.folder(directory, p) }

    private struct Stored: Codable {
        var settings: TrainSettings
        var sourceDigest: String?
        var series: Int
        var layout = "series/<position>/model.h5"
    }

    /// Is the file at `path` a per-series index?
    public static func isIndex(_ path: String) -> Bool {
        guard DataSource.isHDF5(path), let f = try? HDF5File.open(path) else { return false }
        return (try? f.stringAttribute("per_series")) != nil
    }

    /// The per-series model at `pathOrDir` (a folder or its model.h5), or nil when that holds a single model.
    public static func open(_ pathOrDir: String) throws(DataError) -> PerSeriesModel? {
        var isDir: ObjCBool = false
        let folder = FileManager.default.fileExists(atPath: pathOrDir, isDirectory: &isDir) && isDir.boolValue
        let path = folder ? indexPath(pathOrDir) : pathOrDir
        guard isIndex(path) else { return nil }
        let dir = folder ? pathOrDir : URL(fileURLWithPath: pathOrDir).deletingLastPathComponent().path
        let f = try HDF5File.open(path)
        let stored: Stored
        do { stored = try JSONDecoder().decode(Stored.self, from: Data((try f.stringAttribute("per_series") ?? "").utf8)) } catch {
            throw .badModel(path: path, reason: "unreadable per-series index (written by another seqcast version?): \(error)")
        }
        let ids = try f.readStrings("series_ids")
        guard ids.count == stored.series else {
            throw .badModel(path: path, reason: "the index lists \(ids.count) series ids for \(stored.series) series")
        }
        return PerSeriesModel(directory: dir, settings: stored.settings, ids: ids, sourceDigest: stored.sourceDigest)
    }

    /// Writes the index atomically (the series' folders are written by their training).
    public func writeIndex() throws(DataError) {
        let path = Self.indexPath(directory)
        let json: String
        do { json = String(decoding: try JSONEncoder.sorted.encode(Stored(settings: settings, sourceDigest: sourceDigest, series: ids.count)), as: UTF8.self) } catch {
            throw .badModel(path: path, reason: "cannot encode the per-series index: \(error)")
        }
        try AtomicFile.write(to: path) { tmp throws(DataError) in
            let f = try HDF5File.create(tmp, largeAttributes: HDF5File.needsLargeAttributes([("per_series", .string(json))]))
            try f.setRootAttribute("seqcast_version", .string(seqcastVersion))
            try f.setRootAttribute("created", .string(createdTimestamp()))
            try f.setRootAttribute("per_series", .string(json))
            try f.write("series_ids", strings: ids)
            try f.close()
        }
    }

    /// The model of the series at position `p` (its best weights, as `forecast` uses them).
    public func model(_ p: Int) throws -> Ensemble {
        guard FileManager.default.fileExists(atPath: folder(p) + "/model.h5") else {
            throw PerSeriesError.untrained(directory: directory, id: ids[p], folder: "series/\(p)")
        }
        return try ModelFile.load(folder(p))
    }

    /// Reads `path` with the run's column selection (`dataset` overriding the HDF5 dataset).
    public func read(_ path: String, dataset: String? = nil) throws -> SeriesCollection {
        var selection = settings.data.selection
        if let dataset { selection.dataset = dataset }
        return try DataSource.load(path, selection: selection)
    }
}

extension SeriesCollection {
    /// Series `i` alone, as its own collection: what a model of that series alone is fitted on.
    public func only(_ i: Int) -> SeriesCollection {
        SeriesCollection(source: source, channels: channels, targetCount: targetCount, series: [series[i]], timeAxis: timeAxis,
                         missingCount: 0)
    }
}

/// What goes wrong with one series of a per-series run, or with a per-series model folder.
public enum PerSeriesError: Error, Equatable, CustomStringConvertible {
    /// Series `id` (1-based `position` of `count`) failed: `reason` is its error.
    case series(id: String, position: Int, count: Int, reason: String)
    case untrained(directory: String, id: String, folder: String)
    case unknownSeries(directory: String, path: String, id: String)
    /// The run cannot be resumed on this data.
    case resume(String)

    /// `body`'s result, or its error as series `id`'s (0-based position `p` of `n`).
    static func naming<T>(_ id: String, _ p: Int, of n: Int, _ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            throw PerSeriesError.series(id: id, position: p + 1, count: n, reason: ClusterError.message(of: error))
        }
    }

    public var description: String {
        switch self {
        case .series(let id, let p, let n, let reason): return terminalSafe("series '\(shown(id))' (\(p) of \(n)): ") + reason
        case .untrained(let d, let id, let folder):
            return terminalSafe("\(d): series '\(shown(id))' has no trained model yet (\(folder)/model.h5 is missing: training was interrupted); continue it with seqcast train --resume --out \(d)")
        case .unknownSeries(let d, let p, let id):
            return terminalSafe("\(p): series '\(shown(id))' has no model in \(d) (a per-series model has one model per series it was trained on); train on it first")
        case .resume(let m): return terminalSafe(m)
        }
    }
}
