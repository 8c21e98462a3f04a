// PackedGEMM: a SIMD register-tile GEMM (8×32 tile with AVX-512, 3×32 with AVX2/FMA),
// C[m, n] (+)= A[m, k] · B, against a B matrix packed into 32-column panels, for the recurrent
// layer's products where OpenBLAS's per-call packing costs most: the per-step products h·Wh and
// ∂ra·Whᵀ (small m, the same Wh at every step: packed once per batch instead of once per
// cblas_sgemm call), and the chunked input projection x·Wx and input gradient ∂pre·Wxᵀ.
// `seqcast bench --kernels` measures it against cblas_sgemm on these shapes (BENCHMARKS.md).
// The weight gradients stay on BLAS (faster there with the right OpenBLAS core), except when OpenBLAS
// runs a fallback core (BLAS.weightGradientsOnPacked; RecurrentLayer.weightGradient).
//
// Each element of C is one FMA chain over k in ascending order that does not depend on m, on the
// tile it falls in or on the thread, so results do not depend on sharding or thread count.
//
// On x86-64 the tiles are the C functions of Sources/CKernels, each compiled for its own
// instruction set, and the tile is chosen at RUN time from cpuid (issue 13): 8×32 when the CPU and
// OS support AVX-512, 3×32 with AVX2 + FMA, a scalar fmaf loop otherwise. So a portable build
// (`make build CPU=`) still runs the AVX-512 tile on an AVX-512 machine. SEQCAST_TILE=3x32 (or
// scalar) forces a smaller tile, e.g. to measure it. Elsewhere (arm64) the Swift SIMD tiles below
// run (8×32 and 4×16). All tiles compute the same bits (tested).
import CKernels
import Foundation

/// B [k, n] packed into column panels of 32: panel p holds columns 32p..<32p+32 of rows 0..<k,
/// one 32-float row after another (zero past column n), so the kernel streams it linearly.
/// The storage is sized once; each `pack` may use a different shape that fits.
public final class PackedMatrix: @unchecked Sendable {
    public static let panelWidth = 32
    public private(set) var k: Int, n: Int
    var panels: Int { (n + Self.panelWidth - 1) / Self.panelWidth }
    private let storage: FloatBuffer

    /// Room for any shape with at most `k` rows and `n` columns.
    public init(k: Int, n: Int) {
        self.k = k; self.n = n
        storage = FloatBuffer(count: max(1, (n + Self.panelWidth - 1) / Self.panelWidth * k * Self.panelWidth))
    }

    var pointer: UnsafePointer<Float> { UnsafePointer(storage.p) }

