// ResumeCheck: `--resume` continues the stored run exactly as it was configured, so a flag typed
// with it that asks for something else (another --hidden, --lr, --target, …) is refused, naming the
// flag, its value and the stored one. A flag retyped with its stored value (the usual way to resume:
// the same command again with --resume) is fine. `--epochs` is the one exception: a larger limit
// extends the run (TrainJob.resumed). Compared per flag, against the settings the run was started
// with (`ModelManifest.requested`, `PerSeriesModel.settings`), so a default is never mistaken for
// an explicit value.

public enum ResumeCheck {
    /// Each flag a run's result depends on, and how its value reads in a settings value. Flags that do
    /// not change what is computed (--threads, --quiet, --plot, --out, --resume) and the two handled
    /// elsewhere (--data: the stored digest; --epochs: extends) are not listed.
    static let flags: [(flag: String, value: @Sendable (TrainSettings) -> String)] = [
        ("--target", { $0.data.selection.targets.map(listed) ?? "(every numeric column)" }),
        ("--covariates", { listed($0.data.selection.covariates) }),
        ("--time-column", { $0.data.selection.timeColumn ?? "(detected)" }),
        ("--id-column", { $0.data.selection.idColumn ?? "(none)" }),
        ("--dataset", { $0.data.selection.dataset ?? "(default)" }),
        ("--x", { $0.data.x ?? "(none)" }), ("--y", { $0.data.y ?? "(none)" }),
        ("--missing", { $0.data.selection.missing.rawValue }),
        ("--lookback", { $0.windows.lookback.map { "\($0)" } ?? "(default)" }),
        ("--horizon", { "\($0.windows.horizon)" }),
        ("--window-stride", { "\($0.windows.stride)" }),
        ("--val-fraction", { "\($0.windows.valFraction)" }),
        ("--scaler", { $0.preprocessing.scaler.rawValue }),
        ("--transform", { $0.preprocessing.transform.description }),
        ("--baseline", { $0.preprocessing.variants.isEmpty ? "none" : $0.preprocessing.variants.map(\.description).joined(separator: ",") }),
        ("--baseline-weight", { $0.preprocessing.baselineWeight.description }),
        ("--theta-weight", { $0.preprocessing.thetaWeight?.description ?? "0" }),
        ("--season", { $0.preprocessing.season.map { "\($0)" } ?? "auto" }),
        ("--cell", { $0.architecture.cell.rawValue }),
        ("--hidden", { "\($0.architecture.hidden)" }),
        ("--layers", { "\($0.architecture.layers)" }),
        ("--head", { $0.architecture.head.rawValue }),
        ("--layer-norm", { "\($0.architecture.layerNorm)" }),
        ("--dropout", { "\($0.architecture.dropout)" }),
        ("--recurrent-dropout", { "\($0.architecture.recurrentDropout)" }),
        ("--forget-init", { "\($0.architecture.gateInit)" }),
        ("--quantile-levels", { $0.architecture.quantileLevels.isEmpty ? "(none)" : $0.architecture.quantileLevels.map { "\($0)" }.joined(separator: ",") }),
        ("--bidirectional", { "\($0.architecture.bidirectional)" }),
        ("--merge", { $0.architecture.merge.rawValue }),
        ("--decoder-cell", { $0.architecture.decoderCell?.rawValue ?? "(--cell)" }),
        ("--decoder-hidden", { $0.architecture.decoderHidden.map { "\($0)" } ?? "(--hidden)" }),
        ("--decoder-layers", { $0.architecture.decoderLayers.map { "\($0)" } ?? "(--layers)" }),
        ("--decoder-input", { $0.architecture.decoderInput.rawValue }),
        ("--loss", { $0.training.loss.rawValue }),
        ("--optimizer", { $0.training.optimizer.rawValue }),
        ("--lr", { "\($0.training.learningRate)" }),
        ("--batch-size", { "\($0.training.batchSize)" }),
        ("--patience", { "\($0.training.patience)" }),
        ("--clip", { "\($0.training.clip)" }),
        ("--seed", { "\($0.training.seed)" }),
        ("--ensemble", { "\($0.training.ensemble)" }),
        ("--teacher-forcing", { $0.training.teacherForcing.map { "\($0)" } ?? "(default)" }),
        ("--teacher-forcing-decay", { $0.training.teacherForcingDecay.map { "\($0)" } ?? "(default)" }),
        ("--shard-size", { $0.training.shardSize.map { "\($0)" } ?? "(default)" }),
    ]

