// FuzzSupport: what both libFuzzer targets share — a private scratch directory for the inputs they
// must hand to the library as files, and a digest of the input to vary the selection with.
// Compiled into each fuzz executable by scripts/fuzz.sh (not part of Package.swift).
import Foundation
import SeqCast

enum Scratch {
    /// A fresh private directory (mkdtemp) under $TMPDIR, made once per process.
    static let directory: String = {
        var template = Array((NSTemporaryDirectory() + "/seqcast-fuzz-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) != nil }) else { fatalError("mkdtemp failed") }
        DataNotes.onNote(nil)
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
    nonisolated(unsafe) static var counter = 0

    /// Writes `bytes` to a new file named `name` (a counter keeps names unique, so libhdf5 never
    /// sees a path it may still hold open), calls `body` with its path, then removes the file.
    static func withFile(_ bytes: UnsafeRawBufferPointer, _ name: String, _ body: (String) -> Void) {
        counter += 1
        let path = directory + "/\(counter)-" + name
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { fatalError("cannot write \(path)") }
        defer { unlink(path) }
        body(path)
    }
}

/// FNV-1a of the input: picks selection variants deterministically, so a crash input reproduces.
func digest(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf29ce484222325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100000001b3 }
    return h
}
