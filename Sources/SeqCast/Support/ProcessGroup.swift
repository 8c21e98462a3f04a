// ProcessGroup: the processes of one run — every rank under `mpirun -n N` / `srun`, or this process
// alone — and the collective operations the library uses on them: static shares of work, gathering
// bytes in rank order, and agreeing on success or failure so that a rank's error ends every rank
// the same way. A group of one never touches MPI (MPI.swift).
import Foundation

/// An error that every rank of a group holds (agreed through a collective operation): the message
/// of the lowest failing rank. The CLI prints it once (rank 0) and every rank exits non-zero.
public struct ClusterError: Error, CustomStringConvertible {
    public var rank: Int, message: String
    public init(rank: Int, message: String) { self.rank = rank; self.message = message }
    public var description: String { rank == 0 ? message : "\(message) (rank \(rank))" }
}

public struct ProcessGroup: Sendable, Equatable {
    public let rank: Int, size: Int

    /// This process alone.
    public static let single = ProcessGroup(rank: 0, size: 1)

    /// Every process of the job: MPI_COMM_WORLD once `start` ran under a launcher, else `single`.
    public static var world: ProcessGroup { MPI.started ? ProcessGroup(rank: MPI.rank, size: MPI.size) : .single }

    /// Starts MPI when an MPI launcher started this process (else does nothing). Call once, first.
    public static func startIfLaunched() { MPI.start() }
    /// Finalizes MPI (when started); call before exiting.
    public static func finish() { MPI.finish() }
    /// Ends the whole job with `code` (MPI_Abort under a launcher, else exit).
    public static func abort(_ code: Int32) -> Never { MPI.abort(code) }

    public var isRoot: Bool { rank == 0 }
    /// More than one process: collective operations talk to the others.
    public var distributed: Bool { size > 1 }

    /// Rank `r`'s static contiguous share of 0..<count: [r·count/size, (r+1)·count/size).
    public func share(of count: Int, rank r: Int? = nil) -> Range<Int> {
        let r = r ?? rank
        return (r * count / size)..<((r + 1) * count / size)
    }

    /// Rank that owns item `i` of items dealt round-robin (item i → rank i mod size).
    public func dealer(_ i: Int) -> Int { i % size }

    /// Gathers fixed-size records: records 0..<count of `recordBytes` bytes each lie in `buffer`,
    /// this rank having filled those of `share(of: count)`; afterwards every rank holds all of them.
    func allgatherShares(_ buffer: UnsafeMutableRawPointer, recordBytes: Int, count: Int) {
        guard distributed else { return }
        let shares = (0..<size).map { share(of: count, rank: $0) }
        MPI.allgatherInPlace(buffer, counts: shares.map { $0.count * recordBytes },
                             displacements: shares.map { $0.lowerBound * recordBytes })
    }

