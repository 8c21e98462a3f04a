// Dense: the output layer y = h·W + b, forward and backward side by side.
// Shapes: h [R, H] → y [R, K·O], with R = B (seq2vec) or T·B (seq2seq).

struct DenseLayer: Sendable {
    let inputs: Int, outputs: Int
    let w: Int, b: Int   // offsets of W [H, K·O] and b [K·O]

    init(inputs: Int, outputs: Int, layout: inout ParameterLayout) {
        self.inputs = inputs; self.outputs = outputs
        w = layout.add("dense.W", [inputs, outputs])
        b = layout.add("dense.b", [outputs])
    }

    /// y [R, O] = h [R, I] · W + b.
    func forward(params p: UnsafePointer<Float>, h: UnsafePointer<Float>, rows: Int, y: FloatPtr) {
        BLAS.gemm(m: rows, n: outputs, k: inputs, a: h, lda: inputs, b: p + w, ldb: outputs, beta: 0, c: y, ldc: outputs)
        let bias = p + b
        for r in 0..<rows { let row = y + r * outputs; for j in 0..<outputs { row[j] += bias[j] } }
    }

    /// dW += hᵀ·dy, db += Σ dy, dh = dy·Wᵀ.
    func backward(params p: UnsafePointer<Float>, grads g: FloatPtr, h: UnsafePointer<Float>,
                  dy: UnsafePointer<Float>, rows: Int, dh: FloatPtr) {
        BLAS.gemm(transA: true, m: inputs, n: outputs, k: rows, a: h, lda: inputs, b: dy, ldb: outputs,
                  beta: 1, c: g + w, ldc: outputs)
        colSum(dy, rows: rows, n: outputs, into: g + b)
        BLAS.gemm(transB: true, m: rows, n: inputs, k: outputs, a: dy, lda: outputs, b: p + w, ldb: outputs,
                  beta: 0, c: dh, ldc: inputs)
    }
}
