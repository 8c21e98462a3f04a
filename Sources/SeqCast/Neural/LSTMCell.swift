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
    /// `ra` is nil) and is overwritten with the activated gates. Without layer norm one sweep over the
    /// rows; with it three: gates and c_t; LN_c (one call over all rows) and tanh; h_t.
    @inline(__always)
    func lstmForwardStep(w: UnsafeMutablePointer<Float>, s: Int, b: Int, ra: FloatPtr?, cache: RecurrentCache) {
        let H = hidden, G = 4 * H, BH = b * H
        let preS = cache.pre.p + s * b * G
        let cS = cache.c!.p + s * BH, ctS = cache.ct!.p + s * BH, hS = cache.h.p + s * BH
        let cPrev: FloatPtr? = s > 0 ? cache.c!.p + (s - 1) * BH : (cache.useInitial ? cache.c0.p : nil)
        // One sweep per row: the gates and c_t, and without layer norm also tanh(c_t) and h_t while
        // the row is in L1; with layer norm those follow LN_c, which needs every row's c_t.
        for i in 0..<b {
            let row = preS + i * G
            if let ra { let r = ra + i * G; for j in 0..<G { row[j] += r[j] } }
            sigmoidInPlace(row, 2 * H)
            tanhInPlace(row + 2 * H, H)
            sigmoidInPlace(row + 3 * H, H)
            let gi = row, gf = row + H, gg = row + 2 * H, go = row + 3 * H
            let c = cS + i * H, ct = ctS + i * H, h = hS + i * H
            let cp: UnsafePointer<Float>? = cPrev.map { UnsafePointer($0 + i * H) }
            switch (cp, layerNorm) {
            case (let cp?, false):
                for j in 0..<H {
                    let cj = gf[j] * cp[j] + gi[j] * gg[j], tj = fastTanh(cj)
                    c[j] = cj; ct[j] = tj; h[j] = go[j] * tj
                }
            case (nil, false):
                for j in 0..<H {
                    let cj = gi[j] * gg[j], tj = fastTanh(cj)
                    c[j] = cj; ct[j] = tj; h[j] = go[j] * tj
                }
            case (let cp?, true): for j in 0..<H { c[j] = gf[j] * cp[j] + gi[j] * gg[j] }
            case (nil, true): for j in 0..<H { c[j] = gi[j] * gg[j] }
            }
        }
        guard layerNorm else { return }
        LayerNorm.forward(x: cS, xhat: cache.chat!.p + s * BH, rstd: cache.crstd!.p + s * b,
                          y: ctS, gamma: w + gc!, bias: w + bc!, rows: b, n: H)
        tanhInPlace(ctS, BH)
        for i in 0..<b {
            let go = preS + i * G + 3 * H, ct = ctS + i * H, h = hS + i * H
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
        let cPrev: FloatPtr? = s > 0 ? cache.c!.p + (s - 1) * BH : (cache.useInitial ? cache.c0.p : nil)
        let dctS = cache.dcTmp.p
        if !layerNorm {
            // One sweep per row, 16 lanes at a time (the same arithmetic as the two sweeps below,
            // element by element; written with SIMD16 because the compiler left this 9-pointer loop scalar).
            let one = SIMD16<Float>(repeating: 1), zero = SIMD16<Float>(repeating: 0)
            let wide = H - H % 16
            for i in 0..<b {
                let row = gatesS + i * G
                let gi = row, gf = row + H, gg = row + 2 * H, go = row + 3 * H
                let ct = ctS + i * H, dh = dhS + i * H, dc = cache.dc.p + i * H
                let d = dpre + i * G
                let di = d, df = d + H, dg = d + 2 * H, dO = d + 3 * H
                let cp: UnsafePointer<Float>? = cPrev.map { UnsafePointer($0 + i * H) }
                var j = 0
                while j < wide {
                    let vh = load16(dh, j), vo = load16(go, j), vt = load16(ct, j)
                    let vi = load16(gi, j), vf = load16(gf, j), vg = load16(gg, j)
                    let dct = vh * vo * (one - vt * vt)
                    store16(vh * vt * vo * (one - vo), dO, j)
                    let dcTot = dct + load16(dc, j)
                    store16(dcTot * vg * vi * (one - vi), di, j)
                    store16(dcTot * vi * (one - vg * vg), dg, j)
                    if let cp {
                        store16(dcTot * load16(cp, j) * vf * (one - vf), df, j)
                        store16(dcTot * vf, dc, j)
                    } else {
                        store16(zero, df, j); store16(zero, dc, j)
                    }
                    j += 16
                }
                while j < H {
                    let dct = dh[j] * go[j] * (1 - ct[j] * ct[j])
                    dO[j] = dh[j] * ct[j] * go[j] * (1 - go[j])
                    let dcTot = dct + dc[j]
                    di[j] = dcTot * gg[j] * gi[j] * (1 - gi[j])
                    dg[j] = dcTot * gi[j] * (1 - gg[j] * gg[j])
                    if let cp {
                        df[j] = dcTot * cp[j] * gf[j] * (1 - gf[j])
                        dc[j] = dcTot * gf[j]
                    } else {
                        df[j] = 0; dc[j] = 0
                    }
                    j += 1
                }
            }
            return
        }
        for i in 0..<b {
            let go = gatesS + i * G + 3 * H, ct = ctS + i * H, dh = dhS + i * H
            let dct = dctS + i * H, dO = dpre + i * G + 3 * H
            for j in 0..<H {
                dct[j] = dh[j] * go[j] * (1 - ct[j] * ct[j])
                dO[j] = dh[j] * ct[j] * go[j] * (1 - go[j])
            }
        }
        colSum(dctS, rows: b, n: H, into: g + bc!)
        LayerNorm.backward(dy: dctS, xhat: cache.chat!.p + s * BH, rstd: cache.crstd!.p + s * b,
                           gamma: w + gc!, dgamma: g + gc!, rows: b, n: H)
        for i in 0..<b {
            let row = gatesS + i * G
            let gi = row, gf = row + H, gg = row + 2 * H
            let dct = dctS + i * H, dc = cache.dc.p + i * H
            let d = dpre + i * G
            let di = d, df = d + H, dg = d + 2 * H
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
