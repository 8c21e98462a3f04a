// EnsembleFitter: trains the members of an ensemble — concurrently when several and threads
// allow (one parallelism policy, Support/Concurrency.swift) — each with early stopping that keeps
// its best weights, and calls the checkpoint at a pace that never mixes one member's state with
// another moment's weights. Across processes (a `ProcessGroup` of several ranks) members either
// train data-parallel one after another or are spread over the ranks (DistributedFit.swift).
import Foundation

public enum EnsembleFitter {
    /// Trains every unfinished member, member i on the samples of its pipeline variant
    /// (`train[i % train.count]`). With several members and threads, members train
    /// concurrently, each single-threaded; otherwise one after another with all threads. Either way
    /// each member's result is the same (training does not depend on the thread count).
    /// `checkpoint` runs after every `workers` member-epochs (every epoch for one model), when a member
    /// finishes, and once at the end; it sees the members' recorded snapshots.
    ///
    /// With a `group` of several ranks the checkpoint runs on rank 0 only, and the members either
    /// train one after another, each data-parallel over every rank, or — when `spreadsFits` says so —
    /// are dealt to the ranks, train there, and are exchanged after every round of epochs
    /// (DistributedFit.swift). Either way every rank ends with the same weights as one process.
    /// `only` restricts training to those members (the others are left as they are).
    public static func fit(_ model: Ensemble, train: [any WindowSource], validation: [any WindowSource], threads: Int,
                              group: ProcessGroup = .single, only: [Int]? = nil,
                              stopAfterEpoch: Int? = nil, progress: @escaping @Sendable (TrainEvent) -> Void = { _ in },
                              checkpoint: @escaping () throws -> Void = {}) throws {
        var pending = model.members.indices.filter { !model.members[$0].state.finished }
        if let only { pending = pending.filter(only.contains) }
        if group.distributed { progress(.note(distributionNote(pending.count, what: "members", options: model.manifest.training, group: group))) }
        if group.distributed && spreadsFits(pending.count, options: model.manifest.training, group: group) {
            return try fitSpread(model, pending: pending, train: train, validation: validation, threads: threads, group: group,
                                 stopAfterEpoch: stopAfterEpoch, progress: progress) { try group.onRoot(checkpoint) }
        }
        let checkpoint = group.distributed ? { try group.onRoot(checkpoint) } : checkpoint
        // Data-parallel: one member at a time, every rank computing its share of each batch's shards.
        let policy = group.distributed ? Parallelism(tasks: 1, threads: threads) : Parallelism(tasks: pending.count, threads: threads)
        let trainers = try makeTrainers(model, pending, threads: policy.threadsPerTask, group: group, validation: validation)
        for i in model.members.indices { model.record(i, optimizer: trainers[i]?.optimizer) }
        // Checkpoint after every `workers` member-epochs (one epoch of each concurrently training
        // member; every epoch for a single model) and whenever a member finishes.
        let workers = policy.workers
        final class Pace: @unchecked Sendable { var sinceSave = 0, finished = -1; let lock = NSLock() }
        let pace = Pace()
        let maybeCheckpoint: () throws -> Void = {
            pace.lock.lock(); defer { pace.lock.unlock() }
            pace.sinceSave += 1
            let finished = model.recordedStates().filter(\.finished).count
            guard pace.sinceSave >= workers || finished != pace.finished else { return }
            pace.sinceSave = 0; pace.finished = finished
            try checkpoint()
        }
        try concurrentForEach(pending.count, threads: workers) { k in
            let i = pending[k]
            try fitMember(model.members[i], trainer: trainers[i]!, options: model.manifest.training,
                    train: train[i % train.count], validation: validation[i % validation.count], stopAfterEpoch: stopAfterEpoch,
                    batchProgress: !policy.concurrent, member: i, members: model.members.count, progress: progress) {
                model.record(i, optimizer: trainers[i]!.optimizer)
                try maybeCheckpoint()
            }
        }
        for m in model.members { m.moments = nil }
        try checkpoint()   // the final state, whatever the last round saved
    }

