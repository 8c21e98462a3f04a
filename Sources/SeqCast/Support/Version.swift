// Version: the seqcast version, written into every output file and printed by --version, and the
// creation time files are stamped with.
import Foundation

public let seqcastVersion = "0.2.0"

/// `date` as the `created` attribute of model, index and forecast files: UTC, ISO 8601 to the
/// second (`2026-11-30T23:09:30Z`, what `ISO8601DateFormatter` writes), made by arithmetic.
/// Foundation's formatter reads about 5 MiB of ICU data the first time it runs, which stay
/// resident: `train` did so at its first checkpoint, while the prepared series were still held.
public func createdTimestamp(_ date: Date = Date()) -> String {
    let seconds = Int(date.timeIntervalSince1970.rounded(.down))
    let days = (seconds >= 0 ? seconds : seconds - 86_399) / 86_400, time = seconds - days * 86_400
    // The civil date of a day count (H. Hinnant's days_from_civil, inverted).
    let z = days + 719_468, era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    func padded(_ v: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - "\(v)".count)) + "\(v)" }
    return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))T\(padded(time / 3_600, 2)):\(padded(time / 60 % 60, 2)):\(padded(time % 60, 2))Z"
}
