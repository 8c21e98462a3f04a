// ParameterLayout: every trainable tensor of a model is a named slice of one flat Float buffer.
// Gradients and optimizer moments mirror the same layout, so zeroing, clipping, the optimizer step
// and checkpointing are each one loop over one buffer.

/// Named offsets into a flat parameter buffer.
public struct ParameterLayout: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let offset: Int
        public let shape: [Int]
        public var count: Int { shape.reduce(1, *) }
    }

    public private(set) var entries: [Entry] = []
    public private(set) var total = 0

    public init() {}

    /// Reserves a tensor of `shape` and returns its offset.
    @discardableResult
    public mutating func add(_ name: String, _ shape: [Int]) -> Int {
        let e = Entry(name: name, offset: total, shape: shape)
        entries.append(e)
        total += e.count
        return e.offset
    }

    public func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }
}
