// FileDigest: a fingerprint of an input file (size and 64-bit FNV-1a of its bytes), stored with a
// model so `--resume` can refuse to continue a run on data that changed under it; the FNV-1a hash
// itself (also PerSeriesModel's per-id seeds).
import Foundation

public enum FileDigest {
    /// "size:hash" of the file at `path`, or nil when it cannot be read.
    public static func of(_ path: String) -> String? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        var hash = fnv1aBasis, size = 0
        while let chunk = try? h.read(upToCount: 1 << 20), !chunk.isEmpty {
            size += chunk.count
            hash = fnv1a(chunk, continuing: hash)
        }
        return "\(size):\(String(hash, radix: 16))"
    }

    /// The 64-bit FNV-1a hash's starting value.
    public static let fnv1aBasis: UInt64 = 0xcbf29ce484222325

    /// 64-bit FNV-1a of `bytes`, continuing from `hash` (the basis for a fresh hash).
    public static func fnv1a<S: Sequence<UInt8>>(_ bytes: S, continuing hash: UInt64 = fnv1aBasis) -> UInt64 {
        bytes.reduce(hash) { ($0 ^ UInt64($1)) &* 0x100000001b3 }
    }
}
