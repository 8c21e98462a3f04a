// ModelFile: model.h5 — an ensemble of M independently seeded members of one architecture, with
// everything needed to forecast with no other flags and to resume training.
//
// Layout (readable by h5py / h5dump):
//   /members/<i>/params        float32 [P]  member i's current weights (flat buffer; `layout` attribute)
//   /members/<i>/best_params   float32 [P]  its weights at its best validation epoch (used to forecast)
//   /members/<i>/optimizer/m, /members/<i>/optimizer/v   optimizer moments (for --resume)
//   root attributes: `seqcast_version`, `created`, `manifest` (JSON: ModelManifest)
import Foundation

public let seqcastVersion = "0.2.0"

/// Training state of one ensemble member.
public struct MemberState: Codable, Sendable, Equatable {
    public var seed: UInt64
    public var history: [EpochRecord] = []
    public var epochsCompleted = 0
    public var bestEpoch: Int?
    public var bestLoss: Double?
    public var badEpochs = 0
    public var optimizerStep = 0
    public var finished = false
    public var stopReason: String?
    /// Validation loss of the untrained member (its baseline), when it has one.
    public var initialLoss: Double?

    public init(seed: UInt64) { self.seed = seed }
}

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
    /// `FileDigest` of the source when training started (nil in models from before it existed).
    public var sourceDigest: String?
    public var valFraction: Double
    public var members: [MemberState] = []

    public var targetNames: [String] { Array(channels.prefix(targetCount)) }
    public var finished: Bool { !members.isEmpty && members.allSatisfy(\.finished) }
}

/// Scalers of supervised mode: one over the input dims of x, one over the output dims of y.
public struct SupervisedScaling: Codable, Sendable, Equatable {
    public var x: Scaler
    public var y: Scaler
    public var xName: String
    public var yName: String
}

/// A consistent copy of a member at the end of an epoch, taken by the thread training it, so a
/// checkpoint never mixes one member's state with another moment's weights.
struct MemberSnapshot {
    var state: MemberState
    var params: [Float], best: [Float]
    var moments: (m: [Float], v: [Float])?
}

/// One ensemble member: its network (current weights), best weights, optimizer and state.
public final class Member: @unchecked Sendable {
    public let network: Network
    public let best: FloatBuffer
    public var state: MemberState
    /// Optimizer moments restored from a checkpoint, consumed when training resumes.
    var moments: (m: [Float], v: [Float])?
    /// What the next checkpoint writes for this member (guarded by the model's lock).
    var snapshot: MemberSnapshot?

    init(network: Network, state: MemberState) {
        self.network = network; self.state = state
        best = FloatBuffer(network.params.array)
    }
}

/// A model: shared manifest and the ensemble members.
public final class ModelFile: @unchecked Sendable {
    public var manifest: ModelManifest
    public let members: [Member]
    private let saveLock = NSLock()

    /// Fresh members seeded `seed`, `seed + 1`, … (member 0 uses `seed` itself).
    public init(manifest: ModelManifest, count: Int, seed: UInt64) throws {
        self.manifest = manifest
        members = try (0..<max(count, 1)).map { i in
            let s = seed &+ UInt64(i)
            let network = try Network(config: manifest.model, seed: s)
            if manifest.pipeline?.hasBaseline == true { network.zeroHead() }   // starts as the baseline
            return Member(network: network, state: MemberState(seed: s))
        }
        self.manifest.members = members.map(\.state)
    }

    private init(manifest: ModelManifest, members: [Member]) { self.manifest = manifest; self.members = members }

    /// The config of the members (all share it).
    public var network: Network { members[0].network }

    /// Records member i as it is now as its checkpoint content. Call from the thread training it
    /// (or when no member is training), with its optimizer when it has one.
    func record(_ i: Int, optimizer: Optimizer?) {
        let m = members[i]
        let snap = MemberSnapshot(state: m.state, params: m.network.params.array, best: m.best.array,
                                  moments: optimizer.map { ($0.m.array, $0.v.array) } ?? m.moments)
        saveLock.lock(); m.snapshot = snap; saveLock.unlock()
    }

    /// The recorded (or, for members never recorded, current) state of every member.
    func recordedStates() -> [MemberState] {
        saveLock.lock(); defer { saveLock.unlock() }
        return members.map { $0.snapshot?.state ?? $0.state }
    }

    /// Writes model.h5 atomically (temporary file + rename) from the members' recorded snapshots
    /// (current state for members never recorded). Safe to call while members train.
    public func save(to path: String) throws(DataError) {
        saveLock.lock(); defer { saveLock.unlock() }
        let snaps = members.map { m in
            m.snapshot ?? MemberSnapshot(state: m.state, params: m.network.params.array, best: m.best.array, moments: m.moments)
        }
        manifest.members = snaps.map(\.state)
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
            for (i, m) in snaps.enumerated() {
                let g = "members/\(i)/"
                try f.write(g + "params", shape: [m.params.count], values: m.params,
                            attributes: [("layout", .string(layout.joined(separator: "\n")))])
                try f.write(g + "best_params", shape: [m.best.count], values: m.best)
                if let mo = m.moments {
                    try f.write(g + "optimizer/m", shape: [mo.m.count], values: mo.m)
                    try f.write(g + "optimizer/v", shape: [mo.v.count], values: mo.v)
                }
            }
            try f.close()   // flush and close, checked: a full disk fails here, before the rename
        }
    }

    /// Loads a model from `model.h5` or a directory holding one. With `current`, members get their
    /// latest weights and optimizer moments (for resuming); otherwise their best weights.
    public static func load(_ pathOrDir: String, current: Bool = false) throws(DataError) -> ModelFile {
        var isDir: ObjCBool = false
        let path = FileManager.default.fileExists(atPath: pathOrDir, isDirectory: &isDir) && isDir.boolValue
            ? pathOrDir + "/model.h5" : pathOrDir
        let f = try HDF5File.open(path)
        guard let json = try f.stringAttribute("manifest") else {
            throw .invalidArgument("\(path): not a seqcast model (no 'manifest' attribute)")
        }
        let manifest: ModelManifest
        do { manifest = try JSONDecoder().decode(ModelManifest.self, from: Data(json.utf8)) } catch {
            throw .invalidArgument("\(path): unreadable model manifest (written by another seqcast version?): \(error)")
        }
        let names = Set(try f.datasetNames())
        var members: [Member] = []
        for (i, state) in manifest.members.enumerated() {
            let network: Network
            do { network = try Network(config: manifest.model, seed: 0) } catch {
                throw .invalidArgument("\(path): invalid model configuration: \(error)")
            }
            let g = "members/\(i)/"
            let params = try f.read(g + "params").values, best = try f.read(g + "best_params").values
            guard params.count == network.parameterCount, best.count == params.count else {
                throw .shapeMismatch(path: path, detail: "'\(g)params' holds \(params.count) values, the configuration needs \(network.parameterCount)")
            }
            let m = Member(network: network, state: state)
            for k in 0..<params.count { network.params[k] = current ? params[k] : best[k]; m.best[k] = best[k] }
            if current, names.contains(g + "optimizer/m") {
                m.moments = (try f.read(g + "optimizer/m").values, try f.read(g + "optimizer/v").values)
            }
            members.append(m)
        }
        guard !members.isEmpty else { throw .invalidArgument("\(path): the model has no members") }
        return ModelFile(manifest: manifest, members: members)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
