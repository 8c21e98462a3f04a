// MemoryEstimate: what a training run will hold at its peak, estimated before the series are
// prepared, and the refusal when that does not fit the memory budget (Support/MemoryBudget.swift).
// Windows are gathered from the prepared series a batch at a time (SeriesWindows), so the estimate
// grows with the series, not with the look-back or the number of windows.

public enum MemoryEstimate {
    /// Bytes of one float32 value per series row and channel of `data`.
    static func seriesBytes(_ data: SeriesCollection) -> Int {
        data.series.reduce(0) { $0 + $1.matrix.values.count } * MemoryLayout<Float>.size
    }

    /// About how much a series-mode run needs: the series (prepared in place, one copy that every
    /// ensemble variant shares: SeriesWindows), the window starts and the shuffled order of the
    /// training windows, and the model (members' weights, optimizer state, workspaces).
    public static func needed(data: SeriesCollection, plan: WindowPlan, model: Ensemble,
                              threads: Int) -> (total: Int, series: Int, windows: Int, model: Int) {
        let series = seriesBytes(data)
        let windows = plan.train.bytes + plan.validation.bytes + plan.train.count * MemoryLayout<Int>.size
        let net = model.network, c = net.config, o = model.manifest.training
        let members = min(model.members.count, max(1, threads))
        // Parameters: weights, best, gradients (one per shard and the sum), Adam's two moments.
        let shards = o.shardCount
        let params = net.parameterCount * (4 + shards) * MemoryLayout<Float>.size
        // Per shard: activations of every step and layer (gates, states, their gradients), inputs, outputs.
        let width = c.inputDim + 16 * c.hidden * max(c.layers, 1) * (c.bidirectional ? 2 : 1) + 2 * c.targetWidth
        let workspace = shards * o.shardWidth * c.lookback * width * MemoryLayout<Float>.size
        let modelBytes = model.members.count * params + members * workspace
        return (series + windows + modelBytes, series, windows, modelBytes)
    }

    /// Throws when the run cannot fit in the memory budget, naming how much it needs and how much there is.
    public static func check(data: SeriesCollection, plan: WindowPlan, model: Ensemble,
                             threads: Int) throws(TrainingError) {
        let need = needed(data: data, plan: plan, model: model, threads: threads)
        let budget = MemoryBudget.current
        guard UInt64(need.total) > budget.bytes else { return }
        func d(_ b: Int) -> String { MemoryBudget.describe(Double(b)) }
        throw .tooLarge("training on \(data.source) needs about \(d(need.total)) of memory (series \(d(need.series)), windows \(d(need.windows)), model \(d(need.model))), more than \(budget.source) \(d(Int(budget.bytes))); train on fewer series or columns, or a smaller model")
    }
}