    /// Trainers for members `indices` (in `group`), each member scored as its baseline first when it
    /// starts as one, and given its stored optimizer moments when resuming.
    static func makeTrainers(_ model: Ensemble, _ indices: [Int], threads: Int, group: ProcessGroup,
                             validation: [any WindowSource]) throws -> [Int: Trainer] {
        let options = model.manifest.training
        let trainers = Dictionary(uniqueKeysWithValues: indices.map { i in
            (i, Trainer(network: model.members[i].network, options: options, threads: threads, group: group))
        })
        // A model that starts as its baseline scores that start first: when no epoch beats it on the
        // validation windows, the member keeps it (best epoch 0) and forecasts the baseline.
        if model.manifest.pipeline?.hasBaseline == true && validation[0].count > 0 {
            for i in indices where model.members[i].state.epochsCompleted == 0 && model.members[i].state.bestLoss == nil {
                let m = model.members[i]
                m.state.bestLoss = try trainers[i]!.evaluate(validation[i % validation.count]); m.state.bestEpoch = 0
                m.state.initialLoss = m.state.bestLoss
                m.best.copy(from: m.network.params)
            }
        }
        for (i, t) in trainers {
            if let mo = model.members[i].moments, mo.m.count == t.optimizer.m.count, mo.v.count == t.optimizer.v.count {
                for k in 0..<mo.m.count { t.optimizer.m[k] = mo.m[k] }
                for k in 0..<mo.v.count { t.optimizer.v[k] = mo.v[k] }
                t.optimizer.step = model.members[i].state.optimizerStep
            }
        }
        return trainers
    }

    /// Runs one member's epochs from its `epochsCompleted` until the epoch limit or early stopping,
    /// tracking the best validation loss (the training loss when there is no validation set) and its
    /// weights; `checkpoint` runs after every epoch. When the member finishes, its best weights
    /// become its current weights.
    static func fitMember(_ member: Member, trainer: Trainer, options opts: TrainingOptions, train: any WindowSource,
                    validation: any WindowSource, stopAfterEpoch: Int?, batchProgress: Bool, member index: Int, members: Int,
                    progress: @escaping @Sendable (TrainEvent) -> Void, checkpoint: () throws -> Void) throws {
        var epoch = member.state.epochsCompleted
        while !member.state.finished && epoch < opts.epochs {
            let start = Date()
            let trainLoss = try trainer.trainEpoch(train, epoch: epoch, seed: member.state.seed) { b, n, loss in
                guard batchProgress else { return }
                let seconds = Date().timeIntervalSince(start)
                progress(.batch(epoch: epoch + 1, epochs: opts.epochs, batch: b, batches: n, loss: loss,
                                sequencesPerSecond: Double(min(b * opts.batchSize, train.count)) / max(seconds, 1e-9)))
            }
            let valLoss = validation.count > 0 ? try trainer.evaluate(validation) : nil
            let monitored = valLoss ?? trainLoss
            guard monitored.isFinite else { throw TrainingError.nonFinite(epoch: epoch + 1, batch: nil) }
            var m = member.state
            let improved = m.bestLoss.map { monitored < $0 } ?? true
            if improved {
                m.bestLoss = monitored; m.bestEpoch = epoch + 1; m.badEpochs = 0
                member.best.copy(from: member.network.params)
            } else {
                m.badEpochs += 1
            }
            let record = EpochRecord(epoch: epoch + 1, trainLoss: trainLoss, validationLoss: valLoss,
                                     seconds: Date().timeIntervalSince(start))
            m.history.append(record)
            m.epochsCompleted = epoch + 1
            m.optimizerStep = trainer.optimizer.step
            if opts.patience > 0 && m.badEpochs >= opts.patience {
                m.finished = true
                m.stopReason = "early stop: no validation improvement for \(opts.patience) epochs; best epoch \(m.bestEpoch!)"
            } else if epoch + 1 >= opts.epochs {
                m.finished = true
                m.stopReason = "completed \(opts.epochs) epochs; best epoch \(m.bestEpoch!)"
            }
            member.state = m
            if m.finished { member.finishWithBest() }   // forecasts use the best weights; the last ones are kept to extend
            try checkpoint()
            progress(.epoch(record, epochs: opts.epochs, best: improved, member: index, members: members))
            epoch += 1
            if let stop = stopAfterEpoch, epoch >= stop, !m.finished { break }
        }
    }
}
