// ReferenceModel: an independent Float64 forward pass written straight from the cell equations
// with plain loops (no BLAS, no shared code with the library's kernels except the parameter
// layout names and the seeded generator for dropout masks and teacher-forcing decisions). Used to
// check the library's forward values and, by finite differences in Float64, its hand-written
// backward passes. Covers bidirectional encoders and the encoder–decoder (hand-over, bridge,
// teacher forcing, free-running feedback, state-only input).
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

    typealias Rows = [[Double]]   // [B][width]

    /// One step of layer `name` (cell `cell`, H units) for every row: returns (h_t, c_t).
    private func step(_ p: [Double], _ name: String, _ cell: CellKind, _ H: Int, x: Rows, h: Rows, c: Rows,
                      mask: [Double]) -> (Rows, Rows) {
        let G = cell.gates * H, D = x[0].count
        let wx = tensor(p, "\(name).Wx")!, wh = tensor(p, "\(name).Wh")!, bx = tensor(p, "\(name).bx")!
        let bh = tensor(p, "\(name).bh"), gx = tensor(p, "\(name).ln_x.gain"), gh = tensor(p, "\(name).ln_h.gain")
        let gc = tensor(p, "\(name).ln_c.gain"), bc = tensor(p, "\(name).ln_c.bias")
        var hNew = h, cNew = c
        for b in 0..<x.count {
            var xp = [Double](repeating: 0, count: G), rp = xp
            for j in 0..<G {
                for d in 0..<D { xp[j] += x[b][d] * wx[wx.startIndex + d * G + j] }
                for k in 0..<H { rp[j] += h[b][k] * mask[b * H + k] * wh[wh.startIndex + k * G + j] }
            }
            if let gx { xp = Self.layerNorm(xp, gx) }
            if let gh { rp = Self.layerNorm(rp, gh) }
            for j in 0..<G { xp[j] += bx[bx.startIndex + j]; if let bh { rp[j] += bh[bh.startIndex + j] } }
            switch cell {
            case .rnn:
                for j in 0..<H { hNew[b][j] = tanh(xp[j] + rp[j]) }
            case .lstm:
                var cs = [Double](repeating: 0, count: H)
                var o = cs
                for j in 0..<H {
                    let i = Self.sigmoid(xp[j] + rp[j]), f = Self.sigmoid(xp[H + j] + rp[H + j])
                    let g = tanh(xp[2 * H + j] + rp[2 * H + j])
                    o[j] = Self.sigmoid(xp[3 * H + j] + rp[3 * H + j])
                    cs[j] = f * c[b][j] + i * g
                }
                var cn = cs
                if let gc, let bc { cn = Self.layerNorm(cs, gc); for j in 0..<H { cn[j] += bc[bc.startIndex + j] } }
                for j in 0..<H { hNew[b][j] = o[j] * tanh(cn[j]) }
                cNew[b] = cs
            case .gru:
                for j in 0..<H {
                    let z = Self.sigmoid(xp[j] + rp[j]), r = Self.sigmoid(xp[H + j] + rp[H + j])
                    let n = tanh(xp[2 * H + j] + r * rp[2 * H + j])
                    hNew[b][j] = z * h[b][j] + (1 - z) * n
                }
            }
        }
        return (hNew, cNew)
    }

    private func dense(_ p: [Double], _ name: String, _ h: Rows, outputs K: Int) -> Rows {
        let w = tensor(p, "\(name).W")!, bias = tensor(p, "\(name).b")!
        return h.map { hRow in
            (0..<K).map { k in bias[bias.startIndex + k] + hRow.indices.reduce(0.0) { $0 + hRow[$1] * w[w.startIndex + $1 * K + k] } }
        }
    }

    private func merge(_ f: Rows, _ r: Rows) -> Rows {
        config.merge == .concat ? zip(f, r).map { $0 + $1 } : zip(f, r).map { a, b in zip(a, b).map(+) }
    }

    /// Forward over x time-major [T, B, D]; returns predictions in the library's layout. `teacher`
    /// [B, K·O]: the encoder–decoder's teacher-forcing targets (fed with probability
    /// `teacherForcing`, decided per sample and step from `samplingSeed`).
    func forward(params p: [Double], x: [Double], batch B: Int, training: Bool, dropoutSeed: UInt64,
                 teacher: [Double]? = nil, teacherForcing: Float = 1, samplingSeed: UInt64 = 0) -> [Double] {
        let c = config, T = c.lookback, H = c.hidden
        var rng = SeededRandom(seed: dropoutSeed)
        func recurrentMask(_ H: Int) -> [Double] {
            var mask = [Double](repeating: 1, count: B * H)
            if training && c.recurrentDropout > 0 {
                let keep = 1 - c.recurrentDropout
                for i in 0..<(B * H) { mask[i] = rng.uniform() < keep ? Double(1 / keep) : 0 }
            }
            return mask
        }
        func zeros(_ n: Int) -> Rows { Rows(repeating: [Double](repeating: 0, count: n), count: B) }
        /// Runs layer `name` over `seq` [T][B][D] from zero state; returns its outputs and final (h, c).
        func run(_ name: String, _ seq: [Rows]) -> ([Rows], Rows, Rows) {
            let mask = recurrentMask(H)
            var h = zeros(H), cs = zeros(H), out: [Rows] = []
            for xt in seq { (h, cs) = step(p, name, c.cell, H, x: xt, h: h, c: cs, mask: mask); out.append(h) }
            return (out, h, cs)
        }
        var input: [Rows] = (0..<T).map { t in (0..<B).map { b in
            Array(x[((t * B + b) * c.inputDim)..<((t * B + b + 1) * c.inputDim)]) } }
        var finalH: [Rows] = [], finalC: [Rows] = []
        for l in 0..<c.layers {
            var (out, hf, cf) = run("layer\(l)", input)
            if c.bidirectional {
                let (outR, hr, cr) = run("layer\(l).reverse", input.reversed())
                out = (0..<T).map { t in merge(out[t], outR[T - 1 - t]) }
                hf = merge(hf, hr); cf = merge(cf, cr)
            }
            finalH.append(hf); finalC.append(cf)
            if l < c.layers - 1 && training && c.dropout > 0 {
                let keep = 1 - c.dropout
                for t in 0..<T { for b in 0..<B { for j in out[t][b].indices {
                    out[t][b][j] *= rng.uniform() < keep ? Double(1 / keep) : 0
                } } }
            }
            input = out
        }
        switch c.head {
        case .seq2vec: return dense(p, "dense", finalH[c.layers - 1], outputs: c.outputWidth).flatMap { $0 }
        case .seq2seq: return input.flatMap { dense(p, "dense", $0, outputs: c.outputWidth).flatMap { $0 } }
        case .encoderDecoder: break
        }
        // Decoder.
        let K = c.horizon, O = c.outputDim, Hd = c.decoderHiddenSize, Ld = c.decoderLayerCount
        let dcell = c.decoderCellKind, Le = c.layers
        let masks = (0..<Ld).map { _ in recurrentMask(Hd) }
        var drop: [[Double]] = []
        if training && c.dropout > 0 {
            let keep = 1 - c.dropout
            drop = (0..<(Ld - 1)).map { _ in (0..<(K * B * Hd)).map { _ in rng.uniform() < keep ? Double(1 / keep) : 0 } }
        }
        var h: [Rows] = [], cs: [Rows] = []
        let bridged = Hd != c.encoderWidth
        for l in 0..<Ld {
            let src = Ld == Le ? l : Le - 1
            h.append(bridged ? dense(p, "bridge\(l).h", finalH[src], outputs: Hd) : finalH[src])
            if dcell == .lstm && c.cell == .lstm {
                cs.append(bridged ? dense(p, "bridge\(l).c", finalC[src], outputs: Hd) : finalC[src])
            } else {
                cs.append(zeros(Hd))
            }
        }
        var y = zeros(K * O)
        for k in 0..<K {
            var u: Rows
            switch c.decoderInput {
            case .stateOnly: u = finalH[Le - 1]
            case .previous:
                u = (0..<B).map { b in
                    if k == 0 { return (0..<O).map { o in o < c.inputDim ? x[((T - 1) * B + b) * c.inputDim + o] : 0 } }
                    var forced = false
                    if teacher != nil && teacherForcing > 0 {
                        if teacherForcing >= 1 { forced = true } else {
                            var r = SeededRandom.derived(samplingSeed, UInt64(b), UInt64(k))
                            forced = r.uniform() < teacherForcing
                        }
                    }
                    return (0..<O).map { o in forced ? teacher![b * K * O + (k - 1) * O + o] : y[b][(k - 1) * O + o] }
                }
            }
            for l in 0..<Ld {
                (h[l], cs[l]) = step(p, "decoder\(l)", dcell, Hd, x: u, h: h[l], c: cs[l], mask: masks[l])
                u = h[l]
                if l < Ld - 1 && !drop.isEmpty {
                    for b in 0..<B { for j in 0..<Hd { u[b][j] *= drop[l][(k * B + b) * Hd + j] } }
                }
            }
            let out = dense(p, "dense", h[Ld - 1], outputs: O)
            for b in 0..<B { for o in 0..<O { y[b][k * O + o] = out[b][o] } }
        }
        return y.flatMap { $0 }
    }
}
