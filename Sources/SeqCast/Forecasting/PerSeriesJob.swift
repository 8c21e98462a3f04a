// PerSeriesJob: `train --per-series` — one model per series id, each fitted exactly as `train`
// fits that series alone (its own preprocessing, look-back, seed — PerSeriesModel.seed — and
// calibration), none seeing another series' data. Under mpirun the series are dealt to the ranks
// in contiguous blocks (rank r: positions [r·n/N, (r+1)·n/N), ProcessGroup.share); each rank reads
// only its series (from HDF5 only their batch rows, Data/SeriesCatalog.swift) and trains them one
// after another with its --threads, with no gradient traffic. After each round (one series per
// rank) rank 0 gathers the trained models and writes their folders (Model/PerSeriesModel.swift),
// which is also the checkpoint --resume continues from. The models do not depend on the rank or
// thread count. Errors name the series: the data of every series are checked before any training,
// so the first failing series in file order is the one reported, whatever the rank count. (Here
// rather than in Training/ because each model is calibrated, as in `TrainJob.runCalibrated`.)
import Foundation

public enum PerSeriesJob {
    public static func train(_ r: TrainRequest, progress: @escaping @Sendable (TrainEvent) -> Void = { _ in }) throws -> TrainSummary {
        let clock = Date(), group = r.run.group, dir = r.run.outDir
        try AtomicFile.refuseInput(r.settings.data.path, insideReplaced: "series", of: dir)   // removed with the earlier run's models
        // The run: this request's settings, or (--resume) the stored run's.
        let stored: PerSeriesModel? = try group.agree {
            try r.settings.validate()
            guard r.run.resume else { return nil }
            guard FileManager.default.fileExists(atPath: PerSeriesModel.indexPath(dir)) else {
                progress(.note("no checkpoint at \(PerSeriesModel.indexPath(dir)); starting a new run"))
                return nil
            }
            guard let s = try PerSeriesModel.open(dir) else {
                throw PerSeriesError.resume("\(PerSeriesModel.indexPath(dir)) holds one global model; resume it without --per-series")
            }
            return s
        }
        if let stored {   // every rank checks alike: the same flags, the same stored settings
            try ResumeCheck.check(typed: r.run.typedFlags, asked: r.settings, stored: stored.settings, out: dir)
        }
        var settings = stored?.settings ?? r.settings
        settings.data.path = r.settings.data.path   // resumed: must hold the stored run's bytes (checked below)
        if let stored, let e = r.run.resumeEpochs, e != stored.settings.training.epochs {
            guard e > stored.settings.training.epochs else {
                throw TrainingError.resume("--epochs \(e) with --resume: the stored run trains up to \(stored.settings.training.epochs) epochs and cannot be shortened; leave out --epochs to continue it")
            }
            settings.training.epochs = e
            progress(.note("extending the stored run from \(stored.settings.training.epochs) to \(e) epochs"))
        }
        let path = settings.data.path
        let digest = sharedDigest(path, group)   // rank 0 hashes the file, once
        let catalog = try group.agree { () throws -> SeriesCatalog in
            let catalog = try SeriesCatalog.open(path, selection: settings.data.selection)
            if let stored {
                guard stored.ids == catalog.ids else {
                    throw PerSeriesError.resume("\(path) holds other series than the stored run (\(catalog.ids.count) ids now, \(stored.ids.count) stored, or in another order); restore the file or start a new run without --resume")
                }
                try TrainJob.checkResumeData(path, digest: digest, storedPath: stored.settings.data.path, storedDigest: stored.sourceDigest)
            }
            return catalog
        }
        let run = PerSeriesModel(directory: dir, settings: settings, ids: catalog.ids, sourceDigest: stored?.sourceDigest ?? digest)
        let n = run.ids.count, mine = Array(group.share(of: n))
        let job = Job(run: run, options: r.run, resume: stored != nil, digest: digest)
        // This rank's series, read; each one's model built (or its checkpoint read) and its windows
        // checked before any training.
        let data = try group.agree { () throws -> SeriesCollection in
            let data = try catalog.load(mine)
            for (j, p) in mine.enumerated() { _ = try job.prepared(p, data.only(j)) }
            return data
        }
        try group.onRoot {
            try AtomicFile.makeDirectory(dir)
            if stored == nil { try removeFolders(dir + "/series") }   // a new run replaces an earlier run's models
            if stored?.settings != settings { try run.writeIndex() }
            try AtomicFile.makeDirectory(dir + "/series")
        }
        // Missing values of the whole file, as a single model's train notes them: a CSV is parsed whole
        // by every rank (its count is the file's already); HDF5 ranks read their own rows, so their
        // counts are summed.
        let missing = catalog.readsWhole ? data.missingCount : group.sum(data.missingCount)
        if missing > 0 { progress(.note(settings.data.selection.missing.trainingNote(missing))) }
        progress(.started("one \(settings.architecture.summary)\(settings.training.ensemble > 1 ? " ×\(settings.training.ensemble) ensemble" : "") per series: \(n) series of \(path)"))
        if group.distributed {
            let blocks = (0..<group.size).map { "\(group.share(of: n, rank: $0).count)" }.joined(separator: ", ")
            progress(.note("\(group.size) ranks: the \(n) series dealt in contiguous blocks (\(blocks) series), each trained on its rank; rank 0 writes"))
        }
        // Rounds of one series per rank; rank 0 writes every round's models.
        var outcomes: [Outcome] = []
        let rounds = (0..<group.size).map { group.share(of: n, rank: $0).count }.max() ?? 0
        for t in 0..<rounds {
            var failure: (key: Int, error: Error)?, own: (Outcome, Ensemble)?
            var w = ByteWriter()
            if t < mine.count {
                do {
                    let (outcome, model) = try job.fit(mine[t], data.only(t))
                    if group.distributed { outcome.encode(into: &w); try model.encode(into: &w) } else { own = (outcome, model) }
                } catch { failure = (mine[t], error) }
            }
            let all = group.gather(w.bytes)
            try group.settle(failure)
            try group.onRoot {
                var received = own.map { [$0] } ?? []
                for bytes in all where !bytes.isEmpty {
                    var reader = ByteReader(bytes)
                    received.append((Outcome.decode(&reader), try Ensemble.decode(&reader)))
                }
                for (o, model) in received.sorted(by: { $0.0.position < $1.0.position }) {
                    let folder = run.folder(o.position)
                    if o.trained {
                        try AtomicFile.makeDirectory(folder)
                        try ModelFile.save(model, to: folder + "/model.h5")
                        try HistoryFile.write(model.recordedStates().map(\.history), to: folder + "/history.csv")
                    }
                    let done = o.with(model)
                    outcomes.append(done)
                    progress(.note(done.line(id: run.ids[o.position], of: n)))
                }
            }
        }
        // Validation losses are averaged over the series that have them; training losses only when none has.
        let validated = outcomes.filter { $0.validation > 0 }
        let bests = (validated.isEmpty ? outcomes : validated).compactMap(\.bestLoss)
        var summary = TrainSummary(modelPath: PerSeriesModel.indexPath(dir), members: max(1, settings.training.ensemble),
                            epochs: outcomes.map(\.epochs).max() ?? 0,
                            bestLoss: bests.isEmpty ? nil : bests.reduce(0, +) / Double(bests.count),
                            trainSamples: outcomes.reduce(0) { $0 + $1.train }, validationSamples: outcomes.reduce(0) { $0 + $1.validation },
                            seconds: Date().timeIntervalSince(clock),
                            stopReason: "\(outcomes.filter(\.finished).count) of \(n) series finished",
                            finished: outcomes.count == n && outcomes.allSatisfy(\.finished), series: n)
        summary.seriesInLoss = bests.count
        return summary
    }

