// CreatedTimestamp: the time model, index and forecast files are stamped with, written by the
// time axis's own label writer (so beside the time labels, in Data).
import Foundation

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
