// Metrics: MAE, RMSE, MAPE, sMAPE and MASE over forecast/actual pairs.
//
// Rules: MAPE = 100·mean(|e| / |y|) over points with y ≠ 0 (points with a zero actual are left
// out; with none left, MAPE is undefined → nil, written as empty / null, never NaN).
// sMAPE = 100·mean(2|e| / (|y| + |ŷ|)), a point with y = ŷ = 0 counts 0.
// MASE = MAE / scale, scale = in-sample seasonal-naive MAE of the window's training part
// (nil when that scale is 0 or undefined).

/// The five forecast-accuracy metrics; nil where undefined.
public struct Metrics: Codable, Sendable, Equatable {
    public var mae: Double?
    public var rmse: Double?
    public var mape: Double?
    public var smape: Double?
    public var mase: Double?

    public init(mae: Double? = nil, rmse: Double? = nil, mape: Double? = nil, smape: Double? = nil, mase: Double? = nil) {
        self.mae = mae; self.rmse = rmse; self.mape = mape; self.smape = smape; self.mase = mase
    }

    /// Metrics of `forecast` against `actual`, MASE scaled by `scale`.
    public static func of(actual: [Float], forecast: [Float], scale: Double?) -> Metrics {
        precondition(actual.count == forecast.count)
        let n = actual.count
        guard n > 0 else { return Metrics() }
        var abs = 0.0, sq = 0.0, ape = 0.0, apeN = 0, sape = 0.0
        for i in 0..<n {
            let y = Double(actual[i]), f = Double(forecast[i]), e = Swift.abs(f - y)
            abs += e; sq += e * e
            if y != 0 { ape += e / Swift.abs(y); apeN += 1 }
            let denom = Swift.abs(y) + Swift.abs(f)
            if denom > 0 { sape += 2 * e / denom }
        }
        let mae = abs / Double(n)
        return Metrics(mae: mae, rmse: (sq / Double(n)).squareRoot(),
                       mape: apeN > 0 ? 100 * ape / Double(apeN) : nil, smape: 100 * sape / Double(n),
                       mase: scale.flatMap { $0 > 0 ? mae / $0 : nil })
    }

    /// The mean of each metric over `all`, ignoring nils (nil when all are nil).
    public static func mean(_ all: [Metrics]) -> Metrics {
        func avg(_ k: KeyPath<Metrics, Double?>) -> Double? {
            let v = all.compactMap { $0[keyPath: k] }
            return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
        }
        return Metrics(mae: avg(\.mae), rmse: avg(\.rmse), mape: avg(\.mape), smape: avg(\.smape), mase: avg(\.mase))
    }
}
