// Version: the seqcast version, written into every output file and printed by --version, the
// creation time files are stamped with, and the folder of the running binary (where its installed
// plot templates and benchmark configurations are found).
import Foundation

public let seqcastVersion = "0.2.0"

/// `date` as the `created` attribute of model, index and forecast files: UTC, ISO 8601 to the
/// second (`2026-11-30T23:09:30Z`, what `ISO8601DateFormatter` writes), written by the time axis's
/// own label writer (`TimeLabelStyle`).
/// Foundation's formatter reads about 5 MiB of ICU data the first time it runs, which stay
/// resident: `train` did so at its first checkpoint, while the prepared series were still held.
/// With SOURCE_DATE_EPOCH set (seconds since 1970, the reproducible-builds convention), that time
/// instead, so the same inputs make byte-identical files.
public func createdTimestamp(_ given: Date? = nil) -> String {
    let date = given ?? ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap { Int64($0) }
        .map { Date(timeIntervalSince1970: Double($0)) } ?? Date()
    return TimeLabelStyle(format: .dateTime, dateTimeSeparator: 84, zulu: true)   // 'T' and 'Z': ISO 8601
        .withLabel(date.timeIntervalSince1970.rounded(.down)) { String(decoding: $0, as: UTF8.self) }
}

/// The folder of the running binary: /proc/self/exe resolved (argv[0] is only the name when the
/// binary is found through PATH, and resolving that name against the current folder found
/// nothing); argv[0] where /proc is not mounted.
public func binaryFolder() -> URL {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let path = exe.path != "/proc/self/exe" ? exe : URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return path.deletingLastPathComponent()
}
