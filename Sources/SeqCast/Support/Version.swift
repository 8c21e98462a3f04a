// Version: the seqcast version, written into every output file and printed by --version, and the
// folder of the running binary (where its installed plot templates and benchmark configurations are
// found). The creation time files are stamped with: Data/CreatedTimestamp.swift.
import Foundation

public let seqcastVersion = "0.2.0"

/// The folder of the running binary: /proc/self/exe resolved (argv[0] is only the name when the
/// binary is found through PATH, and resolving that name against the current folder found
/// nothing); argv[0] where /proc is not mounted.
public func binaryFolder() -> URL {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let path = exe.path != "/proc/self/exe" ? exe : URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return path.deletingLastPathComponent()
}
