// DistributedFit: independent fits (ensemble members, backtest refits) spread over the ranks of a
// process group — the rule that chooses between spreading fits and data-parallel training, and
// `train`'s spread ensemble: members dealt round-robin to the ranks, trained there one epoch per
// round, and exchanged after every round so each rank holds every member (and rank 0 can write a
// checkpoint of them all). A rank's error is exchanged too: every rank stops with it.
import Foundation

extension EnsembleFitter {
    /// The rule: spread `fits` independent fits over the ranks when there are at least as many as
    /// ranks, or at least as many as a full mini-batch has shards (the most ranks data-parallel
    /// training can keep busy); otherwise train them one after another, data-parallel. Both give
    /// the weights of one process; this only decides which keeps more ranks busy.
    public static func spreadsFits(_ fits: Int, options: TrainingOptions, group: ProcessGroup) -> Bool {
        guard group.distributed, fits > 0 else { return false }
        return fits >= group.size || fits >= options.shardCount
    }

    /// How `fits` fits run on the group's ranks, in words (train and backtest print it).
    public static func distributionNote(_ fits: Int, what: String, options: TrainingOptions, group: ProcessGroup) -> String {
        let shards = options.shardCount
        return spreadsFits(fits, options: options, group: group)
            ? "\(group.size) ranks: \(fits) \(what) spread over the ranks (round-robin)"
            : "\(group.size) ranks: data-parallel, each rank computes its share of every mini-batch's \(shards) shard\(shards == 1 ? "" : "s")\(fits > 1 ? " (\(what) one after another)" : "")"
    }

    /// `train`'s spread ensemble: member `pending[k]` trains on rank k mod size (with this rank's
    /// threads shared by its members as `Parallelism` says). Each round every rank trains one epoch
    /// of each of its unfinished members, then all ranks exchange their members' snapshots (state,
    /// weights, best weights, optimizer moments) and any error, and `checkpoint` runs (rank 0 only,
    /// through the caller). Rounds continue until every member finished or reached `stopAfterEpoch`.
    static func fitSpread(_ model: Ensemble, pending: [Int], train: [any WindowSource], validation: [any WindowSource], threads: Int,
                          group: ProcessGroup, stopAfterEpoch: Int?, progress: @escaping @Sendable (TrainEvent) -> Void,
                          checkpoint: () throws -> Void) throws {
        let mine = pending.indices.filter { group.dealer($0) == group.rank }.map { pending[$0] }
        let policy = Parallelism(tasks: mine.count, threads: threads)
        let options = model.manifest.training
        var trainers: [Int: Trainer] = [:], failure: Error?
        do { trainers = try makeTrainers(model, mine, threads: policy.threadsPerTask, group: .single, validation: validation) }
        catch { failure = error }
        for i in model.members.indices { model.record(i, optimizer: trainers[i]?.optimizer) }
        func active(_ i: Int) -> Bool {
            let s = model.members[i].state
            return !s.finished && s.epochsCompleted < min(options.epochs, stopAfterEpoch ?? .max)
        }
        while true {
            let now = failure == nil ? mine.filter(active) : []
            do {
                try concurrentForEach(now.count, threads: policy.workers) { k in
                    let i = now[k], m = model.members[i]
                    try fitMember(m, trainer: trainers[i]!, options: options, train: train[i % train.count],
                                  validation: validation[i % validation.count], stopAfterEpoch: m.state.epochsCompleted + 1,
                                  batchProgress: false, member: i, members: model.members.count, progress: progress) {
                        model.record(i, optimizer: trainers[i]!.optimizer)
                    }
                }
            } catch { failure = failure ?? error }
            try exchange(model, owned: mine, group: group, failure: failure, progress: progress)
            try checkpoint()
            if !pending.contains(where: active) { break }
        }
        for m in model.members { m.moments = nil }
    }

    /// Every rank's snapshots of its members on every rank (applied as the members' state, weights
    /// and checkpoint content; rank 0 reports the other ranks' new epochs), after agreeing on errors.
    static func exchange(_ model: Ensemble, owned: [Int], group: ProcessGroup, failure: Error?,
                         progress: @Sendable (TrainEvent) -> Void) throws {
        var w = ByteWriter()
        w.int(owned.count)
        for i in owned { w.int(i); model.snapshot(i).encode(into: &w) }
        let all = group.allgather(w.bytes)
        try group.settle(failure)
        for (rank, bytes) in all.enumerated() where rank != group.rank {
            var r = ByteReader(bytes)
            for _ in 0..<r.int() {
                let i = r.int(), snap = try MemberSnapshot.decode(&r)
                let before = model.members[i].state.history.count
                model.apply(i, snap)
                for record in snap.state.history.dropFirst(before) {
                    progress(.epoch(record, epochs: model.manifest.training.epochs, best: record.epoch == snap.state.bestEpoch,
                                    member: i, members: model.members.count))
                }
            }
        }
    }
}
