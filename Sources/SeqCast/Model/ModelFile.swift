// ModelFile: the model.h5 codec — an `Ensemble` written atomically and read back, with everything
// needed to forecast with no other flags and to resume training.
//
// Layout (readable by h5py / h5dump):
//   /members/<i>/params        float32 [P]  member i's weights after its last epoch (flat buffer;
//                                           `layout` attribute; what --resume continues from)
//   /members/<i>/best_params   float32 [P]  its weights at its best validation epoch (used to forecast)
//   /members/<i>/optimizer/m, /members/<i>/optimizer/v   optimizer moments (for --resume)
//   /calibration/residuals     float32 [N, K, O]  conformal calibration: |y − ŷ| of the ensemble's
//   /calibration/scales        float32 [N, O]     forecasts of N calibration windows, their scales,
//   /calibration/in_sample     float32 [1]        and how many are training windows (Calibration.swift)
//   /manifest                  string [1]  JSON: ModelManifest (a dataset, not an attribute: an
//                              attribute may hold at most 64 KiB, which a long run's per-epoch history
//                              or a few hundred channels' seasonal indices outgrow; models written
//                              before it was moved keep it in a root attribute, still read)
//   root attributes: `seqcast_version`, `created`
import Foundation

public enum ModelFile {
    /// Writes model.h5 atomically (temporary file + rename) from the members' recorded snapshots
    /// (current state for members never recorded). Safe to call while members train.
    public static func save(_ model: Ensemble, to path: String) throws(DataError) {
        try model.withCheckpoint { manifest, snaps throws(DataError) in try write(manifest, snaps, layout: model.network.layout, calibration: model.calibration, to: path) }
    }

    private static func write(_ manifest: ModelManifest, _ snaps: [MemberSnapshot], layout: ParameterLayout,
                              calibration: Calibration?, to path: String) throws(DataError) {
        let json: String
        do { json = String(decoding: try JSONEncoder.sorted.encode(manifest), as: UTF8.self) } catch {
            throw .badModel(path: path, reason: "cannot encode the model manifest: \(error)")
        }
        let layout = layout.entries.map { "\($0.name) \($0.offset) \($0.shape.map(String.init).joined(separator: "x"))" }
        try AtomicFile.write(to: path) { tmp throws(DataError) in
            let f = try HDF5File.create(tmp)
            try f.setRootAttribute("seqcast_version", .string(seqcastVersion))
            try f.setRootAttribute("created", .string(createdTimestamp()))
            try f.write("manifest", strings: [json])
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
            if let c = calibration, c.count > 0 {
                try f.write("calibration/residuals", shape: [c.count, c.horizon, c.targets], values: c.residuals)
                try f.write("calibration/scales", shape: [c.count, c.targets], values: c.scales)
                try f.write("calibration/in_sample", shape: [1], values: [Float(c.inSample)])
            }
            try f.close()   // flush and close, checked: a full disk fails here, before the rename
        }
    }

    /// Loads a model from `model.h5` or a directory holding one. With `current`, members get their
    /// latest weights and optimizer moments (for resuming); otherwise their best weights.
    public static func load(_ pathOrDir: String, current: Bool = false) throws(DataError) -> Ensemble {
        var isDir: ObjCBool = false
        let path = FileManager.default.fileExists(atPath: pathOrDir, isDirectory: &isDir) && isDir.boolValue
            ? pathOrDir + "/model.h5" : pathOrDir
        let f = try HDF5File.open(path)
        let names = Set(try f.datasetNames())
        // A `manifest` dataset that is not text (someone's data file) is no manifest: the attribute, or none.
        var stored = names.contains("manifest") ? (try? f.readStrings("manifest"))?.first : nil
        if stored == nil { stored = try f.stringAttribute("manifest") }
        guard let json = stored else {
            if try f.stringAttribute("per_series") != nil {
                throw .badModel(path: path, reason: "this is the index of a per-series model (one model per series id, in series/<position>/): forecast with seqcast forecast --model \(URL(fileURLWithPath: path).deletingLastPathComponent().path), or load one series' model from its series/<position> folder")
            }
            throw .badModel(path: path, reason: "not a seqcast model (no 'manifest' dataset or attribute)")
        }
        let manifest: ModelManifest
        do { manifest = try JSONDecoder().decode(ModelManifest.self, from: Data(json.utf8)) } catch {
            throw .badModel(path: path, reason: "unreadable model manifest (written by another seqcast version?): \(error)")
        }
        var members: [Member] = []
        for (i, state) in manifest.members.enumerated() {
            let network: Network
            do { network = try Network(config: manifest.model, seed: 0) } catch {
                throw .badModel(path: path, reason: "invalid model configuration: \(error)")
            }
            let g = "members/\(i)/"
            let params = try f.read(g + "params").values, best = try f.read(g + "best_params").values
            guard params.count == network.parameterCount, best.count == params.count else {
                throw .shapeMismatch(path: path, detail: "'\(g)params' holds \(params.count) values, the configuration needs \(network.parameterCount)")
            }
            let m = Member(network: network, state: state)
            for k in 0..<params.count { network.params[k] = current ? params[k] : best[k]; m.best[k] = best[k] }
            // A finished member forecasts with its best weights; its last ones are kept to extend it.
            if current && state.finished { m.finishWithBest() }
            if current, names.contains(g + "optimizer/m") {
                m.moments = (try f.read(g + "optimizer/m").values, try f.read(g + "optimizer/v").values)
            }
            members.append(m)
        }
        guard !members.isEmpty else { throw .badModel(path: path, reason: "the model has no members") }
        let model = Ensemble(manifest: manifest, members: members)
        if names.contains("calibration/residuals") {
            let (shape, residuals) = try f.read("calibration/residuals")
            let scales = try f.read("calibration/scales").values
            let k = manifest.windows.horizon, o = manifest.targetCount
            guard shape.count == 3, shape[1] == k, shape[2] == o, scales.count == shape[0] * o else {
                throw .shapeMismatch(path: path, detail: "'calibration/residuals' has shape \(shape); the model needs [N, \(k), \(o)]")
            }
            let inSample = names.contains("calibration/in_sample") ? Int(try f.read("calibration/in_sample").values.first ?? 0) : 0
            model.calibration = Calibration(horizon: k, targets: o, residuals: residuals, scales: scales, inSample: inSample)
        }
        return model
    }
}
