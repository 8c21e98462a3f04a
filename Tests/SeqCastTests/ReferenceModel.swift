// ReferenceModel: an independent Float64 forward pass written straight from the cell equations
// with plain loops (no BLAS, no shared code with the library's kernels except the parameter
// layout names and the seeded generator for dropout masks). Used to check the library's forward
// values and, by finite differences in Float64, its hand-written backward passes.
import Foundation
import SeqCast

struct ReferenceModel {
    let config: ModelConfig
    let layout: ParameterLayout

    private func tensor(_ p: [Double], _ name: String) -> ArraySlice<Double>? {
        guard let e = layout.entry(name) else { return nil }
        return p[e.offset..<(e.offset + e.count)]
    }

    private static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// Layer norm of v (no shift): (v − mean) / √(var + 1e-5) ⊙ gain.
    private static func layerNorm(_ v: [Double], _ gain: ArraySlice<Double>) -> [Double] {
        let n = Double(v.count)
        let mean = v.reduce(0, +) / n
        let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n
        let rstd = 1 / (variance + 1e-5).squareRoot()
        return v.indices.map { (v[$0] - mean) * rstd * gain[gain.startIndex + $0] }
    }

    /// Forward over x time-major [T, B, D]; returns predictions in the library's layout.
    func forward(params p: [Double], x: [Double], batch B: Int, training: Bool, dropoutSeed: UInt64) -> [Double] {
        let c = config, T = c.lookback, H = c.hidden, G = c.cell.gates * H
        var rng = SeededRandom(seed: dropoutSeed)
        var input: [[[Double]]] = (0..<T).map { t in (0..<B).map { b in
            Array(x[((t * B + b) * c.inputDim)..<((t * B + b + 1) * c.inputDim)]) } }
        for l in 0..<c.layers {
            let name = "layer\(l)", D = input[0][0].count
            let wx = tensor(p, "\(name).Wx")!, wh = tensor(p, "\(name).Wh")!, bx = tensor(p, "\(name).bx")!
            let bh = tensor(p, "\(name).bh"), gx = tensor(p, "\(name).ln_x.gain"), gh = tensor(p, "\(name).ln_h.gain")
            let gc = tensor(p, "\(name).ln_c.gain"), bc = tensor(p, "\(name).ln_c.bias")
            var mask = [Double](repeating: 1, count: B * H)
            if training && c.recurrentDropout > 0 {
                let keep = 1 - c.recurrentDropout
                for i in 0..<(B * H) { mask[i] = rng.uniform() < keep ? Double(1 / keep) : 0 }
            }
            var h = [[Double]](repeating: [Double](repeating: 0, count: H), count: B)
            var cs = h
            var out = [[[Double]]]()
            for t in 0..<T {
                var hNew = h
                for b in 0..<B {
                    var xp = [Double](repeating: 0, count: G), rp = xp
                    for j in 0..<G {
                        for d in 0..<D { xp[j] += input[t][b][d] * wx[wx.startIndex + d * G + j] }
                        for k in 0..<H { rp[j] += h[b][k] * mask[b * H + k] * wh[wh.startIndex + k * G + j] }
                    }
                    if let gx { xp = Self.layerNorm(xp, gx) }
                    if let gh { rp = Self.layerNorm(rp, gh) }
                    for j in 0..<G { xp[j] += bx[bx.startIndex + j]; if let bh { rp[j] += bh[bh.startIndex + j] } }
                    switch c.cell {
                    case .rnn:
                        for j in 0..<H { hNew[b][j] = tanh(xp[j] + rp[j]) }
                    case .lstm:
                        var cNew = [Double](repeating: 0, count: H)
                        var o = cNew
                        for j in 0..<H {
                            let i = Self.sigmoid(xp[j] + rp[j]), f = Self.sigmoid(xp[H + j] + rp[H + j])
                            let g = tanh(xp[2 * H + j] + rp[2 * H + j])
                            o[j] = Self.sigmoid(xp[3 * H + j] + rp[3 * H + j])
                            cNew[j] = f * cs[b][j] + i * g
                        }
                        var cn = cNew
                        if let gc, let bc { cn = Self.layerNorm(cNew, gc); for j in 0..<H { cn[j] += bc[bc.startIndex + j] } }
                        for j in 0..<H { hNew[b][j] = o[j] * tanh(cn[j]) }
                        cs[b] = cNew
                    case .gru:
                        for j in 0..<H {
                            let z = Self.sigmoid(xp[j] + rp[j]), r = Self.sigmoid(xp[H + j] + rp[H + j])
                            let n = tanh(xp[2 * H + j] + r * rp[2 * H + j])
                            hNew[b][j] = z * h[b][j] + (1 - z) * n
                        }
                    }
                }
                h = hNew
                out.append(h)
            }
            if l < c.layers - 1 && training && c.dropout > 0 {
                let keep = 1 - c.dropout
                for t in 0..<T { for b in 0..<B { for j in 0..<H {
                    out[t][b][j] *= rng.uniform() < keep ? Double(1 / keep) : 0
                } } }
            }
            input = out
        }
        let w = tensor(p, "dense.W")!, bias = tensor(p, "dense.b")!, K = c.outputWidth
        let rows: [[Double]] = c.head == .seq2vec ? input[T - 1] : input.flatMap { $0 }
        return rows.flatMap { hRow in
            (0..<K).map { k in bias[bias.startIndex + k] + (0..<H).reduce(0.0) { $0 + hRow[$1] * w[w.startIndex + $1 * K + k] } }
        }
    }
}
