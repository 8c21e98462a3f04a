// PackedGEMM against a Float64 triple loop, over shapes with row and column tails, both packings,
// and both store modes; and bit-equality of a row's result whatever m and the tile it falls in.
import XCTest
import SeqCast

final class PackedGEMMTests: XCTestCase {
    private func values(_ n: Int, seed: Int) -> [Float] {
        (0..<n).map { i in Float(((i * 7919 + seed * 104729) % 2003)) / 1001.5 - 1 }
    }

    func testMatchesReferenceOnAwkwardShapes() {
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (8, 32, 32), (9, 17, 33), (16, 128, 512), (13, 64, 70), (64, 256, 96)] {
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

    /// Both tiles run each element's FMAs in the same order, so an AVX-512 build and a build for
    /// 16 vector registers compute the same bits.
    func testTilesGiveIdenticalBits() {
        let m = 13, k = 70, n = 45
        let a = values(m * k, seed: 9), src = values(k * n, seed: 10)
        let packed = PackedMatrix(k: k, n: n)
        src.withUnsafeBufferPointer { packed.pack($0.baseAddress!, k: k, n: n, ld: n, transposed: false) }
        func run(_ tile: PackedGEMM.Tile) -> [Float] {
            var c = [Float](repeating: 0, count: m * n)
            a.withUnsafeBufferPointer { ap in
                c.withUnsafeMutableBufferPointer {
                    PackedGEMM.multiply(m: m, a: ap.baseAddress!, lda: k, b: packed, c: $0.baseAddress!, ldc: n,
                                        accumulate: false, tile: tile)
                }
            }
            return c
        }
        XCTAssertEqual(run(.wide), run(.narrow))
    }
}