    /// The typed flags this check compares.
    public static func compared(_ typed: [String]) -> [String] {
        typed.filter { t in flags.contains { $0.flag == t } }
    }

    /// How `flags` show a setting left to a rule.
    static let unresolved: Set<String> = ["auto", "(default)", "(detected)", "(every numeric column)", "(--cell)", "(--hidden)", "(--layers)"]

    /// The values a stored model resolved for the flags whose setting may be left to a rule: the
    /// targets and covariates it reads, its look-back, transforms, quantile levels, decoder and
    /// shard size, and the season its time column gives.
    public static func resolved(_ m: ModelManifest) -> [String: String] {
        var r = ["--lookback": "\(m.windows.lookback)", "--shard-size": "\(m.training.effectiveShardSize)"]
        r["--target"] = listed(m.targetNames)
        r["--covariates"] = listed(Array(m.channels.dropFirst(m.targetCount)))
        let a = m.model.architecture
        r["--quantile-levels"] = a.quantileLevels.isEmpty ? "(none)" : a.quantileLevels.map { "\($0)" }.joined(separator: ",")
        r["--decoder-cell"] = (a.decoderCell ?? a.cell).rawValue
        r["--decoder-hidden"] = "\(a.decoderHidden ?? a.hidden)"
        r["--decoder-layers"] = "\(a.decoderLayers ?? a.layers)"
        if let p = m.pipeline {
            let names = p.transforms.map { type(of: $0.step).name }
            r["--transform"] = names.isEmpty ? "none" : names.joined(separator: ",")
        }
        // --season auto took the time column's period (none for a yearly one) when it has one.
        if let axis = m.timeAxis, axis.seasonalPeriod != nil || axis.isYearly { r["--season"] = "\(axis.seasonalPeriod ?? 1)" }
        if let t = m.timeAxis { r["--time-column"] = t.column }
        return r
    }

    private static func listed(_ names: [String]) -> String { names.isEmpty ? "(none)" : names.joined(separator: ",") }

    /// The typed flags whose value in `asked` differs from the stored run's, as "--hidden 64 (the
    /// stored run has 32)". `resolved`: values the stored run chose by rule where it typed nothing
    /// (`--lookback` 24 for the default, the `--shard-size` it trains with), which a typed value may
    /// equal instead.
    public static func differences(typed: [String], asked: TrainSettings, stored: TrainSettings, resolved: [String: String] = [:]) -> [String] {
        let typed = Set(typed)
        return flags.filter { typed.contains($0.flag) }.compactMap { f -> String? in
            let a = f.value(asked), s = f.value(stored)
            if a == s || a == resolved[f.flag] { return nil }
            // A setting the stored run left to a rule (auto, a default taken from another flag or from
            // the data) whose outcome is not known here: a typed value may be that outcome, so it is
            // not refused (it is not applied either: the stored run continues).
            if resolved[f.flag] == nil && unresolved.contains(s) { return nil }
            return "\(f.flag) \(a) (the stored run has \(resolved[f.flag] ?? s))"
        }
    }

    /// Throws when `differences` is not empty: one line naming every differing flag and what to do.
    public static func check(typed: [String], asked: TrainSettings, stored: TrainSettings, resolved: [String: String] = [:], out: String) throws(TrainingError) {
        let d = differences(typed: typed, asked: asked, stored: stored, resolved: resolved)
        guard !d.isEmpty else { return }
        throw .resume("--resume continues the run in \(out) exactly as it started, but \(d.joined(separator: ", ")); leave \(d.count == 1 ? "that flag" : "those flags") out (or type the stored values) to continue it, or start a new run in another --out")
    }
}
