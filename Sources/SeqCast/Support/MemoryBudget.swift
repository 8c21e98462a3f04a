// MemoryBudget: how much memory seqcast may plan to use — the machine's physical memory, or less
// when the process runs under a limit (a cgroup's memory.max, RLIMIT_AS / RLIMIT_DATA, or
// `SEQCAST_MEMORY_LIMIT`, bytes with an optional K/M/G suffix). One budget for every check: a single
// HDF5 read may take at most half of it (what is read is held again while it is turned into series,
// and the rest of the run needs room too), and a training run's estimate
// (Training/MemoryEstimate.swift) must fit in all of it.
import Foundation

public enum MemoryBudget {
    /// The budget in bytes and where it comes from ("this machine's", "the memory limit of").
    public static var current: (bytes: UInt64, source: String) {
        var best = (ProcessInfo.processInfo.physicalMemory, "this machine's")
        func consider(_ b: UInt64?, _ source: String) { if let b, b > 0, b < best.0 { best = (b, source) } }
        consider(cgroupLimit(), "the memory limit (cgroup) of")
        for r in [RLIMIT_AS, RLIMIT_DATA] {
            var l = rlimit()
            if getrlimit(__rlimit_resource_t(r.rawValue), &l) == 0, l.rlim_cur != rlim_t.max { consider(UInt64(l.rlim_cur), "the process limit (ulimit) of") }
        }
        consider(ProcessInfo.processInfo.environment["SEQCAST_MEMORY_LIMIT"].flatMap(parse), "SEQCAST_MEMORY_LIMIT's")
        return best
    }

    /// "12.3 GiB" / "45.6 MiB".
    public static func describe(_ bytes: Double) -> String {
        bytes >= 1_073_741_824 ? String(format: "%.1f GiB", bytes / 1_073_741_824) : String(format: "%.1f MiB", bytes / 1_048_576)
    }

    static func parse(_ text: String) -> UInt64? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        if let u = t.last.flatMap({ units[$0] }) { return UInt64(t.dropLast()).map { $0 * u } }
        return UInt64(t)
    }

    /// cgroup v2 `memory.max` or v1 `memory.limit_in_bytes` of this process's cgroup, when set.
    private static func cgroupLimit() -> UInt64? {
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let s = try? String(contentsOfFile: path, encoding: .utf8),
               let v = UInt64(s.trimmingCharacters(in: .whitespacesAndNewlines)) { return v }
        }
        return nil
    }
}

extension MemoryBudget {
    /// Hands freed heap memory back to the system (glibc keeps it otherwise, so a large load that
    /// was let go still counts in the resident size of the next one).
    public static func returnFreedMemory() {
        #if canImport(Glibc)
        _ = seqcast_malloc_trim(0)
        #endif
    }
}

#if canImport(Glibc)
@_silgen_name("malloc_trim")
private func seqcast_malloc_trim(_ pad: Int) -> Int32
#endif
