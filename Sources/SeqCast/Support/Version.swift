// Version: the seqcast version, written into every output file and printed by --version, and the
// creation time files are stamped with.
import Foundation

public let seqcastVersion = "0.2.0"

/// `date` as the `created` attribute of model, index and forecast files: UTC, ISO 8601 to the
/// second (`2026-11-30T23:09:30Z`, what `ISO8601DateFormatter` writes), written by the time axis's
/// own label writer (`TimeLabelStyle`).
/// Foundation's formatter reads about 5 MiB of ICU data the first time it runs, which stay
/// resident: `train` did so at its first checkpoint, while the prepared series were still held.
public func createdTimestamp(_ date: Date = Date()) -> String {
    TimeLabelStyle(format: .dateTime, dateTimeSeparator: 84, zulu: true)   // 'T' and 'Z': ISO 8601
        .withLabel(date.timeIntervalSince1970.rounded(.down)) { String(decoding: $0, as: UTF8.self) }
}
