// Shared helpers for tests: temporary directories, files, the shipped datasets, error capture.
import Foundation
import XCTest
import SeqCast

/// A fresh temporary directory, removed at the end of the test.
func temporaryDirectory(_ test: XCTestCase) -> String {
    let dir = NSTemporaryDirectory() + "seqcast-test-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
}

/// Writes `text` to `dir/name` and returns the path.
@discardableResult
func writeFile(_ dir: String, _ name: String, _ text: String) -> String {
    let path = dir + "/" + name
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
}

/// The repository root (two levels above this file's folder).
let repositoryRoot: String = {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}()

func datasetPath(_ name: String) -> String { repositoryRoot + "/datasets/" + name }

/// The description of the error `body` throws, or a test failure if it does not throw.
func errorMessage(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
    do { try body() } catch { return "\(error)" }
    XCTFail("expected an error", file: file, line: line)
    return ""
}

/// Files in `dir` (to assert nothing was written).
func listing(_ dir: String) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: dir).sorted()) ?? [] }
