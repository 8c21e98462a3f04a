// FileDigest: a fingerprint of an input file (size and 64-bit FNV-1a of its bytes), stored with a
// model so `--resume` can refuse to continue a run on data that changed under it.
import Foundation

public enum FileDigest {
    /// "size:hash" of the file at `path`, or nil when it cannot be read.
    public static func of(_ path: String) -> String? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        var hash: UInt64 = 0xcbf29ce484222325, size = 0
        while let chunk = try? h.read(upToCount: 1 << 20), !chunk.isEmpty {
            size += chunk.count
            for b in chunk { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
        }
        return "\(size):\(String(hash, radix: 16))"
    }
}
