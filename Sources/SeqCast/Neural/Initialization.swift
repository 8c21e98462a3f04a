// Initialization: documented weight initialisation for a fresh network.
//   Wx: Glorot-uniform, limit √(6 / (D + G·H))          (Keras' kernel default)
//   Wh: orthogonal H×H block per gate                   (Keras' recurrent default, per gate)
//   biases 0, except the forget/update gate (GateInit):
//     LSTM: b_f = log(U(1, T_max − 1)) and b_i = −b_f (chrono), or b_f = c (constant)
//     GRU:  b_z = log(U(1, T_max − 1)) (z keeps the old state, so it plays the forget gate's role)
//   layer-norm gains 1, LN_c bias 0; dense W Glorot-uniform, b 0; bridges Glorot-uniform, b 0.
// Layers in layout order (encoder layer l, its backward direction, …, then the decoder's, whose
// chrono T_max is the horizon).
import Foundation

extension Network {
    func initialize(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let p = params.p
        params.zero()
        var recurrent: [(RecurrentLayer, Int)] = []
        for (i, l) in layers.enumerated() {
            recurrent.append((l, config.lookback))
            if i < reversed.count { recurrent.append((reversed[i], config.lookback)) }
        }
        recurrent += decoder.map { ($0, config.horizon) }
        for (l, tmax) in recurrent {
            let H = l.hidden, GH = l.gateWidth
            glorot(p + l.wx, fanIn: l.inputDim, fanOut: GH, &rng)
            for gate in 0..<l.kind.gates { orthogonalBlock(p + l.wh + gate * H, n: H, ld: GH, &rng) }
            for gain in [l.gx, l.gh].compactMap({ $0 }) { (p + gain).update(repeating: 1, count: GH) }
            if let gc = l.gc { (p + gc).update(repeating: 1, count: H) }
            // Gate blocks: LSTM i=0, f=1; GRU z=0.
            let keepGate = l.kind == .lstm ? 1 : (l.kind == .gru ? 0 : -1)
            guard keepGate >= 0 else { continue }
            let bKeep = p + l.bx + keepGate * H
            switch config.gateInit {
            case .chrono:
                let hi = Float(max(tmax - 1, 2))
                for j in 0..<H {
                    let b = Foundation.log(rng.uniform(1, hi))
                    bKeep[j] = b
                    if l.kind == .lstm { p[l.bx + j] = -b }
                }
            case .constant(let c):
                bKeep.update(repeating: c, count: H)
            }
        }
        glorot(p + dense.w, fanIn: dense.inputs, fanOut: dense.outputs, &rng)
        for b in bridges {
            for d in [b.h] + (b.c.map { [$0] } ?? []) { glorot(p + d.w, fanIn: d.inputs, fanOut: d.outputs, &rng) }
        }
    }
}

private func glorot(_ w: FloatPtr, fanIn: Int, fanOut: Int, _ rng: inout SeededRandom) {
    let limit = (6 / Float(fanIn + fanOut)).squareRoot()
    for i in 0..<(fanIn * fanOut) { w[i] = rng.uniform(-limit, limit) }
}

/// Fills the n×n block at `w` (row stride `ld`) with a random orthogonal matrix
/// (modified Gram–Schmidt on a Gaussian matrix, in Double).
private func orthogonalBlock(_ w: FloatPtr, n: Int, ld: Int, _ rng: inout SeededRandom) {
    var q = (0..<(n * n)).map { _ in Double(rng.normal()) }
    for i in 0..<n {
        for k in 0..<i {
            var dot = 0.0
            for j in 0..<n { dot += q[i * n + j] * q[k * n + j] }
            for j in 0..<n { q[i * n + j] -= dot * q[k * n + j] }
        }
        var norm = 0.0
        for j in 0..<n { norm += q[i * n + j] * q[i * n + j] }
        norm = max(norm.squareRoot(), 1e-12)
        for j in 0..<n { q[i * n + j] /= norm }
    }
    for i in 0..<n { for j in 0..<n { w[i * ld + j] = Float(q[i * n + j]) } }
}