    /// The source's digest, computed by rank 0 alone and shared (no other rank reads the whole file for it).
    static func sharedDigest(_ path: String, _ group: ProcessGroup) -> String? {
        let bytes = group.broadcast(group.isRoot ? Array((FileDigest.of(path) ?? "").utf8) : [])
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    static func removeFolders(_ path: String) throws(DataError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw .unwritable(path: path, reason: "cannot remove the earlier run's per-series models: \(error.localizedDescription)")
        }
    }

    /// One series' training in a run.
    struct Job {
        let run: PerSeriesModel, options: RunOptions, resume: Bool, digest: String?

        /// Series p's model — its checkpoint (--resume), else a fresh one from the run's settings and
        /// its own seed — and its window plan (checked, not prepared). Errors name the series.
        func prepared(_ p: Int, _ part: SeriesCollection) throws -> (Ensemble, WindowPlan) {
            try named(p) {
                let path = run.folder(p) + "/model.h5"
                let model: Ensemble
                if resume && FileManager.default.fileExists(atPath: path) {
                    model = try TrainJob.resumed(path, data: run.settings.data.path, epochs: options.resumeEpochs, digest: digest, progress: { _ in })
                } else {
                    model = try TrainJob.seriesEnsemble(run.settings(for: run.ids[p]), data: part).model
                    model.manifest.sourceDigest = run.sourceDigest
                    model.manifest.seriesId = run.ids[p]   // `forecast --model DIR/series/<p>` reads this series only
                }
                return (model, try part.windowPlan(pipeline: model.manifest.pipeline!, valFraction: model.manifest.valFraction))
            }
        }

