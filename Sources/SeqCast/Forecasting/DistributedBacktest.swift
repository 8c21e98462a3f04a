// DistributedBacktest: a backtest's fits over the ranks of a process group. Its independent work
// units are (fit, ensemble member) pairs; when `EnsembleFitter.spreadsFits` says so they are dealt
// round-robin to the ranks (unit u = fit·M + member → rank u mod N), trained there, and every rank
// receives every trained member; otherwise the fits run one after another, each data-parallel over
// all ranks. Either way every rank ends with the models one process would have fitted, calibrates
// them alike, and errors (one fit diverging on one rank) end every rank with that rank's message.
import Foundation

extension BacktestJob {
    static func fitModels(_ settings: TrainSettings, plan: [BacktestOrigin], data: SeriesCollection, calibrate: Bool,
                          threads: Int, group: ProcessGroup, clock: Date,
                          progress: @escaping @Sendable (BacktestEvent) -> Void) throws -> [Int: Ensemble] {
        let fitIndices = Array(Set(plan.map(\.fitIndex))).sorted(), members = max(1, settings.training.ensemble)
        let units = fitIndices.count * members
        var models: [Int: Ensemble] = [:]
        func report(_ f: Int, _ done: inout Int) {
            done += plan.filter { $0.fitIndex == f }.count
            progress(.origin(done: done, total: plan.count, elapsed: Date().timeIntervalSince(clock)))
        }
        progress(.note(EnsembleFitter.distributionNote(units, what: "(fit, member) units", options: settings.training, group: group)))
        guard EnsembleFitter.spreadsFits(units, options: settings.training, group: group) else {
            var done = 0
            for f in fitIndices {   // data-parallel: every rank takes part in every fit
                let part = trainingPart(data, plan[f].trainRange)
                let model = try group.agree { () throws -> Ensemble in
                    let (model, samples) = try forPart(plan[f]) { try TrainJob.seriesModel(settings, data: part) }
                    try EnsembleFitter.fit(model, train: samples.trains, validation: samples.validations, threads: threads, group: group,
                                           progress: { _ in })
                    return model
                }
                Calibrator.finish(model, data: part, calibrate: calibrate, threads: threads)
                models[f] = model; report(f, &done)
            }
            return models
        }
        // Spread: this rank's units, grouped by fit, fitted as the single-process backtest would.
        let mine = (0..<units).filter { group.dealer($0) == group.rank }
        let myFits = Array(Set(mine.map { $0 / members })).sorted()
        let policy = Parallelism(tasks: myFits.count, threads: threads)
        final class Fitted: @unchecked Sendable { var bytes: [Int: [UInt8]] = [:]; let lock = NSLock() }
        let fitted = Fitted()
        var failure: Error?
        do {
            try concurrentForEach(myFits.count, threads: policy.workers) { j in
                let k = myFits[j], part = trainingPart(data, plan[fitIndices[k]].trainRange)
                let (model, samples) = try forPart(plan[fitIndices[k]]) { try TrainJob.seriesModel(settings, data: part) }
                let only = mine.filter { $0 / members == k }.map { $0 % members }
                try EnsembleFitter.fit(model, train: samples.trains, validation: samples.validations,
                                       threads: policy.threadsPerTask, only: only)
                var w = ByteWriter()
                for m in only { w.int(k * members + m); model.snapshot(m).encode(into: &w) }
                fitted.lock.withLock { fitted.bytes[k] = w.bytes }
            }
        } catch { failure = error }
        var w = ByteWriter()
        for k in myFits.sorted() { w.raw(fitted.bytes[k] ?? []) }
        let all = group.allgather(w.bytes)
        try group.settle(failure)
        var received: [Int: MemberSnapshot] = [:]
        for bytes in all {
            var r = ByteReader(bytes)
            while !r.atEnd {
                var unit = ByteReader(r.raw())
                while !unit.atEnd { let u = unit.int(); received[u] = try MemberSnapshot.decode(&unit) }
            }
        }
        // Every fit's model as one process fits it: fresh, then its members as trained on their ranks.
        let trained = received
        let each = Parallelism(tasks: fitIndices.count, threads: threads)
        final class Models: @unchecked Sendable { var byFit: [Int: Ensemble] = [:]; let lock = NSLock() }
        let built = Models()
        try concurrentForEach(fitIndices.count, threads: each.workers) { k in
            let f = fitIndices[k], part = trainingPart(data, plan[f].trainRange)
            let model = try forPart(plan[f]) { try TrainJob.seriesEnsemble(settings, data: part).model }
            for m in 0..<members {
                guard let snap = trained[k * members + m] else {
                    throw TrainingError.noSamples("fit \(k + 1), member \(m + 1) came back from no rank (a bug)")
                }
                model.apply(m, snap)
                model.members[m].moments = nil
            }
            Calibrator.finish(model, data: part, calibrate: calibrate, threads: each.threadsPerTask)
            built.lock.withLock { built.byFit[f] = model }
        }
        var done = 0
        for f in fitIndices { models[f] = built.byFit[f]; report(f, &done) }
        return models
    }
}
