// CombinationFit: the final combination's automatic Theta weight, chosen after training from the
// ensemble's forecasts of the validation windows (Calibrator.swift: ValidationForecasts), which
// training never fitted on and Theta forecasts from the history before each of them.
//
// Why: a fixed ¼ of Theta suits the benchmark on average but not each series — Theta's drift is
// wrong where the network learned a cycle, the network wrong where its trend has stopped. On the
// accuracy benchmark, weighting the two by their errors on a held-out window beat every fixed
// weight (ACCURACY.md, "Theta's weight from the validation windows").
import Foundation

enum CombinationFit {
    /// Theta's weight from the validation windows (not the training windows added for the
    /// calibration): per target, inverse-MAE weighting of the network's combination D and Theta T,
    /// θ = MAE(D) / (MAE(D) + MAE(T)), over the values where Theta applies; the mean over targets
    /// that have any. 0 when Theta applies to no validation value (nothing speaks for it); nil when
    /// there is no validation window (the fallback weight stays).
    static func thetaWeight(_ f: ValidationForecasts) -> Float? {
        guard f.validation > 0 else { return nil }
        guard !f.theta.isEmpty else { return 0 }
        let K = f.horizon, O = f.targets
        var network = [Double](repeating: 0, count: O), theta = network, count = [Int](repeating: 0, count: O)
        for i in 0..<f.validation {
            for k in 0..<K {
                for o in 0..<O {
                    let at = i * K * O + k * O + o, y = Double(f.actual[at]), t = Double(f.theta[at])
                    guard y.isFinite, t.isFinite else { continue }
                    network[o] += abs(y - Double(f.network[at])); theta[o] += abs(y - t); count[o] += 1
                }
            }
        }
        let weights = (0..<O).compactMap { o -> Double? in
            guard count[o] > 0 else { return nil }
            guard network[o].isFinite else { return theta[o].isFinite ? 1 : nil }   // a diverged network: Theta alone
            guard theta[o].isFinite else { return 0 }
            let total = network[o] + theta[o]
            return total > 0 ? network[o] / total : 0.5
        }
        guard !weights.isEmpty else { return 0 }
        return Float(weights.reduce(0, +) / Double(weights.count))
    }
}
