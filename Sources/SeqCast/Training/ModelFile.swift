// ModelFile: model.h5 — everything needed to forecast with no other flags, and to resume training.
//
// Layout (readable by h5py / h5dump):
//   /params          float32 [P]   current weights (the flat buffer; `layout` attribute names slices)
//   /best_params     float32 [P]   weights of the best validation epoch (what forecasts use)
//   /optimizer/m, /optimizer/v     float32 [P] optimizer moments (for --resume)
//   root attributes: `seqcast_version`, `manifest` (JSON: ModelManifest), `created`
import Foundation

public let seqcastVersion = "0.1.0"

/// Configuration and state stored with a model (JSON in model.h5).
public struct ModelManifest: Codable, Sendable {
    public var version = seqcastVersion
    public var model: ModelConfig
    public var training: TrainingOptions
    public var pipeline: Pipeline?                 // series mode
    public var supervised: SupervisedScaling?      // supervised HDF5 mode
    public var selection: DataSelection
    public var channels: [String]
    public var targetCount: Int
    public var timeAxis: TimeAxis?
    public var source: String
    public var valFraction: Double
    public var history: [EpochRecord] = []
    public var epochsCompleted = 0
    public var bestEpoch: Int?
    public var bestLoss: Double?
    public var badEpochs = 0
    public var optimizerStep = 0
    public var finished = false
    public var stopReason: String?

    public var targetNames: [String] { Array(channels.prefix(targetCount)) }
}

/// Scalers of supervised mode: one over the input dims of x, one over the output dims of y.
public struct SupervisedScaling: Codable, Sendable, Equatable {
    public var x: Scaler
    public var y: Scaler
    public var xName: String
    public var yName: String
}

/// A loaded or in-progress model: manifest, network with current weights, best weights.
public final class ModelFile: @unchecked Sendable {
    public var manifest: ModelManifest
    public let network: Network
    public let best: FloatBuffer

    public init(manifest: ModelManifest, network: Network) {
        self.manifest = manifest; self.network = network
        best = FloatBuffer(network.params.array)
    }

    /// Writes model.h5 atomically (temporary file + rename).
    public func save(to path: String, optimizer: Optimizer? = nil) throws(DataError) {
        let json: String
        do { json = String(decoding: try JSONEncoder.sorted.encode(manifest), as: UTF8.self) } catch {
            throw .invalidArgument("cannot encode the model manifest: \(error)")
        }
        let layout = network.layout.entries.map { "\($0.name) \($0.offset) \($0.shape.map(String.init).joined(separator: "x"))" }
        try AtomicFile.write(to: path) { tmp throws(DataError) in
            let f = try HDF5File.create(tmp)
            try f.setRootAttribute("seqcast_version", .string(seqcastVersion))
            try f.setRootAttribute("created", .string(ISO8601DateFormatter().string(from: Date())))
            try f.setRootAttribute("manifest", .string(json))
            let n = network.parameterCount
            try f.write("params", shape: [n], values: network.params.array,
                        attributes: [("layout", .string(layout.joined(separator: "\n")))])
            try f.write("best_params", shape: [n], values: best.array)
            if let optimizer {
                try f.write("optimizer/m", shape: [optimizer.m.count], values: optimizer.m.array)
                try f.write("optimizer/v", shape: [optimizer.v.count], values: optimizer.v.array)
            }
            try f.flush()
        }
    }

    /// Loads a model from `model.h5` or a directory holding one. With `current`, the network gets
    /// the latest weights (for resuming); otherwise the best ones.
    public static func load(_ pathOrDir: String, current: Bool = false) throws(DataError) -> (ModelFile, moments: (m: [Float], v: [Float])?) {
        var isDir: ObjCBool = false
        let path = FileManager.default.fileExists(atPath: pathOrDir, isDirectory: &isDir) && isDir.boolValue
            ? pathOrDir + "/model.h5" : pathOrDir
        let f = try HDF5File.open(path)
        guard let json = try f.stringAttribute("manifest") else {
            throw .invalidArgument("\(path): not a seqcast model (no 'manifest' attribute)")
        }
        let manifest: ModelManifest
        do { manifest = try JSONDecoder().decode(ModelManifest.self, from: Data(json.utf8)) } catch {
            throw .invalidArgument("\(path): unreadable model manifest: \(error)")
        }
        let network: Network
        do { network = try Network(config: manifest.model, seed: 0) } catch {
            throw .invalidArgument("\(path): invalid model configuration: \(error)")
        }
        let params = try f.read("params").values, best = try f.read("best_params").values
        guard params.count == network.parameterCount, best.count == params.count else {
            throw .shapeMismatch(path: path, detail: "'params' holds \(params.count) values, the configuration needs \(network.parameterCount)")
        }
        let model = ModelFile(manifest: manifest, network: network)
        for i in 0..<params.count { network.params[i] = current ? params[i] : best[i]; model.best[i] = best[i] }
        var moments: (m: [Float], v: [Float])? = nil
        if try f.datasetNames().contains("optimizer/m") {
            moments = (try f.read("optimizer/m").values, try f.read("optimizer/v").values)
        }
        return (model, moments)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
