// Concurrency: the one way seqcast spreads independent work (training shards, ensemble members,
// backtest fits, forecast chunks) over Dispatch workers.
import Dispatch
import Foundation

/// Runs `body(worker, indices)` on min(threads, n) workers; worker w gets the indices w, w + workers,
/// w + 2·workers, … of 0..<n. The assignment is static, and every caller keeps the result of index i
/// independent of the worker that computes it, so results never depend on `threads`. With one
/// worker the body runs on the calling thread. OpenBLAS is pinned to one thread first: parallelism
/// comes from the workers, and idle OpenBLAS threads busy-spin and would steal a core (measured:
/// 40% of an S1 training run at `--threads 1` went to sched_yield before this).
func concurrentWorkers(_ n: Int, threads: Int, _ body: (_ worker: Int, _ indices: StrideTo<Int>) -> Void) {
    BLAS.setThreads(1)
    guard n > 0 else { return }
    let workers = max(1, min(threads, n))
    if workers == 1 { body(0, stride(from: 0, to: n, by: 1)); return }
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: workers) { w in shared.value(w, stride(from: w, to: n, by: workers)) }
    }
}

/// Hands a value to Dispatch workers when the caller guarantees they touch disjoint memory.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Throwing work on `concurrentWorkers`: worker w runs `body(i)` for its indices in order; after the
/// first error (of any worker) no worker starts another index, and that first error is rethrown.
public func concurrentForEach(_ n: Int, threads: Int, _ body: (Int) throws -> Void) throws {
    final class FirstError: @unchecked Sendable { var error: Error?; let lock = NSLock() }
    let first = FirstError()
    concurrentWorkers(n, threads: threads) { _, indices in
        for i in indices {
            if first.lock.withLock({ first.error != nil }) { return }
            do { try body(i) } catch { first.lock.withLock { if first.error == nil { first.error = error } } }
        }
    }
    if let e = first.error { throw e }
}

/// The one parallelism policy for independent fits (ensemble members, backtest refits): several
/// tasks and several threads run the tasks concurrently, one thread each; otherwise the tasks run
/// one after another, each with every thread. Either way a task's result is the same, because
/// training does not depend on the thread count.
public struct Parallelism: Equatable, Sendable {
    /// Tasks running at once, and threads each task gets.
    public var workers: Int, threadsPerTask: Int

    public init(tasks: Int, threads: Int) {
        let t = max(1, threads)
        if tasks > 1 && t > 1 { workers = min(t, tasks); threadsPerTask = 1 } else { workers = 1; threadsPerTask = t }
    }

    public var concurrent: Bool { workers > 1 }
}
