// PackedGEMM against a Float64 triple loop, over shapes with row and column tails, both packings,
// and both store modes; and bit-equality of a row's result whatever m and the tile it falls in.
import XCTest
import SeqCast

final class PackedGEMMTests: XCTestCase {
    private func values(_ n: Int, seed: Int) -> [Float] {
        (0..<n).map { i in Float(((i * 7919 + seed * 104729) % 2003)) / 1001.5 - 1 }
    }

    func testMatchesReferenceOnAwkwardShapes() {
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (8, 32, 32), (9, 17, 33), (16, 128, 512), (13, 64, 70), (64, 256, 96), (70, 33, 65)] {
            for transposed in [false, true] {
                for (accumulate, tile) in [(false, PackedGEMM.Tile.wide), (true, .wide), (false, .narrow), (true, .narrow)] {
                    let a = values(m * k, seed: 1), src = values(k * n, seed: 2), c0 = values(m * n, seed: 3)
                    // B[kk, j] from src stored as [k, n] or, transposed, as [n, k].
                    func bAt(_ kk: Int, _ j: Int) -> Double { Double(transposed ? src[j * k + kk] : src[kk * n + j]) }
                    let packed = PackedMatrix(k: k, n: n)
                    src.withUnsafeBufferPointer { packed.pack($0.baseAddress!, k: k, n: n, ld: transposed ? k : n, transposed: transposed) }
                    var c = c0
                    a.withUnsafeBufferPointer { ap in
                        c.withUnsafeMutableBufferPointer { cp in
                            PackedGEMM.multiply(m: m, a: ap.baseAddress!, lda: k, b: packed, c: cp.baseAddress!,
                                                ldc: n, accumulate: accumulate, tile: tile)
                        }
                    }
                    var worst = 0.0
                    for i in 0..<m {
                        for j in 0..<n {
                            var ref = accumulate ? Double(c0[i * n + j]) : 0
                            for kk in 0..<k { ref += Double(a[i * k + kk]) * bAt(kk, j) }
                            worst = max(worst, abs(Double(c[i * n + j]) - ref) / (1 + abs(ref)))
                        }
                    }
                    XCTAssertLessThan(worst, 1e-5, "m \(m) k \(k) n \(n) transposed \(transposed) accumulate \(accumulate) tile \(tile)")
                }
            }
        }
    }

    /// A row's result depends only on that row: the same row computed inside a batch of 13 (a tail
    /// tile) and alone gives identical bits, so shards and thread counts cannot change results.
    func testRowResultIndependentOfBatch() {
        let k = 40, n = 45
        let a = values(13 * k, seed: 4), src = values(k * n, seed: 5)
        let packed = PackedMatrix(k: k, n: n)
        src.withUnsafeBufferPointer { packed.pack($0.baseAddress!, k: k, n: n, ld: n, transposed: false) }
        var all = [Float](repeating: 0, count: 13 * n), one = [Float](repeating: 0, count: n)
        a.withUnsafeBufferPointer { ap in
            all.withUnsafeMutableBufferPointer {
                PackedGEMM.multiply(m: 13, a: ap.baseAddress!, lda: k, b: packed, c: $0.baseAddress!, ldc: n, accumulate: false)
            }
            one.withUnsafeMutableBufferPointer {
                PackedGEMM.multiply(m: 1, a: ap.baseAddress! + 11 * k, lda: k, b: packed, c: $0.baseAddress!, ldc: n, accumulate: false)
            }
        }
        XCTAssertEqual(Array(all[(11 * n)..<(12 * n)]), one)
    }

    /// Every tile runs each element's FMAs in the same order, so the C tiles chosen at run time
    /// (8×32 AVX-512, 3×32 AVX2 in row blocks of 63, scalar; those this CPU lacks fall back to the
    /// widest it has) and the Swift SIMD tiles (8×32, 4×16) compute the same bits, on full tiles and
    /// on row and column tails, storing and accumulating.
    func testTilesGiveIdenticalBits() {
        for (m, k, n) in [(13, 70, 45), (64, 128, 512), (3, 5, 7), (130, 19, 97)] {
            let a = values(m * k, seed: 9), src = values(k * n, seed: 10), c0 = values(m * n, seed: 11)
            let packed = PackedMatrix(k: k, n: n)
            src.withUnsafeBufferPointer { packed.pack($0.baseAddress!, k: k, n: n, ld: n, transposed: false) }
            for accumulate in [false, true] {
                func run(_ tile: PackedGEMM.Tile, swift: Bool) -> [Float] {
                    var c = c0
                    a.withUnsafeBufferPointer { ap in
                        c.withUnsafeMutableBufferPointer {
                            if swift {
                                PackedGEMM.swiftMultiply(m: m, a: ap.baseAddress!, lda: k, b: packed, c: $0.baseAddress!,
                                                         ldc: n, accumulate: accumulate, tile: tile)
                            } else {
                                PackedGEMM.multiply(m: m, a: ap.baseAddress!, lda: k, b: packed, c: $0.baseAddress!,
                                                    ldc: n, accumulate: accumulate, tile: tile)
                            }
                        }
                    }
                    return c
                }
                let reference = run(.wide, swift: false)
                for tile in PackedGEMM.Tile.allCases {
                    XCTAssertEqual(run(tile, swift: false), reference, "C tile \(tile), m \(m) k \(k) n \(n) accumulate \(accumulate)")
                }
                for tile in [PackedGEMM.Tile.wide, .narrow] {
                    XCTAssertEqual(run(tile, swift: true), reference, "Swift tile \(tile), m \(m) k \(k) n \(n) accumulate \(accumulate)")
                }
            }
        }
    }

    /// OpenBLAS core check (issue 13): a fallback core below the CPU's flags is replaced by the core
    /// for those flags; a core that matches (or beats) them is kept.
    func testBetterBLASCore() {
        let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
        let avx2: Set<String> = ["sse3", "avx", "avx2", "fma"]
        XCTAssertEqual(BLAS.betterCoreType(core: "Prescott", flags: avx512), "SKYLAKEX")
        XCTAssertEqual(BLAS.betterCoreType(core: "Haswell", flags: avx512), "SKYLAKEX")
        XCTAssertNil(BLAS.betterCoreType(core: "SkylakeX", flags: avx512))
        XCTAssertNil(BLAS.betterCoreType(core: "Cooperlake", flags: avx512))
        XCTAssertEqual(BLAS.betterCoreType(core: "Prescott", flags: avx2), "HASWELL")
        XCTAssertNil(BLAS.betterCoreType(core: "Zen", flags: avx2))
        XCTAssertNil(BLAS.betterCoreType(core: "Prescott", flags: ["sse3"]))
        XCTAssertNil(BLAS.betterCoreType(core: "Prescott", flags: []))
    }
}
