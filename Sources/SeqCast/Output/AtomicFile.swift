// AtomicFile: every output is written to a temporary file beside its destination and renamed
// into place, so a failure never leaves a half-written file and never touches an existing one.
import Foundation

public enum AtomicFile {
    /// Calls `body` with a fresh temporary path in the destination's directory, then renames it to
    /// `path`. On any error the temporary file is removed and `path` is left as it was.
    public static func write(to path: String, _ body: (String) throws(DataError) -> Void) throws(DataError) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw .unwritable(path: path, reason: "directory \(dir) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: dir) else {
            throw .unwritable(path: path, reason: "directory \(dir) is not writable")
        }
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do throws(DataError) {
            try body(tmp)
            guard rename(tmp, path) == 0 else {
                throw DataError.unwritable(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
    }

    /// Writes text atomically.
    public static func write(_ text: String, to path: String) throws(DataError) {
        try write(to: path) { tmp throws(DataError) in
            guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8)) else {
                throw .unwritable(path: path, reason: "cannot create a file in its directory")
            }
        }
    }

    /// Creates `dir` (and parents) or explains why it cannot.
    public static func makeDirectory(_ dir: String) throws(DataError) {
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw .unwritable(path: dir, reason: error.localizedDescription)
        }
    }
}
