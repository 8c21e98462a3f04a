// Dense: the output layer y = h·W + b, forward and backward side by side.
// Shapes: h [R, H] → y [R, K·O], with R = B (seq2vec) or T·B (seq2seq).

struct DenseLayer: Sendable {
    let inputs: Int, outputs: Int
    let w: Int, b: Int   // offsets of W [H, K·O] and b [K·O]
    /// Below this many outputs, a decoder step's head runs as plain loops.
    static let narrowOutput = 8

    init(inputs: Int, outputs: Int, name: String = "dense", layout: inout ParameterLayout) {
        self.inputs = inputs; self.outputs = outputs
        w = layout.add("\(name).W", [inputs, outputs])
        b = layout.add("\(name).b", [outputs])
    }

    /// y [R, O] = h [R, I] · W + b.
    func forward(params p: UnsafePointer<Float>, h: UnsafePointer<Float>, rows: Int, y: FloatPtr) {
        BLAS.gemm(m: rows, n: outputs, k: inputs, a: h, lda: inputs, b: p + w, ldb: outputs, beta: 0, c: y, ldc: outputs)
        let bias = p + b
        for r in 0..<rows { let row = y + r * outputs; for j in 0..<outputs { row[j] += bias[j] } }
    }

    /// dW += hᵀ·dy, db += Σ dy, dh = dy·Wᵀ (dh += with `accumulate`). `ldy`: the row stride of y
    /// and dy (default `outputs`; K·O for one step of a decoder's [B, K·O] output).
    func backward(params p: UnsafePointer<Float>, grads g: FloatPtr, h: UnsafePointer<Float>,
                  dy: UnsafePointer<Float>, rows: Int, dh: FloatPtr, ldy: Int? = nil, accumulate: Bool = false) {
        let ld = ldy ?? outputs
        if ldy != nil && outputs < Self.narrowOutput {
            // One decoder step's few outputs: plain loops (a BLAS call costs more than the products),
            // vectorised over the inputs, sums in registers.
            let gw = g + w, gb = g + b, wp = p + w, n = inputs, O = outputs
            for r in 0..<rows {
                let dyr = dy + r * ld, hr = h + r * n, dhr = dh + r * n
                if !accumulate { dhr.update(repeating: 0, count: n) }
                for j in 0..<O {
                    let d = dyr[j]
                    gb[j] += d
                    if O == 1 {
                        for i in 0..<n { gw[i] += hr[i] * d; dhr[i] += d * wp[i] }
                    } else {
                        for i in 0..<n { gw[i * O + j] += hr[i] * d; dhr[i] += d * wp[i * O + j] }
                    }
                }
            }
            return
        }
        BLAS.gemm(transA: true, m: inputs, n: outputs, k: rows, a: h, lda: inputs, b: dy, ldb: ld,
                  beta: 1, c: g + w, ldc: outputs)
        if ld == outputs { colSum(dy, rows: rows, n: outputs, into: g + b) }
        else { let gb = g + b; for r in 0..<rows { let row = dy + r * ld; for j in 0..<outputs { gb[j] += row[j] } } }
        BLAS.gemm(transB: true, m: rows, n: inputs, k: outputs, a: dy, lda: ld, b: p + w, ldb: outputs,
                  beta: accumulate ? 1 : 0, c: dh, ldc: inputs)
    }

    /// y [R, ldy] (first `outputs` columns) = h [R, I] · W + b.
    func forward(params p: UnsafePointer<Float>, h: UnsafePointer<Float>, rows: Int, y: FloatPtr, ldy: Int) {
        if outputs < Self.narrowOutput {
            let wp = p + w, bias = p + b, n = inputs, O = outputs
            for r in 0..<rows {
                let yr = y + r * ldy, hr = h + r * n
                for j in 0..<O {
                    var acc = SIMD16<Float>(repeating: 0), i = 0
                    if O == 1 { while i + 16 <= n { acc += load16(hr, i) * load16(wp, i); i += 16 } }
                    var sum = bias[j] + hsum(acc)
                    while i < n { sum += hr[i] * wp[i * O + j]; i += 1 }
                    yr[j] = sum
                }
            }
            return
        }
        BLAS.gemm(m: rows, n: outputs, k: inputs, a: h, lda: inputs, b: p + w, ldb: outputs, beta: 0, c: y, ldc: ldy)
        let bias = p + b
        for r in 0..<rows { let row = y + r * ldy; for j in 0..<outputs { row[j] += bias[j] } }
    }
}
