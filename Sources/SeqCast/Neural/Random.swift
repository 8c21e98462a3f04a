// Random: the one seeded generator (xoshiro256**, seeded by SplitMix64) passed explicitly
// everywhere randomness is needed. No global randomness anywhere in seqcast.
import Foundation

/// Deterministic pseudo-random generator. Same seed ⇒ same sequence on every platform.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitmix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(&x), splitmix(&x), splitmix(&x), splitmix(&x))
    }

    /// A seed from two numbers (splitmix64's finaliser over a + golden·(b + 1)): independent seeds
    /// per dropout draw, member and chunk (Forecaster), and per series of a per-series run.
    public static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var z = a &+ 0x9E37_79B9_7F4A_7C15 &* (b &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for a sub-stream (e.g. one mini-batch shard), independent of call order.
    public static func derived(_ seed: UInt64, _ a: UInt64, _ b: UInt64 = 0, _ c: UInt64 = 0) -> SeededRandom {
        var h = seed ^ 0x5851_F42D_4C95_7F2D
        for v in [a, b, c] { h = (h ^ v) &* 0x2545_F491_4F6C_DD1D; h ^= h >> 29 }
        return SeededRandom(seed: h)
    }

    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * uniform() }

    /// Standard normal (Box–Muller, Double internally).
    public mutating func normal() -> Float {
        let u1 = max(Double(next() >> 11) * 0x1p-53, 1e-300)
        let u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// Fisher–Yates shuffle of 0..<n.
    public mutating func permutation(_ n: Int) -> [Int] {
        var a = Array(0..<n)
        if n > 1 { for i in stride(from: n - 1, to: 0, by: -1) { a.swapAt(i, Int(next() % UInt64(i + 1))) } }
        return a
    }
}

