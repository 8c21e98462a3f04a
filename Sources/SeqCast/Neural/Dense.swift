// Dense: the output layer y = h·W + b, forward and backward side by side.
// Shapes: h [R, H] → y [R, K·O], with R = B (seq2vec) or T·B (seq2seq).

struct DenseLayer: Sendable {
    let inputs: Int, outputs: Int
    let w: Int, b: Int   // offsets of W [H, K·O] and b [K·O]

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
        BLAS.gemm(transA: true, m: inputs, n: outputs, k: rows, a: h, lda: inputs, b: dy, ldb: ld,
                  beta: 1, c: g + w, ldc: outputs)
        if ld == outputs { colSum(dy, rows: rows, n: outputs, into: g + b) }
        else { let gb = g + b; for r in 0..<rows { let row = dy + r * ld; for j in 0..<outputs { gb[j] += row[j] } } }
        BLAS.gemm(transB: true, m: rows, n: inputs, k: outputs, a: dy, lda: ld, b: p + w, ldb: outputs,
                  beta: accumulate ? 1 : 0, c: dh, ldc: inputs)
    }

    /// y [R, ldy] (first `outputs` columns) = h [R, I] · W + b.
    func forward(params p: UnsafePointer<Float>, h: UnsafePointer<Float>, rows: Int, y: FloatPtr, ldy: Int) {
        BLAS.gemm(m: rows, n: outputs, k: inputs, a: h, lda: inputs, b: p + w, ldb: outputs, beta: 0, c: y, ldc: ldy)
        let bias = p + b
        for r in 0..<rows { let row = y + r * ldy; for j in 0..<outputs { row[j] += bias[j] } }
    }
}
