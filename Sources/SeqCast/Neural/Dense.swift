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
            // One decoder step's few outputs: plain loops (a BLAS call costs more than the products).
            let gw = g + w, gb = g + b, wp = p + w
            for r in 0..<rows {
                let dyr = dy + r * ld, hr = h + r * inputs, dhr = dh + r * inputs
                for j in 0..<outputs { gb[j] += dyr[j] }
                for i in 0..<inputs {
                    let wi = wp + i * outputs, gwi = gw + i * outputs, hv = hr[i]
                    var acc: Float = 0
                    for j in 0..<outputs { gwi[j] += hv * dyr[j]; acc += dyr[j] * wi[j] }
                    dhr[i] = accumulate ? dhr[i] + acc : acc
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
            let wp = p + w, bias = p + b
            for r in 0..<rows {
                let yr = y + r * ldy, hr = h + r * inputs
                for j in 0..<outputs { yr[j] = bias[j] }
                for i in 0..<inputs { let wi = wp + i * outputs, hv = hr[i]; for j in 0..<outputs { yr[j] += hv * wi[j] } }
            }
            return
        }
        BLAS.gemm(m: rows, n: outputs, k: inputs, a: h, lda: inputs, b: p + w, ldb: outputs, beta: 0, c: y, ldc: ldy)
        let bias = p + b
        for r in 0..<rows { let row = y + r * ldy; for j in 0..<outputs { row[j] += bias[j] } }
    }
}
