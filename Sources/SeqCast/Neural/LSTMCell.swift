// LSTMCell: the LSTM gate math for one time step, forward and backward side by side
// (Hochreiter & Schmidhuber 1997, forget gate of Gers et al. 2000).
//
// Gate order in the fused [., 4H] projections: i (input), f (forget), g (candidate), o (output) —
// the same order as PyTorch's nn.LSTM.
//   i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o),   a = xa + ra
//   c_t = f ⊙ c_{t-1} + i ⊙ g
//   h_t = o ⊙ tanh(ĉ_t),  ĉ_t = LN(c_t) ⊙ γc + bc with layer norm, else c_t
// The un-normalised c_t is carried to the next step.

extension RecurrentLayer {
    /// One LSTM step over b rows at step s. `cache.pre` holds xa (plus the recurrent product when
    /// `ra` is nil) and is overwritten with the activated gates.
    @inline(__always)
    func lstmForwardStep(w: UnsafeMutablePointer<Float>, s: Int, b: Int, ra: FloatPtr?, cache: RecurrentCache) {
        let H = hidden, G = 4 * H, BH = b * H
        let preS = cache.pre.p + s * b * G
        let cS = cache.c!.p + s * BH, ctS = cache.ct!.p + s * BH, hS = cache.h.p + s * BH
        let cPrev: FloatPtr? = s == 0 ? nil : cache.c!.p + (s - 1) * BH
        for i in 0..<b {
            let row = preS + i * G
            if let ra { let r = ra + i * G; for j in 0..<G { row[j] += r[j] } }
            sigmoidInPlace(row, 2 * H)
            tanhInPlace(row + 2 * H, H)
            sigmoidInPlace(row + 3 * H, H)
            let gi = row, gf = row + H, gg = row + 2 * H, go = row + 3 * H
            let c = cS + i * H, ct = ctS + i * H, h = hS + i * H
            if let cPrev {
                let cp = cPrev + i * H
                for j in 0..<H { c[j] = gf[j] * cp[j] + gi[j] * gg[j] }
            } else {
                for j in 0..<H { c[j] = gi[j] * gg[j] }
            }
            if layerNorm {
                LayerNorm.forward(x: c, xhat: cache.chat!.p + s * BH + i * H, rstd: cache.crstd!.p + s * b + i,
                                  y: ct, gamma: w + gc!, bias: w + bc!, rows: 1, n: H)
                tanhInPlace(ct, H)
            } else {
                for j in 0..<H { ct[j] = fastTanh(c[j]) }
            }
            for j in 0..<H { h[j] = go[j] * ct[j] }
        }
    }

    /// Backward of one LSTM step. In: `dh` [B, H] = ∂L/∂h_t, `cache.dc` = ∂L/∂c_t from step t+1.
    /// Out: `dpre` [B, 4H] = ∂L/∂a_t, `cache.dc` = ∂L/∂c_{t-1}; LN_c gradients into `g`.
    @inline(__always)
    func lstmBackwardStep(w: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, s: Int, b: Int,
                          cache: RecurrentCache, dh dhS: FloatPtr, dpre: FloatPtr) {
        let H = hidden, G = 4 * H, BH = b * H
        let gatesS = cache.pre.p + s * b * G, ctS = cache.ct!.p + s * BH
        let cPrev: FloatPtr? = s == 0 ? nil : cache.c!.p + (s - 1) * BH
        for i in 0..<b {
            let row = gatesS + i * G
            let gi = row, gf = row + H, gg = row + 2 * H, go = row + 3 * H
            let ct = ctS + i * H, dh = dhS + i * H
            let dct = cache.dcTmp.p + i * H, dc = cache.dc.p + i * H
            let d = dpre + i * G
            let di = d, df = d + H, dg = d + 2 * H, dO = d + 3 * H
            for j in 0..<H {
                dct[j] = dh[j] * go[j] * (1 - ct[j] * ct[j])
                dO[j] = dh[j] * ct[j] * go[j] * (1 - go[j])
            }
            if layerNorm {
                let dbc = g + bc!
                for j in 0..<H { dbc[j] += dct[j] }
                LayerNorm.backward(dy: dct, xhat: cache.chat!.p + s * BH + i * H, rstd: cache.crstd!.p + s * b + i,
                                   gamma: w + gc!, dgamma: g + gc!, rows: 1, n: H)
            }
            if let cPrev {
                let cp = cPrev + i * H
                for j in 0..<H {
                    let dcTot = dct[j] + dc[j]
                    di[j] = dcTot * gg[j] * gi[j] * (1 - gi[j])
                    df[j] = dcTot * cp[j] * gf[j] * (1 - gf[j])
                    dg[j] = dcTot * gi[j] * (1 - gg[j] * gg[j])
                    dc[j] = dcTot * gf[j]
                }
            } else {
                for j in 0..<H {
                    let dcTot = dct[j] + dc[j]
                    di[j] = dcTot * gg[j] * gi[j] * (1 - gi[j])
                    df[j] = 0
                    dg[j] = dcTot * gi[j] * (1 - gg[j] * gg[j])
                    dc[j] = 0
                }
            }
        }
    }
}
