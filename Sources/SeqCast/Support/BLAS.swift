// BLAS: the only file that imports CBLAS. Row-major single-precision GEMM, thread control, and the
// check that OpenBLAS runs the kernels this CPU supports (issue 13, `BLAS.ensureNativeCore`).
import CBLAS
#if canImport(Glibc)
import Glibc
#endif

public enum BLAS {
    /// C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C, all row-major.
    /// `transA`/`transB` select op(X) = Xᵀ; `lda`, `ldb`, `ldc` are the stored row lengths.
    @inline(__always)
    public static func gemm(transA: Bool = false, transB: Bool = false,
                            m: Int, n: Int, k: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // op(A)·op(B) is empty: C = beta·C.
            for r in 0..<m { let row = c + r * ldc; for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Threads OpenBLAS may use per call. Set to 1 while Dispatch workers each run their own GEMMs,
    /// because idle OpenBLAS threads busy-spin and would steal the other core.
    public static func setThreads(_ n: Int) { seqcast_blas_set_threads(Int32(max(1, n))) }

    // MARK: - OpenBLAS core selection (issue 13)
    //
    // A DYNAMIC_ARCH OpenBLAS (Debian's) picks its kernels once, in a library constructor, from the
    // CPU's family/model. Older releases do not know recent CPUs and fall back to generic kernels:
    // Debian 12's 0.3.21 runs its Prescott (SSE3) kernels on a Sapphire Rapids Xeon (family 6
    // model 207), at about half the speed of its SkylakeX ones. Only the environment variable
    // OPENBLAS_CORETYPE, read in that constructor, overrides the choice, so the CLI re-executes itself
    // once with it set (`ensureNativeCore`) when the detected core is below what the CPU's flags support.

    /// The kernel family OpenBLAS runs ("Prescott", "Haswell", "SkylakeX", …).
    public static var coreName: String { String(cString: seqcast_blas_corename()) }

    /// How the core was chosen: "detected" (OpenBLAS's own choice), "forced" (OPENBLAS_CORETYPE set by
    /// seqcast's re-exec) or "user" (OPENBLAS_CORETYPE set by the caller).
    public static var coreSource: String {
        if let m = getenv(reexecMarker), String(cString: m) == "1" { return "forced" }
        return getenv("OPENBLAS_CORETYPE") != nil ? "user" : "detected"
    }

    static let reexecMarker = "SEQCAST_BLAS_REEXEC"

    /// True when OpenBLAS still runs kernels below what this CPU supports: no re-exec fixed it (the
    /// library used outside the CLI, e.g. by the tests; an OpenBLAS built without DYNAMIC_ARCH; or
    /// SEQCAST_BLAS_REEXEC=0), or OPENBLAS_CORETYPE names a lesser core.
    public static let coreIsFallback: Bool = betterCoreType(core: coreName, flags: cpuFlags()) != nil

    /// Whether the recurrent weight gradients (dWh, dWx) run on PackedGEMM instead of cblas_sgemm.
    /// Default: only when the OpenBLAS core is a fallback (with the right core OpenBLAS is faster on
    /// these products, BENCHMARKS.md); SEQCAST_WEIGHT_GRADIENTS=packed or =blas overrides. Results do
    /// not depend on threads either way. Settable for the tests (set it before training starts).
    nonisolated(unsafe) public static var weightGradientsOnPacked: Bool = {
        switch getenv("SEQCAST_WEIGHT_GRADIENTS").map({ String(cString: $0) }) {
        case "packed": true
        case "blas": false
        default: coreIsFallback
        }
    }()

    /// Vector ISA levels, ordered: what OpenBLAS's kernels use and what the CPU offers.
    enum Level: Int, Comparable {
        case sse = 0, avx, avx2, avx512
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        /// The OPENBLAS_CORETYPE that runs this level's sgemm kernels.
        var coreType: String? {
            switch self { case .sse: nil; case .avx: "SANDYBRIDGE"; case .avx2: "HASWELL"; case .avx512: "SKYLAKEX" }
        }
    }

    /// The level of an OpenBLAS x86-64 core name (unknown names count as SSE, the fallback).
    static func level(ofCore name: String) -> Level {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": .avx512
        case "haswell", "zen", "excavator": .avx2
        case "sandybridge", "bulldozer", "piledriver", "steamroller": .avx
        default: .sse
        }
    }

    /// The level the CPU and kernel support, from the `flags` line of /proc/cpuinfo (the kernel lists
    /// only features the OS has enabled, e.g. AVX-512 state saving).
    static func level(ofFlags flags: Set<String>) -> Level {
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd", "fma", "avx2"].allSatisfy(flags.contains) { return .avx512 }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return .avx2 }
        if flags.contains("avx") { return .avx }
        return .sse
    }

    /// The CPU's flags from /proc/cpuinfo (empty where there is none).
    static func cpuFlags() -> Set<String> {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil, cap = 0
        defer { free(line) }
        while getline(&line, &cap, file) > 0, let line {
            let text = String(cString: line)
            if text.hasPrefix("flags") || text.hasPrefix("Features") {
                guard let colon = text.firstIndex(of: ":") else { continue }
                return Set(text[text.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
            }
        }
        return []
    }

    /// The OPENBLAS_CORETYPE to force, or nil when OpenBLAS's own choice already matches the CPU.
    public static func betterCoreType(core: String, flags: Set<String>) -> String? {
        let cpu = level(ofFlags: flags)
        return level(ofCore: core) < cpu ? cpu.coreType : nil
    }

    /// Call first thing in `main`, before any BLAS work: if OpenBLAS fell back to kernels below
    /// what this CPU supports, re-executes the program once (same arguments and environment) with
    /// OPENBLAS_CORETYPE set to the right core. Does nothing when the caller set OPENBLAS_CORETYPE
    /// (their choice wins, e.g. `OPENBLAS_CORETYPE=Prescott` to reproduce the fallback), after a
    /// re-exec (guarded by SEQCAST_BLAS_REEXEC), when SEQCAST_BLAS_REEXEC=0, or if exec fails.
    public static func ensureNativeCore() {
        #if os(Linux) && arch(x86_64)
        guard getenv("OPENBLAS_CORETYPE") == nil, getenv(reexecMarker) == nil,
              let target = betterCoreType(core: coreName, flags: cpuFlags()) else { return }
        setenv("OPENBLAS_CORETYPE", target, 1)
        setenv(reexecMarker, "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached if exec failed: carry on with the detected core.
        unsetenv("OPENBLAS_CORETYPE"); unsetenv(reexecMarker)
        #endif
    }
}
