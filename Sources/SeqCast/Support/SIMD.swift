// SIMD: 16-lane load/store and a fixed-order horizontal sum for the hand-vectorised row loops
// (layer norm). The fixed order keeps results independent of how a loop is split.

typealias FloatPtr = UnsafeMutablePointer<Float>

@inline(__always)
func load16(_ p: UnsafePointer<Float>, _ j: Int) -> SIMD16<Float> {
    UnsafeRawPointer(p + j).loadUnaligned(as: SIMD16<Float>.self)
}

/// Horizontal sum as a fixed halving tree (4 shuffles and adds). `SIMD16.sum()` compiled to a
/// long serial shuffle chain here, which dominated short rows.
@inline(__always)
func hsum(_ v: SIMD16<Float>) -> Float {
    let a = v.lowHalf + v.highHalf, b = a.lowHalf + a.highHalf, c = b.lowHalf + b.highHalf
    return c[0] + c[1]
}

@inline(__always)
func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ j: Int) {
    UnsafeMutableRawPointer(p + j).storeBytes(of: v, as: SIMD16<Float>.self)
}
