// PackedGEMM: the per-step recurrent products C[m, n] (+)= A[m, k] · B with B a weight matrix packed
// once per batch and reused over all T steps, by an 8×32 SIMD register-tile kernel.
//
// Why not OpenBLAS here: each per-step product has a small m (the shard's batch rows) and the
// same B at every step, but `cblas_sgemm` re-packs B on every call. Measured single-core on this
// project's machine (BENCHMARKS.md): 64×1024×256 runs at 81 GFLOP/s in OpenBLAS and 113 here;
// 64×256×1024 (Bᵀ) at 71 vs 115. For large m (the batched products over all steps) OpenBLAS's
// cache blocking wins (8192×1024×256: 99 vs 81), so those stay on BLAS.gemm.
//
// Each element of C is one FMA chain over k in ascending order, independent of m, of the thread
// and of the tile it falls in, so results do not depend on sharding or thread count.

/// B [k, n] packed into column panels of 32: panel p holds columns 32p..<32p+32 of rows 0..<k,
/// one 32-float row after another (zero past column n), so the kernel streams it linearly.
public final class PackedMatrix: @unchecked Sendable {
    public static let panelWidth = 32
    public let k: Int, n: Int
    let panels: Int
    private let storage: FloatBuffer

    public init(k: Int, n: Int) {
        self.k = k; self.n = n
        panels = (n + Self.panelWidth - 1) / Self.panelWidth
        storage = FloatBuffer(count: max(1, panels * k * Self.panelWidth))
    }

    var pointer: UnsafePointer<Float> { UnsafePointer(storage.p) }

    /// Packs B = src (row-major [k, n], row length `ld`), or B = srcᵀ when `transposed`
    /// (src row-major [n, k], row length `ld`).
    public func pack(_ src: UnsafePointer<Float>, ld: Int, transposed: Bool) {
        let w = Self.panelWidth, out = storage.p
        for p in 0..<panels {
            let panel = out + p * k * w, c0 = p * w, width = min(w, n - c0)
            if width < w { panel.update(repeating: 0, count: k * w) }
            if transposed {
                for j in 0..<width {
                    let row = src + (c0 + j) * ld
                    for kk in 0..<k { panel[kk * w + j] = row[kk] }
                }
            } else {
                for kk in 0..<k { (panel + kk * w).update(from: src + kk * ld + c0, count: width) }
            }
        }
    }
}

public enum PackedGEMM {
    typealias V = SIMD16<Float>

    /// C[m, n] = A[m, k] · B, or C += A · B when `accumulate`. A and C are row-major with row
    /// lengths `lda` and `ldc`; B is packed.
    public static func multiply(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        let w = PackedMatrix.panelWidth, k = b.k
        if m == 0 || b.n == 0 { return }
        if k == 0 {
            if !accumulate { for r in 0..<m { (c + r * ldc).update(repeating: 0, count: b.n) } }
            return
        }
        for p in 0..<b.panels {
            let panel = b.pointer + p * k * w, cols = min(w, b.n - p * w)
            var i = 0
            while i < m {
                let rows = min(8, m - i)
                tile(a: a + i * lda, lda: lda, rows: rows, panel: panel, k: k,
                     c: c + i * ldc + p * w, ldc: ldc, cols: cols, accumulate: accumulate)
                i += 8
            }
        }
    }

    /// One 8×32 tile of C from 8 rows of A (rows past `rows` repeat the last row; their results
    /// are dropped) and one packed panel; only `cols` columns are stored.
    @inline(__always)
    private static func tile(a: UnsafePointer<Float>, lda: Int, rows: Int, panel: UnsafePointer<Float>, k: Int,
                             c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int, accumulate: Bool) {
        @inline(__always) func row(_ r: Int) -> UnsafePointer<Float> { a + min(r, rows - 1) * lda }
        let a0 = row(0), a1 = row(1), a2 = row(2), a3 = row(3), a4 = row(4), a5 = row(5), a6 = row(6), a7 = row(7)
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        var bp = panel
        for kk in 0..<k {
            let b0 = load(bp), b1 = load(bp + 16)
            bp += 32
            var x = V(repeating: a0[kk]); c00 = c00.addingProduct(x, b0); c01 = c01.addingProduct(x, b1)
            x = V(repeating: a1[kk]); c10 = c10.addingProduct(x, b0); c11 = c11.addingProduct(x, b1)
            x = V(repeating: a2[kk]); c20 = c20.addingProduct(x, b0); c21 = c21.addingProduct(x, b1)
            x = V(repeating: a3[kk]); c30 = c30.addingProduct(x, b0); c31 = c31.addingProduct(x, b1)
            x = V(repeating: a4[kk]); c40 = c40.addingProduct(x, b0); c41 = c41.addingProduct(x, b1)
            x = V(repeating: a5[kk]); c50 = c50.addingProduct(x, b0); c51 = c51.addingProduct(x, b1)
            x = V(repeating: a6[kk]); c60 = c60.addingProduct(x, b0); c61 = c61.addingProduct(x, b1)
            x = V(repeating: a7[kk]); c70 = c70.addingProduct(x, b0); c71 = c71.addingProduct(x, b1)
        }
        store(c00, c01, to: c, cols: cols, accumulate: accumulate)
        if rows > 1 { store(c10, c11, to: c + ldc, cols: cols, accumulate: accumulate) }
        if rows > 2 { store(c20, c21, to: c + 2 * ldc, cols: cols, accumulate: accumulate) }
        if rows > 3 { store(c30, c31, to: c + 3 * ldc, cols: cols, accumulate: accumulate) }
        if rows > 4 { store(c40, c41, to: c + 4 * ldc, cols: cols, accumulate: accumulate) }
        if rows > 5 { store(c50, c51, to: c + 5 * ldc, cols: cols, accumulate: accumulate) }
        if rows > 6 { store(c60, c61, to: c + 6 * ldc, cols: cols, accumulate: accumulate) }
        if rows > 7 { store(c70, c71, to: c + 7 * ldc, cols: cols, accumulate: accumulate) }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    /// Stores (or adds) one 32-wide row of a tile, the first `cols` values only.
    @inline(__always)
    private static func store(_ v0: V, _ v1: V, to p: UnsafeMutablePointer<Float>, cols: Int, accumulate: Bool) {
        if cols == 32 {
            let raw = UnsafeMutableRawPointer(p)
            if accumulate {
                raw.storeBytes(of: load(p) + v0, as: V.self)
                raw.storeBytes(of: load(p + 16) + v1, toByteOffset: 64, as: V.self)
            } else {
                raw.storeBytes(of: v0, as: V.self)
                raw.storeBytes(of: v1, toByteOffset: 64, as: V.self)
            }
            return
        }
        for j in 0..<cols {
            let v = j < 16 ? v0[j] : v1[j - 16]
            p[j] = accumulate ? p[j] + v : v
        }
    }
}