    /// Packs B = src (row-major [k, n], row length `ld`), or B = srcᵀ when `transposed`
    /// (src row-major [n, k], row length `ld`).
    public func pack(_ src: UnsafePointer<Float>, k: Int, n: Int, ld: Int, transposed: Bool) {
        let w = Self.panelWidth
        precondition((n + w - 1) / w * k * w <= storage.count, "packed matrix too small for [\(k), \(n)]")
        self.k = k; self.n = n
        let out = storage.p
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
    /// The register tiles, widest first.
    public enum Tile: Sendable, CaseIterable {
        case wide, narrow, scalar
        var level: Int32 { switch self { case .wide: 2; case .narrow: 1; case .scalar: 0 } }
        init(level: Int32) { self = level >= 2 ? .wide : level == 1 ? .narrow : .scalar }
        /// Rows × columns of C per register tile, as `bench` prints it and SEQCAST_TILE names it:
        /// the narrow tile is the C kernel's 3×32 on x86-64 and the Swift 4×16 elsewhere.
        public var name: String {
            switch self {
            case .wide: "8x32"
            case .narrow:
                #if arch(x86_64)
                "3x32"
                #else
                "4x16"
                #endif
            case .scalar: "scalar"
            }
        }
    }

    /// The widest tile this CPU runs (cpuid, at run time; see the file header).
    public static let supported: Tile = {
        #if arch(x86_64)
        return Tile(level: seqcast_cpu_level())
        #else
        return .wide
        #endif
    }()

    /// The tile in use: `supported`, or a narrower one named by SEQCAST_TILE.
    public static let preferred: Tile = {
        if let name = ProcessInfo.processInfo.environment["SEQCAST_TILE"], let t = Tile.allCases.first(where: { $0.name == name }),
           t.level <= supported.level { return t }
        return supported
    }()

    /// Rows of A kept in cache while every panel of B streams past them.
    static let rowBlock = 64

    /// C[m, n] = A[m, k] · B, or C += A · B when `accumulate`. A and C are row-major with row
    /// lengths `lda` and `ldc`; B is packed.
    /// A `tile` wider than the CPU runs is replaced by `supported`.
    public static func multiply(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix,
                                c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, tile kind: Tile = preferred) {
        #if arch(x86_64)
        let level = min(kind.level, supported.level)
        seqcast_packed_multiply(level, m, a, lda, b.pointer, b.k, b.n, c, ldc, accumulate ? 1 : 0)
        #else
        swiftMultiply(m: m, a: a, lda: lda, b: b, c: c, ldc: ldc, accumulate: accumulate, tile: kind == .scalar ? .narrow : kind)
        #endif
    }

    /// The Swift SIMD tiles (used off x86-64; on x86-64 only by the tests, which check that they
    /// and the C tiles give the same bits). Their speed depends on the build's target CPU.
    public static func swiftMultiply(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix,
                                     c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, tile kind: Tile) {
        let w = PackedMatrix.panelWidth, k = b.k
        if m == 0 || b.n == 0 { return }
        if k == 0 { if !accumulate { zero(c, rows: m, cols: b.n, ldc: ldc) }; return }
        for i0 in stride(from: 0, to: m, by: rowBlock) {
            let i1 = min(m, i0 + rowBlock)
            for p in 0..<b.panels {
                let panel = b.pointer + p * k * w, cols = min(w, b.n - p * w)
                switch kind {
                case .wide:
                    for i in stride(from: i0, to: i1, by: 8) {
                        tile(a: a + i * lda, lda: lda, rows: min(8, i1 - i), panel: panel, k: k,
                             c: c + i * ldc + p * w, ldc: ldc, cols: cols, accumulate: accumulate)
                    }
                case .narrow, .scalar:
                    for i in stride(from: i0, to: i1, by: 4) {
                        for half in 0..<2 where cols > 16 * half {
                            narrowTile(a: a + i * lda, lda: lda, rows: min(4, i1 - i), panel: panel + 16 * half,
                                       k: k, c: c + i * ldc + p * w + 16 * half, ldc: ldc,
                                       cols: min(16, cols - 16 * half), accumulate: accumulate)
                        }
                    }
                }
            }
        }
    }

    private static func zero(_ c: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ldc: Int) {
        for r in 0..<rows { (c + r * ldc).update(repeating: 0, count: cols) }
    }

    /// One 8×32 tile of C over depth `k` from one packed panel. Rows past `rows` repeat the last
    /// row and their results are dropped; only `cols` columns are stored.
    @inline(__always)
    private static func tile(a: UnsafePointer<Float>, lda: Int, rows: Int, panel: UnsafePointer<Float>, k: Int,
                             c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int, accumulate: Bool) {
        @inline(__always) func row(_ r: Int) -> UnsafePointer<Float> { a + min(r, rows - 1) * lda }
        let a0 = row(0), a1 = row(1), a2 = row(2), a3 = row(3), a4 = row(4), a5 = row(5), a6 = row(6), a7 = row(7)
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        var bp = panel
        for d in 0..<k {
            let b0 = load(bp), b1 = load(bp + 16)
            bp += 32
            var x = V(repeating: a0[d]); c00 = c00.addingProduct(x, b0); c01 = c01.addingProduct(x, b1)
            x = V(repeating: a1[d]); c10 = c10.addingProduct(x, b0); c11 = c11.addingProduct(x, b1)
            x = V(repeating: a2[d]); c20 = c20.addingProduct(x, b0); c21 = c21.addingProduct(x, b1)
            x = V(repeating: a3[d]); c30 = c30.addingProduct(x, b0); c31 = c31.addingProduct(x, b1)
            x = V(repeating: a4[d]); c40 = c40.addingProduct(x, b0); c41 = c41.addingProduct(x, b1)
            x = V(repeating: a5[d]); c50 = c50.addingProduct(x, b0); c51 = c51.addingProduct(x, b1)
            x = V(repeating: a6[d]); c60 = c60.addingProduct(x, b0); c61 = c61.addingProduct(x, b1)
            x = V(repeating: a7[d]); c70 = c70.addingProduct(x, b0); c71 = c71.addingProduct(x, b1)
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

    /// The 4×16 tile for targets with 16 vector registers (AVX2 and older): 4 accumulators of
    /// SIMD16 fill 8 of them, where the 8×32 tile's 16 would spill. Same FMA order per element.
    @inline(__always)
    private static func narrowTile(a: UnsafePointer<Float>, lda: Int, rows: Int, panel: UnsafePointer<Float>, k: Int,
                                   c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int, accumulate: Bool) {
        @inline(__always) func row(_ r: Int) -> UnsafePointer<Float> { a + min(r, rows - 1) * lda }
        let a0 = row(0), a1 = row(1), a2 = row(2), a3 = row(3)
        var c0 = V(), c1 = V(), c2 = V(), c3 = V()
        var bp = panel
        for d in 0..<k {
            let b0 = load(bp)
            bp += 32
            c0 = c0.addingProduct(V(repeating: a0[d]), b0)
            c1 = c1.addingProduct(V(repeating: a1[d]), b0)
            c2 = c2.addingProduct(V(repeating: a2[d]), b0)
            c3 = c3.addingProduct(V(repeating: a3[d]), b0)
        }
        @inline(__always) func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
            if cols == 16 {
                UnsafeMutableRawPointer(p).storeBytes(of: accumulate ? load(p) + v : v, as: V.self)
            } else {
                for j in 0..<cols { p[j] = accumulate ? p[j] + v[j] : v[j] }
            }
        }
        store(c0, c)
        if rows > 1 { store(c1, c + ldc) }
        if rows > 2 { store(c2, c + 2 * ldc) }
        if rows > 3 { store(c3, c + 3 * ldc) }
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