    /// Every rank's bytes, in rank order (sizes may differ).
    public func allgather(_ mine: [UInt8]) -> [[UInt8]] {
        guard distributed else { return [mine] }
        let counts = MPI.allgather(mine.count)
        var offsets = [0]
        for c in counts { offsets.append(offsets.last! + c) }
        var all = [UInt8](repeating: 0, count: max(1, offsets.last!))
        all.withUnsafeMutableBytes { buf in
            mine.withUnsafeBytes { if $0.count > 0 { (buf.baseAddress! + offsets[rank]).copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
            MPI.allgatherInPlace(buf.baseAddress!, counts: counts, displacements: Array(offsets.dropLast()))
        }
        return (0..<size).map { Array(all[offsets[$0]..<offsets[$0 + 1]]) }
    }

    /// The sum of every rank's `value`, on every rank.
    public func sum(_ value: Int) -> Int {
        var mine = ByteWriter()
        mine.int(value)
        return allgather(mine.bytes).reduce(0) { total, bytes in var r = ByteReader(bytes); return total + r.int() }
    }

    /// Every rank's bytes, in rank order, on `root` alone (the other ranks get []): what only the
    /// writer needs (per-series models) travels once, not to every rank.
    public func gather(_ mine: [UInt8], root: Int = 0) -> [[UInt8]] {
        guard distributed else { return [mine] }
        let counts = MPI.gather(mine.count, root: root)
        var offsets = [0]
        for c in counts { offsets.append(offsets.last! + c) }
        var all = [UInt8](repeating: 0, count: max(1, offsets.last!))
        all.withUnsafeMutableBytes { buf in
            mine.withUnsafeBytes { send in
                MPI.gatherv(send.baseAddress, count: mine.count, into: rank == root ? buf.baseAddress : nil, counts: counts,
                            displacements: Array(offsets.dropLast()), root: root)
            }
        }
        return rank == root ? (0..<size).map { Array(all[offsets[$0]..<offsets[$0 + 1]]) } : []
    }

    /// `root`'s bytes on every rank.
    public func broadcast(_ bytes: [UInt8], root: Int = 0) -> [UInt8] {
        guard distributed else { return bytes }
        var n = Int64(bytes.count)
        MPI.broadcast(&n, count: 8, root: root)
        var out = rank == root ? bytes : [UInt8](repeating: 0, count: Int(n))
        if n > 0 { out.withUnsafeMutableBytes { MPI.broadcast($0.baseAddress!, count: Int(n), root: root) } }
        return out
    }

    /// Runs `body` on every rank, then agrees on the outcome: when it threw on any rank, every rank
    /// throws the same `ClusterError` (the lowest failing rank's message). Every rank must call this
    /// at the same point. One process: `body` alone, its error untouched.
    public func agree<T>(_ body: () throws -> T) throws -> T {
        guard distributed else { return try body() }
        var result: T?, failure: Error?
        do { result = try body() } catch { failure = error }
        try settle(failure)
        return result!
    }

    /// Runs `body` on rank 0 only (writing outputs), then shares its outcome: when it threw, every
    /// rank throws rank 0's error as a `ClusterError`.
    public func onRoot(_ body: () throws -> Void) throws {
        guard distributed else { return try body() }
        var failure: Error?
        if isRoot { do { try body() } catch { failure = error } }
        let message = broadcast(failure.map { Array(ClusterError.message(of: $0).utf8) } ?? [])
        if !message.isEmpty { throw ClusterError(rank: 0, message: String(decoding: message, as: UTF8.self)) }
    }

    /// Agrees on a local failure (nil: none): throws the lowest failing rank's error on every rank.
    public func settle(_ failure: Error?) throws {
        guard distributed else { if let failure { throw failure }; return }
        let first = MPI.allreduceMin(failure == nil ? size : rank)
        guard first < size else { return }
        let message = broadcast(failure.map { Array(ClusterError.message(of: $0).utf8) } ?? [], root: first)
        throw ClusterError(rank: first, message: String(decoding: message, as: UTF8.self))
    }
}

extension ProcessGroup {
    /// Agrees on local failures ranked by a key (e.g. a series' position in the file): every rank
    /// throws the failure with the lowest key of any rank, so the message names the same series
    /// whatever the rank count. One process: its own failure, untouched.
    public func settle(_ failure: (key: Int, error: Error)?) throws {
        guard distributed else { if let failure { throw failure.error }; return }
        let none = Int.max / max(size, 1) - 1
        let first = MPI.allreduceMin((failure?.key ?? none) * size + rank)
        guard first / size < none else { return }
        let owner = first % size
        let message = broadcast(failure.map { Array(ClusterError.message(of: $0.error).utf8) } ?? [], root: owner)
        throw ClusterError(rank: owner, message: String(decoding: message, as: UTF8.self))
    }
}

extension ClusterError {
    /// An error's one-line message (an agreed error keeps its own).
    static func message(of error: Error) -> String {
        if let e = error as? ClusterError { return e.message }
        return "\(error)"
    }
}

/// Flat little-endian bytes for what ranks exchange (fitted members): counts, raw Float and UInt8
/// arrays, read back in the same order.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func int(_ v: Int) { withUnsafeBytes(of: Int64(v).littleEndian) { bytes += $0 } }
    mutating func floats(_ v: [Float]) { int(v.count); v.withUnsafeBytes { bytes += $0 } }
    mutating func raw(_ v: [UInt8]) { int(v.count); bytes += v }
}

struct ByteReader {
    let bytes: [UInt8]
    var at = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var atEnd: Bool { at >= bytes.count }
    mutating func int() -> Int {
        var v: Int64 = 0
        withUnsafeMutableBytes(of: &v) { $0.copyBytes(from: bytes[at..<(at + 8)]) }
        at += 8
        return Int(Int64(littleEndian: v))
    }
    mutating func floats() -> [Float] {
        let n = int()
        var v = [Float](repeating: 0, count: n)
        v.withUnsafeMutableBytes { $0.copyBytes(from: bytes[at..<(at + 4 * n)]) }
        at += 4 * n
        return v
    }
    mutating func raw() -> [UInt8] {
        let n = int(); defer { at += n }
        return Array(bytes[at..<(at + n)])
    }
}
