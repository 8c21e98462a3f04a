// A checkpoint that meets a full disk (ENOSPC, a real one: a small tmpfs mounted for the test)
// fails with one line naming model.h5 and the reason, and leaves the previous checkpoint as it was
// and no temporary behind. Needs root and `mount -t tmpfs`; skipped otherwise. RELIABILITY.md item 13.
import Foundation
import XCTest
import SeqCast

final class DiskFullTests: XCTestCase {
    private var mountPoint: String?

    /// Runs `tool args` and returns its exit status and stderr.
    private func system(_ tool: String, _ args: [String]) -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let err = Pipe()
        p.standardError = err; p.standardOutput = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return (-1, "cannot run \(tool)") }
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: e, as: UTF8.self))
    }

    override func setUpWithError() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to mount a small tmpfs") }
        let dir = NSTemporaryDirectory() + "seqcast-diskfull-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let (status, err) = system("/bin/mount", ["-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", dir])
        guard status == 0 else {
            try? FileManager.default.removeItem(atPath: dir)
            throw XCTSkip("mount -t tmpfs failed (\(status)): \(err)")
        }
        mountPoint = dir
    }

    override func tearDown() {
        guard let dir = mountPoint else { return }
        if system("/bin/umount", [dir]).0 != 0 { _ = system("/bin/umount", ["-l", dir]) }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Free bytes on the file system holding `path`.
    private func freeBytes(_ path: String) -> Int {
        var s = statvfs()
        return statvfs(path, &s) == 0 ? Int(s.f_bavail) * Int(s.f_frsize) : 0
    }

    func testCheckpointOnAFullDiskFailsCleanlyAndKeepsThePreviousOne() throws {
        let mnt = try XCTUnwrap(mountPoint)
        let run = mnt + "/run", model = run + "/model.h5"
        let common = ["train", "--data", datasetPath("airline.csv"), "--horizon", "6", "--ensemble", "1", "--out", run, "--quiet"]
        let first = try runCLI(common + ["--epochs", "1"])
        XCTAssertEqual(first.status, 0, first.err)
        let before = try Data(contentsOf: URL(fileURLWithPath: model))
        let files = listing(run)
        // Leave less room than one more model.h5 needs (tmpfs counts whole pages).
        let filler = max(freeBytes(mnt) - before.count / 2, 0)
        XCTAssertTrue(FileManager.default.createFile(atPath: mnt + "/filler", contents: Data(count: filler)))
        XCTAssertLessThan(freeBytes(mnt), before.count)

        let r = try runCLI(common + ["--resume", "--epochs", "3"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertFalse(r.signaled, "crashed: \(r.err)")
        let lines = r.err.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.err)
        XCTAssertTrue(r.err.hasPrefix("Error: \(model): "), r.err)
        XCTAssertTrue(r.err.contains("No space left on device"), r.err)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: model)), before, "the previous checkpoint is untouched")
        XCTAssertEqual(listing(run), files, "no temporary left")
        XCTAssertEqual(try ModelFile.load(model).manifest.members.first?.epochsCompleted, 1)

        // With room again, the same resume completes from that checkpoint.
        try FileManager.default.removeItem(atPath: mnt + "/filler")
        let again = try runCLI(common + ["--resume", "--epochs", "3"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(try ModelFile.load(model).manifest.members.first?.epochsCompleted, 3)
    }

    /// A streamed text output (a backtest's forecasts.csv) larger than the disk: one error naming the
    /// file and the reason, the previous file as it was, no temporary left.
    func testStreamedOutputOnAFullDiskKeepsThePreviousFile() throws {
        let mnt = try XCTUnwrap(mountPoint)
        let path = mnt + "/forecasts.csv"
        try AtomicFile.write("previous\n", to: path)
        let line = String(repeating: "x", count: 99) + "\n"
        let message = errorMessage {
            try AtomicFile.write(to: path, errors: DataError.self) { (out: inout TextStream) throws(DataError) in
                for _ in 0..<40_000 { out.write(line) }   // 4 MB into 2 MiB
            }
        }
        XCTAssertTrue(message.contains("forecasts.csv") && message.contains("No space left on device"), message)
        XCTAssertFalse(message.contains(".tmp-"), message)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "previous\n")
        XCTAssertEqual(listing(mnt), ["forecasts.csv"])
    }
}
