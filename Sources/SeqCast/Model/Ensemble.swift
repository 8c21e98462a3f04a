// Ensemble: a model in memory — the shared manifest and M independently seeded members of one
// architecture, each with its current and best weights and its training state; and the consistent
// per-member snapshots a checkpoint writes while members train; and, once trained, its conformal
// calibration. ModelFile.swift reads and writes it.
import Foundation

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
    /// A finished member's weights after its last epoch, when `network` holds its best ones (to
    /// forecast): what model.h5 stores as its current weights and what a `--resume` with a larger
    /// `--epochs` continues from, so that the extension trains on as an uninterrupted longer run.
    var last: [Float]?

    /// The weights a checkpoint stores as current: after the last epoch.
    var currentWeights: [Float] { last ?? network.params.array }

    /// Finishes: keeps the last epoch's weights aside and takes the best ones (forecasts use them).
    func finishWithBest() {
        last = network.params.array
        network.params.copy(from: best)
    }

    /// Reopens a finished member to train more epochs: from its last epoch's weights (as kept by
    /// `finishWithBest`; a model stored before they were kept continues from its best ones).
    func reopen() {
        state.finished = false
        if let last { for k in 0..<last.count { network.params[k] = last[k] } }
        last = nil
    }

    init(network: Network, state: MemberState) {
        self.network = network; self.state = state
        best = FloatBuffer(network.params.array)
    }
}

/// A model: shared manifest and the ensemble members.
public final class Ensemble: @unchecked Sendable {
    public var manifest: ModelManifest
    public let members: [Member]
    /// Conformal calibration residuals of the trained ensemble (nil until calibrated, and in models
    /// written before intervals existed).
    public var calibration: Calibration?
    let saveLock = NSLock()

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

    init(manifest: ModelManifest, members: [Member]) { self.manifest = manifest; self.members = members }

    /// Has every member finished training? (From the members themselves, never from a manifest copy
    /// of their states, which is only brought up to date at a checkpoint.)
    public var finished: Bool { members.allSatisfy(\.state.finished) }

    /// The config of the members (all share it).
    public var network: Network { members[0].network }

    /// Records member i as it is now as its checkpoint content. Call from the thread training it
    /// (or when no member is training), with its optimizer when it has one.
    func record(_ i: Int, optimizer: Optimizer?) {
        let m = members[i]
        let snap = MemberSnapshot(state: m.state, params: m.currentWeights, best: m.best.array,
                                  moments: optimizer.map { ($0.m.array, $0.v.array) } ?? m.moments)
        saveLock.lock(); m.snapshot = snap; saveLock.unlock()
    }

    /// Calls `body` with the manifest and the member snapshots a checkpoint writes (recorded
    /// snapshots; current state for members never recorded), holding the lock so checkpoints
    /// never interleave. Safe to call while members train.
    func withCheckpoint<E: Error>(_ body: (ModelManifest, [MemberSnapshot]) throws(E) -> Void) throws(E) {
        saveLock.lock(); defer { saveLock.unlock() }
        let snaps = members.map { m in
            m.snapshot ?? MemberSnapshot(state: m.state, params: m.currentWeights, best: m.best.array, moments: m.moments)
        }
        manifest.members = snaps.map(\.state)
        try body(manifest, snaps)
    }

    /// The recorded (or, for members never recorded, current) state of every member.
    func recordedStates() -> [MemberState] {
        saveLock.lock(); defer { saveLock.unlock() }
        return members.map { $0.snapshot?.state ?? $0.state }
    }
}

// Members exchanged between ranks (Training/DistributedFit.swift, Forecasting/Backtest.swift): a
// snapshot as flat bytes — the state as JSON (as model.h5 stores it), then the raw Float arrays.
extension Ensemble {
    /// Member i's recorded snapshot (its current state when never recorded).
    func snapshot(_ i: Int) -> MemberSnapshot {
        saveLock.lock(); defer { saveLock.unlock() }
        let m = members[i]
        return m.snapshot ?? MemberSnapshot(state: m.state, params: m.currentWeights, best: m.best.array, moments: m.moments)
    }

    /// Makes member i what `snap` recorded (trained elsewhere): state, weights, best weights, and
    /// the snapshot a checkpoint writes.
    func apply(_ i: Int, _ snap: MemberSnapshot) {
        let m = members[i]
        m.state = snap.state
        for k in 0..<snap.params.count { m.network.params[k] = snap.params[k]; m.best[k] = snap.best[k] }
        m.last = nil
        if snap.state.finished { m.finishWithBest() }   // its snapshot's current weights are the last epoch's
        saveLock.lock(); m.snapshot = snap; saveLock.unlock()
    }
}

extension MemberSnapshot {
    func encode(into w: inout ByteWriter) {
        w.raw(Array((try? JSONEncoder().encode(state)) ?? Data()))
        w.floats(params); w.floats(best)
        w.int(moments == nil ? 0 : 1)
        if let mo = moments { w.floats(mo.m); w.floats(mo.v) }
    }

    static func decode(_ r: inout ByteReader) throws(DataError) -> MemberSnapshot {
        let state: MemberState
        do { state = try JSONDecoder().decode(MemberState.self, from: Data(r.raw())) } catch {
            throw .badModel(path: "(a member from another rank)", reason: "unreadable member state: \(error)")
        }
        let params = r.floats(), best = r.floats()
        let moments = r.int() == 1 ? (m: r.floats(), v: r.floats()) : nil
        return MemberSnapshot(state: state, params: params, best: best, moments: moments)
    }
}

// A whole model exchanged between ranks (per-series fits, Training/PerSeriesJob.swift): what
// model.h5 holds — the manifest as JSON, every member's snapshot, the calibration — as flat bytes.
extension Ensemble {
    func encode(into w: inout ByteWriter) throws(DataError) {
        try withCheckpoint { manifest, snaps throws(DataError) in
            do { w.raw(Array(try JSONEncoder.sorted.encode(manifest))) } catch {
                throw .badModel(path: "(a model for another rank)", reason: "cannot encode the model manifest: \(error)")
            }
            w.int(snaps.count)
            for s in snaps { s.encode(into: &w) }
        }
        guard let c = calibration else { w.int(0); return }
        w.int(1); w.int(c.horizon); w.int(c.targets); w.floats(c.residuals); w.floats(c.scales); w.int(c.inSample)
    }

    /// The model `encode` wrote, as the rank that trained it held it.
    static func decode(_ r: inout ByteReader) throws(DataError) -> Ensemble {
        let manifest: ModelManifest
        do { manifest = try JSONDecoder().decode(ModelManifest.self, from: Data(r.raw())) } catch {
            throw .badModel(path: "(a model from another rank)", reason: "unreadable model manifest: \(error)")
        }
        var snaps: [MemberSnapshot] = []
        for _ in 0..<r.int() { snaps.append(try MemberSnapshot.decode(&r)) }
        var members: [Member] = []
        for s in snaps {
            do { members.append(Member(network: try Network(config: manifest.model, seed: 0), state: s.state)) } catch {
                throw .badModel(path: "(a model from another rank)", reason: "invalid model configuration: \(error)")
            }
        }
        let model = Ensemble(manifest: manifest, members: members)
        for (i, s) in snaps.enumerated() { model.apply(i, s) }
        if r.int() == 1 {
            let k = r.int(), o = r.int()
            model.calibration = Calibration(horizon: k, targets: o, residuals: r.floats(), scales: r.floats(), inSample: r.int())
        }
        return model
    }
}
