// MPI: the only CMPI importer — the few Open MPI calls seqcast needs (init/finalize, rank/size,
// allgather and gather of bytes, broadcast, allreduce, barrier, abort). Nothing here runs unless an MPI launcher
// (mpirun, srun) started the process: plain `seqcast …` never calls MPI. ProcessGroup.swift builds
// the library's collective operations on it.
import CMPI
import Foundation

enum MPI {
    /// Variables an MPI launcher sets in every process it starts: Open MPI's mpirun, PMIx
    /// (Open MPI ≥ 4, Slurm's srun --mpi=pmix), PMI-1/2 (srun --mpi=pmi2, MPICH's hydra).
    static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"]

    /// Was this process started by an MPI launcher?
    static var launched: Bool {
        let env = ProcessInfo.processInfo.environment
        return launcherVariables.contains { env[$0] != nil }
    }

    // Set once by `start` on the main thread before any other work; read-only afterwards.
    nonisolated(unsafe) private(set) static var started = false
    nonisolated(unsafe) private(set) static var rank = 0
    nonisolated(unsafe) private(set) static var size = 1

    /// MPI_Init (serialized threads: only one thread at a time calls MPI) when launched; else nothing.
    static func start() {
        guard launched, !started else { return }
        var provided: Int32 = 0
        MPI_Init_thread(nil, nil, seqcast_mpi_thread_serialized(), &provided)
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(seqcast_mpi_comm_world(), &r)
        MPI_Comm_size(seqcast_mpi_comm_world(), &s)
        rank = Int(r); size = Int(s); started = true
    }

    /// MPI_Finalize, once, when started.
    static func finish() {
        guard started else { return }
        started = false
        MPI_Finalize()
    }

    /// Ends every process of the job (after this one printed why) with exit status `code`.
    static func abort(_ code: Int32) -> Never {
        if started { MPI_Abort(seqcast_mpi_comm_world(), code) }
        exit(code)
    }

    static func barrier() { MPI_Barrier(seqcast_mpi_comm_world()) }

    /// A count as MPI's `int`; a buffer beyond 2 GiB per call is a limit of this wrapper, not silent.
    private static func int32(_ n: Int) -> Int32 {
        guard n <= Int(Int32.max) else {
            FileHandle.standardError.write(Data("Error: an MPI message of \(n) bytes exceeds 2 GiB; use a smaller --shard-size or --batch-size\n".utf8))
            abort(1)
        }
        return Int32(n)
    }

    /// In-place MPI_Allgatherv of bytes: rank r's `counts[r]` bytes are already at `displacements[r]`
    /// of `buffer`; afterwards every rank's are there on every rank.
    static func allgatherInPlace(_ buffer: UnsafeMutableRawPointer, counts: [Int], displacements: [Int]) {
        let c = counts.map(int32), d = displacements.map(int32)
        MPI_Allgatherv(seqcast_mpi_in_place(), 0, seqcast_mpi_byte(), buffer, c, d, seqcast_mpi_byte(), seqcast_mpi_comm_world())
    }

    /// MPI_Allgather of one Int per rank.
    static func allgather(_ value: Int) -> [Int] {
        var out = [Int64](repeating: 0, count: size)
        var v = Int64(value)
        MPI_Allgather(&v, 8, seqcast_mpi_byte(), &out, 8, seqcast_mpi_byte(), seqcast_mpi_comm_world())
        return out.map(Int.init)
    }

    /// MPI_Gather of one Int per rank to `root` (other ranks get an empty array).
    static func gather(_ value: Int, root: Int) -> [Int] {
        var out = [Int64](repeating: 0, count: rank == root ? size : 1)
        var v = Int64(value)
        MPI_Gather(&v, 8, seqcast_mpi_byte(), &out, 8, seqcast_mpi_byte(), Int32(root), seqcast_mpi_comm_world())
        return rank == root ? out.map(Int.init) : []
    }

    /// MPI_Gatherv of bytes to `root`: this rank's `count` bytes at `send` land at `displacements[r]`
    /// of `buffer` on the root (`counts` and `buffer` matter on the root only).
    static func gatherv(_ send: UnsafeRawPointer?, count: Int, into buffer: UnsafeMutableRawPointer?, counts: [Int],
                        displacements: [Int], root: Int) {
        let c = counts.map(int32), d = displacements.map(int32)
        MPI_Gatherv(send, int32(count), seqcast_mpi_byte(), buffer, c, d, seqcast_mpi_byte(), Int32(root), seqcast_mpi_comm_world())
    }

    /// MPI_Bcast of `count` bytes at `buffer` from `root`.
    static func broadcast(_ buffer: UnsafeMutableRawPointer, count: Int, root: Int) {
        MPI_Bcast(buffer, int32(count), seqcast_mpi_byte(), Int32(root), seqcast_mpi_comm_world())
    }

    /// MPI_Allreduce (sum) of Float values, in place. The sum's order is MPI's: not used where results
    /// must be bit-identical to one process (training gathers and sums in shard order instead).
    static func allreduceSum(_ values: UnsafeMutablePointer<Float>, count: Int) {
        MPI_Allreduce(seqcast_mpi_in_place(), values, int32(count), seqcast_mpi_float(), seqcast_mpi_sum(), seqcast_mpi_comm_world())
    }

    /// MPI_Allreduce (min) of one Int.
    static func allreduceMin(_ value: Int) -> Int {
        var v = Int64(value), out: Int64 = 0
        MPI_Allreduce(&v, &out, 1, seqcast_mpi_int64(), seqcast_mpi_min(), seqcast_mpi_comm_world())
        return Int(out)
    }
}