        /// Trains series p's model (unless its checkpoint finished already) with the run's threads,
        /// and calibrates it once every member finished, as `train` does for one series.
        func fit(_ p: Int, _ part: SeriesCollection) throws -> (Outcome, Ensemble) {
            let (model, plan) = try prepared(p, part)
            let trained = !model.finished
            try named(p) {
                guard trained, let pipeline = model.manifest.pipeline else { return }
                try MemoryEstimate.check(data: part, plan: plan, model: model, threads: options.threads)
                let samples = try part.split(pipeline: pipeline, valFraction: model.manifest.valFraction)
                try EnsembleFitter.fit(model, train: samples.trains, validation: samples.validations, threads: options.threads,
                                       stopAfterEpoch: options.stopAfterEpoch)
                if model.finished { Calibrator.finish(model, data: part, calibrate: true, threads: options.threads) }
            }
            return (Outcome(position: p, trained: trained, train: plan.train.count, validation: plan.validation.count), model)
        }

        func named<T>(_ p: Int, _ body: () throws -> T) throws -> T { try PerSeriesError.naming(run.ids[p], p, of: run.ids.count, body) }
    }

    /// What rank 0 reports of one series: whether it was trained now, its windows, and (from its
    /// model) whether it finished, its epochs and its members' mean best loss.
    struct Outcome {
        var position: Int, trained: Bool, train: Int, validation: Int
        var finished = false, epochs = 0, bestLoss: Double?, members = 0

        func with(_ model: Ensemble) -> Outcome {
            var o = self
            let states = model.members.map(\.state), bests = states.compactMap(\.bestLoss)
            o.finished = model.finished; o.epochs = states.map(\.epochsCompleted).max() ?? 0; o.members = states.count
            o.bestLoss = bests.isEmpty ? nil : bests.reduce(0, +) / Double(bests.count)
            return o
        }

        func line(id: String, of n: Int) -> String {
            let name = validation > 0 ? "best validation loss" : "best training loss (no validation windows)"
            let loss = bestLoss.map { String(format: "%@ %.5g%@", name, $0, members > 1 ? " (member mean)" : "") } ?? "no loss"
            return "series '\(id)' (\(position + 1) of \(n)): \(trained ? (finished ? "trained" : "stopped") : "already trained"), up to \(epochs) epochs, \(loss), \(train) training windows"
        }

        func encode(into w: inout ByteWriter) { w.int(position); w.int(trained ? 1 : 0); w.int(train); w.int(validation) }
        static func decode(_ r: inout ByteReader) -> Outcome {
            Outcome(position: r.int(), trained: r.int() == 1, train: r.int(), validation: r.int())
        }
    }
}
