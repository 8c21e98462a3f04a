// CombinationFit: the final combination's automatic Theta weight and the damped trend's share of the
// statistical member, chosen after training from the ensemble's forecasts of the validation windows
// (Calibrator.swift: ValidationForecasts), which training never fitted on and Theta and the damped
// trend forecast from the history before each of them.
//
// Why: a fixed ¼ of Theta suits the benchmark on average but not each series — Theta's drift is
// wrong where the network learned a cycle, the network wrong where its trend has stopped. On the
// accuracy benchmark, weighting the two by their errors on a held-out window beat every fixed
// weight (ACCURACY.md, "Theta's weight from the validation windows").
import Foundation

enum CombinationFit {
    /// The automatic Theta member's choice from the validation windows (not the training windows
    /// added for the calibration), in two inverse-MAE steps per target over the values where Theta
    /// applies, each averaged over the targets that have any:
    /// 1. with the damped trend's parts: its share ρ = MAE(T) / (MAE(T) + MAE(H)) of the statistical
    ///    member S = (1 − ρ)·Theta + ρ·damped trend (nil without them: Theta alone);
    /// 2. Theta's weight θ = MAE(D) / (MAE(D) + MAE(S)) against the network's combination D, over
    ///    the targets the statistical member does not forecast alone (`Pipeline.statisticalOnly`).
    /// θ is 0 when Theta applies to no validation value (nothing speaks for it); nil when there is
    /// no validation window (the fallback weight stays).
    static func weights(_ f: ValidationForecasts) -> (theta: Float, damped: Float?)? {
        guard f.validation > 0 else { return nil }
        guard !f.theta.isEmpty else { return (0, nil) }
        let ρ: Float? = f.damped.isEmpty ? nil : inverseMAE(f, f.theta) { f.damped[$0] }.map(Float.init) ?? 0
        // θ over the targets it weighs: not those the statistical member forecasts alone.
        let θ = inverseMAE(f, f.network, skipping: f.alone) { f.statistical($0, dampedShare: ρ ?? 0) ?? .nan }
        return (θ.map(Float.init) ?? 0, ρ)
    }

    /// Per target, MAE(a) / (MAE(a) + MAE(b)) over the validation values where Theta applies (the
    /// second's weight when the two are mixed by their inverse errors), over the values where Theta
    /// and the second apply; the mean over targets that have any, nil when none has. A non-finite
    /// error of the first (a diverged network) gives all to the second.
    private static func inverseMAE(_ f: ValidationForecasts, _ a: [Float], skipping skip: (Int) -> Bool = { _ in false },
                                   _ b: (Int) -> Float) -> Double? {
        let K = f.horizon, O = f.targets
        var ea = [Double](repeating: 0, count: O), eb = ea, count = [Int](repeating: 0, count: O)
        for i in 0..<f.validation {
            for k in 0..<K {
                for o in 0..<O where !skip(o) {
                    let at = i * K * O + k * O + o, y = Double(f.actual[at]), second = Double(b(at))
                    // The statistical member where Theta applies; for ρ, where the damped trend does too
                    // (elsewhere the member is Theta alone, value by value).
                    guard y.isFinite, f.theta[at].isFinite, second.isFinite else { continue }
                    ea[o] += abs(y - Double(a[at])); eb[o] += abs(y - second); count[o] += 1
                }
            }
        }
        let weights = (0..<O).compactMap { o -> Double? in
            guard count[o] > 0 else { return nil }
            guard ea[o].isFinite else { return eb[o].isFinite ? 1 : nil }
            guard eb[o].isFinite else { return 0 }
            let total = ea[o] + eb[o]
            return total > 0 ? ea[o] / total : 0.5
        }
        return weights.isEmpty ? nil : weights.reduce(0, +) / Double(weights.count)
    }
}
