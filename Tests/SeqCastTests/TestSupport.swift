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

/// The small training request the tests share: a small network, few epochs, no early stopping
/// unless asked, one thread — fast, and every default the tests do not name stays the product's.
func smallRequest(_ data: String, out: String = "", horizon: Int = 6, hidden: Int = 8, epochs: Int = 3,
                  ensemble: Int? = nil, threads: Int = 1, seed: UInt64 = 42, patience: Int? = nil) -> TrainRequest {
    var r = TrainRequest(dataPath: data, outDir: out)
    r.windows.horizon = horizon; r.architecture.hidden = hidden
    r.training.epochs = epochs; r.training.seed = seed; r.run.threads = threads
    if let ensemble { r.training.ensemble = ensemble }
    if let patience { r.training.patience = patience }
    return r
}
