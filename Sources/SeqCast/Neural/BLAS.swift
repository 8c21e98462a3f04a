// BLAS: the only file that imports CBLAS. Row-major single-precision GEMM and thread control.
import CBLAS

public enum BLAS {
    /// C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C, all row-major.
    /// `transA`/`transB` select op(X) = Xᵀ; `lda`, `ldb`, `ldc` are the stored row lengths.
    @inline(__always)
    public static func gemm(transA: Bool = false, transB: Bool = false,
                            m: Int, n: Int, k: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // op(A)·op(B) is empty: C = beta·C.
            for r in 0..<m { let row = c + r * ldc; for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Threads OpenBLAS may use per call. Set to 1 while Dispatch workers each run their own GEMMs,
    /// because idle OpenBLAS threads busy-spin and would steal the other core.
    public static func setThreads(_ n: Int) { seqcast_blas_set_threads(Int32(max(1, n))) }
    public static var threads: Int { Int(seqcast_blas_get_threads()) }
}
