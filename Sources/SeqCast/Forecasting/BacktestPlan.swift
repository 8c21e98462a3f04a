// BacktestPlan: rolling-origin window arithmetic with the semantics of Darts'
// `historical_forecasts`: the first forecast point (`start`, a fraction or an index), forecasts of
// `horizon` steps every `stride` steps that never run past the end, training on data strictly
// before each forecast point (expanding, or a sliding window of `trainLength` steps), and refits
// at every origin, once, or every N origins.

/// One forecast origin: the first predicted index, and the rows its model trains on.
public struct BacktestOrigin: Sendable, Equatable {
    public var origin: Int
    public var trainRange: Range<Int>
    /// Index of the origin whose fitted model this origin uses (itself when it refits).
    public var fitIndex: Int
}

public enum BacktestPlan {
    /// Origins for a series of `length` steps. Throws when none fits.
    public static func origins(length n: Int, start: BacktestStart, horizon k: Int, stride s: Int,
                               retrain: RetrainPolicy, trainLength: Int?) throws(SettingsError) -> [BacktestOrigin] {
        let first: Int
        switch start {
        case .fraction(let f): first = Int(Double(n - 1) * f)
        case .index(let i): first = i
        }
        guard first >= 1 else { throw .incompatible("--start \(start) puts the first forecast at index \(first): there is no data before it to train on") }
        guard first + k <= n else {
            throw .incompatible("--start \(start) (index \(first)) leaves no room for a \(k)-step forecast in \(n) steps")
        }
        var out: [BacktestOrigin] = []
        var o = first, i = 0, fit = 0
        while o + k <= n {
            let refit: Bool
            switch retrain {
            case .always: refit = true
            case .never: refit = i == 0
            case .every(let m): refit = i % m == 0
            }
            if refit { fit = i }
            // Without refitting, the model keeps the training range of its fit.
            let fitOrigin = refit ? o : out[fit].origin
            let lo = trainLength.map { max(0, fitOrigin - $0) } ?? 0
            out.append(BacktestOrigin(origin: o, trainRange: lo..<fitOrigin, fitIndex: fit))
            o += max(s, 1); i += 1
        }
        return out
    }
}
