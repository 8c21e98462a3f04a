// TextCells: a list of texts stored as one UTF-8 buffer and the end offset of each text — about
// the text's bytes plus 4 per entry, where an array of Swift `String`s costs a heap object per
// text longer than 15 bytes (a 19-byte `2000-01-01 00:00:00` takes about 80 B with its array slot).
// The CSV reader keeps the texts of time, id and text columns this way (CSVColumn), and time labels
// that are not on a time axis are kept this way too (TimeLabels). A `String` is made only when a
// text is asked for.

/// Texts in one UTF-8 buffer; text i is `bytes[end(i − 1) ..< end(i)]`.
struct TextCells: Sendable {
    private(set) var bytes: [UInt8] = []
    /// End offsets: 4 bytes each until the buffer passes 4 GiB, then 8.
    private enum Ends: Sendable {
        case narrow([UInt32])
        case wide([Int])
    }
    private var ends = Ends.narrow([])

    init() {}

    init(_ texts: [String]) {
        reserveCapacity(texts.count)
        for t in texts { append(t) }
    }

    var count: Int { switch ends { case .narrow(let e): e.count; case .wide(let e): e.count } }

    mutating func reserveCapacity(_ n: Int) {
        if case .narrow(var e) = ends { ends = .narrow([]); e.reserveCapacity(n); ends = .narrow(e) }
    }

    @inline(__always) private func end(_ i: Int) -> Int {
        switch ends { case .narrow(let e): Int(e[i]); case .wide(let e): e[i] }
    }

    /// The byte range of text `i`.
    @inline(__always) func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : end(i - 1))..<end(i) }

    /// Text `i` as a String.
    subscript(i: Int) -> String {
        let r = range(i)
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[r]), as: UTF8.self) }
    }

    /// Calls `body` with the UTF-8 bytes of text `i`.
    @inline(__always) func withUTF8<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let r = range(i)
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[r])) }
    }

    mutating func append(_ text: String) {
        var t = text
        t.withUTF8 { append($0) }
    }

    mutating func append(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: utf8)
        let n = bytes.count
        switch ends {
        case .narrow(var e):
            ends = .narrow([])   // keeps `e` uniquely referenced: appended in place
            if n <= Int(UInt32.max) { e.append(UInt32(n)); ends = .narrow(e) } else { ends = .wide(e.map(Int.init) + [n]) }
        case .wide(var e):
            ends = .wide([]); e.append(n); ends = .wide(e)
        }
    }

    /// Texts `r` as a list of their own.
    func slice(_ r: Range<Int>) -> TextCells {
        var out = TextCells()
        out.reserveCapacity(r.count)
        for i in r { withUTF8(i) { out.append($0) } }
        return out
    }
}
