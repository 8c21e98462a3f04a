// RNNCell: the simple (Elman) recurrent cell for one time step, forward and backward side by side.
//   h_t = tanh(xa + ra),  xa = LN(x·Wx)γx + b,  ra = LN(h_{t-1}·Wh)γh

extension RecurrentLayer {
    /// One RNN step over b rows at step s; `cache.pre` is overwritten with h_t.
    @inline(__always)
    func rnnForwardStep(s: Int, b: Int, ra: FloatPtr?, cache: RecurrentCache) {
        let H = hidden, n = b * H
        let preS = cache.pre.p + s * n
        if let ra { for j in 0..<n { preS[j] += ra[j] } }
        tanhInPlace(preS, n)
        (cache.h.p + s * n).update(from: preS, count: n)
    }

    /// Backward of one RNN step: dpre = ∂L/∂h_t ⊙ (1 − h_t²).
    @inline(__always)
    func rnnBackwardStep(s: Int, b: Int, cache: RecurrentCache, dh: FloatPtr, dpre: FloatPtr) {
        let n = b * hidden, h = cache.h.p + s * n
        for j in 0..<n { dpre[j] = dh[j] * (1 - h[j] * h[j]) }
    }
}
