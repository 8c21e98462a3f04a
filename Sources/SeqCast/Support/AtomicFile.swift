// AtomicFile: every output is written to a temporary file beside its destination and renamed
// into place, so a failure never leaves a half-written file and never touches an existing one.
// The temporary file lives in a private directory made with mkdtemp (random name, created
// exclusively, mode 0700) in the destination's folder, so its name cannot be guessed or planted.
import Foundation

/// The errors AtomicFile reports, in the caller's own error type (DataError conforms).
public protocol AtomicFileError: Error {
    static func unwritable(path: String, reason: String) -> Self
    /// The same error with `tmp` (a temporary path) shown as `path`.
    func replacingPath(_ tmp: String, with path: String) -> Self
}

public enum AtomicFile {
    /// A new private directory (mkdtemp) named `.NAME.tmp-XXXXXX` in `dir`.
    static func privateDirectory<E: AtomicFileError>(in dir: String, for name: String, path: String, errors: E.Type) throws(E) -> String {
        var template = Array((dir + "/." + name + ".tmp-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else { throw E.unwritable(path: path, reason: String(cString: strerror(errno))) }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Calls `body` with a fresh temporary path (that does not exist yet) in the destination's
    /// directory, then renames it to `path`. On any error the temporary file is removed and `path`
    /// is left as it was.
    public static func write<E: AtomicFileError>(to path: String, _ body: (String) throws(E) -> Void) throws(E) {
        let staged = try Staged(path, body)
        try staged.commit(errors: E.self)
    }

    /// One output written to its temporary file and not yet renamed into place (`commit`). Dropped
    /// without a commit, its temporary folder is removed and `path` is left as it was. Several
    /// outputs that belong together (a backtest's files) are all staged first and then committed
    /// one after another, so an interruption while they are written leaves the earlier set whole.
    public final class Staged {
        let path: String, tmpDir: String, tmp: String

        public init<E: AtomicFileError>(_ path: String, _ body: (String) throws(E) -> Void) throws(E) {
            let url = URL(fileURLWithPath: path)
            let dir = url.deletingLastPathComponent().path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw E.unwritable(path: path, reason: FileManager.default.fileExists(atPath: dir) ? "\(dir) is a file, not a directory" : "directory \(dir) does not exist")
            }
            guard FileManager.default.isWritableFile(atPath: dir) else {
                throw E.unwritable(path: path, reason: "directory \(dir) is not writable")
            }
            let tmpDir = try privateDirectory(in: dir, for: url.lastPathComponent, path: path, errors: E.self)
            let tmp = tmpDir + "/" + url.lastPathComponent
            do throws(E) { try body(tmp) } catch {
                try? FileManager.default.removeItem(atPath: tmpDir)
                throw error.replacingPath(tmp, with: path)
            }
            self.path = path; self.tmpDir = tmpDir; self.tmp = tmp
        }

        /// Renames the written file into place.
        public func commit<E: AtomicFileError>(errors: E.Type = E.self) throws(E) {
            guard rename(tmp, path) == 0 else { throw E.unwritable(path: path, reason: String(cString: strerror(errno))) }
        }

        deinit { try? FileManager.default.removeItem(atPath: tmpDir) }
    }

    /// Commits outputs that belong together: first checks that each can replace what is at its
    /// path (nothing, or a file — a folder cannot be replaced by a rename), so a set one of whose
    /// renames would fail is not committed in part; then renames them in order.
    public static func commit<E: AtomicFileError>(_ set: [Staged], errors: E.Type) throws(E) {
        for staged in set {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: staged.path, isDirectory: &isFolder), isFolder.boolValue {
                throw E.unwritable(path: staged.path, reason: "a folder is in the way")
            }
        }
        for staged in set { try staged.commit(errors: E.self) }
    }

    /// Writes text atomically (created exclusively, every byte written and the file closed before the rename).
    public static func write<E: AtomicFileError>(_ text: String, to path: String, errors: E.Type) throws(E) {
        try write(to: path, errors: E.self) { (out: inout TextStream) throws(E) in out.write(text) }
    }

    /// Writes the text `body` gives `out`, atomically as `write(_:to:errors:)`, in pieces of about
    /// 1 MiB: a large output (a backtest's forecasts.csv) is never held as one string.
    public static func write<E: AtomicFileError>(to path: String, errors: E.Type,
                                                 streaming body: (inout TextStream) throws(E) -> Void) throws(E) {
        try stage(to: path, errors: E.self, streaming: body).commit(errors: E.self)
    }

    /// `write(to:errors:streaming:)` without the rename: the caller commits it.
    public static func stage<E: AtomicFileError>(to path: String, errors: E.Type,
                                                 streaming body: (inout TextStream) throws(E) -> Void) throws(E) -> Staged {
        try Staged(path) { tmp throws(E) in
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw E.unwritable(path: path, reason: String(cString: strerror(errno))) }
            var out = TextStream(fd: fd)
            do throws(E) { try body(&out) } catch { close(fd); throw error }
            out.flush()
            var failure = out.failure
            if close(fd) != 0 && failure == 0 { failure = errno }
            if failure != 0 { throw E.unwritable(path: path, reason: String(cString: strerror(failure))) }
        }
    }

    /// Creates `dir` (and parents) or explains why it cannot.
    public static func makeDirectory<E: AtomicFileError>(_ dir: String, errors: E.Type) throws(E) {
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw E.unwritable(path: dir, reason: error.localizedDescription)
        }
    }

    /// `p` with symlinks resolved (of its folder when `p` is not there yet).
    static func resolvedPath(_ p: String) -> String {
        if let r = realpath(p, nil) { defer { free(r) }; return String(cString: r) }
        let url = URL(fileURLWithPath: p)
        let dir = url.deletingLastPathComponent().path
        if let r = realpath(dir, nil) { defer { free(r) }; return String(cString: r) + "/" + url.lastPathComponent }
        return url.standardizedFileURL.path
    }

    /// True when `a` and `b` name the same file: the same path after resolving symlinks, or (when
    /// both exist) the same device and inode, so hard links count too.
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        if resolvedPath(a) == resolvedPath(b) { return true }
        var sa = stat(), sb = stat()
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}

/// Text on its way to a file: kept until about 1 MiB has gathered, then written. The first write
/// error is kept (`failure`) and reported when the file is closed; nothing more is written after it.
/// Not copyable, so no copy can keep buffered text that is never written.
public struct TextStream: ~Copyable {
    fileprivate let fd: Int32
    fileprivate var buffer = ""
    fileprivate(set) var failure: Int32 = 0
    static let flushBytes = 1 << 20

    fileprivate init(fd: Int32) { self.fd = fd }

    public mutating func write(_ text: String) {
        if buffer.isEmpty && text.utf8.count >= Self.flushBytes { write(bytesOf: text); return }
        buffer += text
        if buffer.utf8.count >= Self.flushBytes { flush() }
    }

    fileprivate mutating func flush() {
        guard !buffer.isEmpty else { return }
        write(bytesOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func write(bytesOf text: String) {
        guard failure == 0 else { return }
        var text = text   // shares the storage: withUTF8 reads a native string in place
        let fd = self.fd
        failure = text.withUTF8 { raw -> Int32 in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; return errno }
                done += n
            }
            return 0
        }
    }
}
