// FloatBuffer: a fixed-size, 64-byte-aligned block of Float owned by a class, so hot loops work on a
// raw pointer (no copy-on-write, no exclusivity checks) and the memory is freed exactly once.

/// A contiguous, fixed-size Float buffer. Shapes are carried by the code that uses it.
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let p: UnsafeMutablePointer<Float>

    /// Zero-initialised buffer of `count` floats.
    public init(count: Int) {
        precondition(count >= 0)
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        p = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
    }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { p.update(from: base, count: values.count) }
        }
    }

    deinit { p.deallocate() }

    public subscript(i: Int) -> Float {
        get { p[i] }
        set { p[i] = newValue }
    }

    public func zero() { p.update(repeating: 0, count: count) }

    public func copy(from other: FloatBuffer) {
        precondition(other.count == count, "buffer size mismatch \(other.count) vs \(count)")
        p.update(from: other.p, count: count)
    }

    public var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
}
