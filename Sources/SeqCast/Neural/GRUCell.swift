// GRUCell: the GRU gate math for one time step, forward and backward side by side (Cho et al. 2014).
//
// Variant: reset-after (the default of PyTorch's nn.GRU, Keras' GRU and cuDNN): the reset gate
// multiplies the recurrent projection *after* the matrix product, so both products stay fused.
// Gate order in the fused [., 3H] projections: z (update), r (reset), n (candidate).
//   z = σ(xa_z + ra_z)   r = σ(xa_r + ra_r)   n = tanh(xa_n + r ⊙ ra_n)
//   h_t = z ⊙ h_{t-1} + (1 − z) ⊙ n
// where xa = LN(x·Wx)γx + bx and ra = LN(h_{t-1}·Wh)γh + bh (bh is needed: it sits inside r ⊙ ·).

extension RecurrentLayer {
    /// One GRU step over b rows at step s; `cache.pre` holds xa and is overwritten with z, r, n.
    @inline(__always)
    func gruForwardStep(s: Int, b: Int, ra: FloatPtr, hPrev: UnsafePointer<Float>?, cache: RecurrentCache) {
        let H = hidden, G = 3 * H, BH = b * H
        let preS = cache.pre.p + s * b * G, hS = cache.h.p + s * BH
        for i in 0..<b {
            let row = preS + i * G, r = ra + i * G
            for j in 0..<(2 * H) { row[j] += r[j] }
            sigmoidInPlace(row, 2 * H)
            let gz = row, gr = row + H, gn = row + 2 * H, rn = r + 2 * H
            for j in 0..<H { gn[j] += gr[j] * rn[j] }
            tanhInPlace(gn, H)
            let h = hS + i * H
            if let hPrev {
                let hp = hPrev + i * H
                for j in 0..<H { h[j] = gz[j] * hp[j] + (1 - gz[j]) * gn[j] }
            } else {
                for j in 0..<H { h[j] = (1 - gz[j]) * gn[j] }
            }
        }
    }

    /// Backward of one GRU step. In: `dh` = ∂L/∂h_t. Out: `dpre` = ∂L/∂xa_t, `drp` = ∂L/∂ra_t, and
    /// the direct part z ⊙ ∂L/∂h_t of ∂L/∂h_{t-1} added into `dhPrev` (nil at t = 0).
    @inline(__always)
    func gruBackwardStep(s: Int, b: Int, cache: RecurrentCache, dh dhS: FloatPtr, dhPrev: FloatPtr?,
                         dpre: FloatPtr, drp: FloatPtr) {
        let H = hidden, G = 3 * H, BH = b * H
        let gatesS = cache.pre.p + s * b * G, raS = cache.ra!.p + s * b * G
        let hPrev: FloatPtr? = s > 0 ? cache.h.p + (s - 1) * BH : (cache.useInitial ? cache.h0.p : nil)
        for i in 0..<b {
            let row = gatesS + i * G, gz = row, gr = row + H, gn = row + 2 * H
            let rn = raS + i * G + 2 * H
            let dh = dhS + i * H
            let dx = dpre + i * G, dr = drp + i * G
            let dxz = dx, dxr = dx + H, dxn = dx + 2 * H, drz = dr, drr = dr + H, drn = dr + 2 * H
            if let hPrev, let dhPrev {
                let hp = hPrev + i * H, dhp = dhPrev + i * H
                // 16 lanes at a time (the compiler left this many-pointer loop scalar); the same
                // arithmetic element by element as the remainder loop.
                let one = SIMD16<Float>(repeating: 1)
                var j0 = 0
                while j0 + 16 <= H {
                    let vh = load16(dh, j0), vz = load16(gz, j0), vn = load16(gn, j0), vr = load16(gr, j0)
                    let dan = vh * (one - vz) * (one - vn * vn)
                    let daz = vh * (load16(hp, j0) - vn) * vz * (one - vz)
                    let dar = dan * load16(rn, j0) * vr * (one - vr)
                    store16(daz, dxz, j0); store16(daz, drz, j0); store16(dar, dxr, j0); store16(dar, drr, j0)
                    store16(dan, dxn, j0); store16(dan * vr, drn, j0)
                    store16(load16(dhp, j0) + vh * vz, dhp, j0)
                    j0 += 16
                }
                for j in j0..<H {
                    let dan = dh[j] * (1 - gz[j]) * (1 - gn[j] * gn[j])
                    let daz = dh[j] * (hp[j] - gn[j]) * gz[j] * (1 - gz[j])
                    let dar = dan * rn[j] * gr[j] * (1 - gr[j])
                    dxz[j] = daz; drz[j] = daz; dxr[j] = dar; drr[j] = dar
                    dxn[j] = dan; drn[j] = dan * gr[j]
                    dhp[j] += dh[j] * gz[j]
                }
            } else {
                for j in 0..<H {
                    let dan = dh[j] * (1 - gz[j]) * (1 - gn[j] * gn[j])
                    let daz = -dh[j] * gn[j] * gz[j] * (1 - gz[j])
                    let dar = dan * rn[j] * gr[j] * (1 - gr[j])
                    dxz[j] = daz; drz[j] = daz; dxr[j] = dar; drr[j] = dar
                    dxn[j] = dan; drn[j] = dan * gr[j]
                }
            }
        }
    }
}
