// PhaseClock: where a training step's time goes, for `seqcast bench --phases` (issue 13's per-phase
// breakdown). Off by default: every instrumented section then costs one branch on a global flag.
//
// Each shard workspace owns one clock (a shard runs on one thread at a time, so its counters need no
// atomics); the Trainer owns one for its serial sections. Summed over clocks, the phases give thread
// time; the benchmark sets them against threads × wall time to show the idle share.
import Dispatch

/// The sections of a training step that are timed.
public enum Phase: Int, CaseIterable, Sendable {
    /// Copying a shard's windows into its time-major buffers.
    case gather
    /// x·Wx (+ bias, LN_x) per chunk of steps.
    case inputProjection
    /// h_{t-1}·Wh per step (+ LN_h).
    case recurrentForward
    /// The cell's gate math per step (activations, state update).
    case gatesForward
    /// The gate math's backward per step.
    case gatesBackward
    /// ∂ra·Whᵀ per step (the gradient carried to h_{t-1}).
    case recurrentBackward
    /// Bias and LN_x gradients and dX = ∂pre·Wxᵀ per chunk of steps.
    case inputBackward
    /// dWx += xᵀ·∂pre and dWh += hᵀ·∂ra per chunk of steps.
    case weightGradients
    /// A whole shard: gather, forward, loss, backward (the head, loss and dropout are the rest).
    case shard
    /// Summing the shards' gradients in shard order (serial).
    case reduction
    /// Gradient clipping and the optimizer step (serial).
    case optimizer

    public var label: String {
        switch self {
        case .gather: "gather windows"
        case .inputProjection: "input projection x·Wx"
        case .recurrentForward: "recurrent products h·Wh (forward)"
        case .gatesForward: "gate math (forward)"
        case .gatesBackward: "gate math (backward)"
        case .recurrentBackward: "recurrent products ∂ra·Whᵀ (backward)"
        case .inputBackward: "input gradients ∂pre·Wxᵀ, bias"
        case .weightGradients: "weight gradients dWx, dWh"
        case .shard: "whole shard"
        case .reduction: "shard reduction (serial)"
        case .optimizer: "clip + optimizer (serial)"
        }
    }
}

/// Nanoseconds per phase, accumulated while `PhaseClock.enabled`.
public final class PhaseClock: @unchecked Sendable {
    /// Set before training starts (the benchmark's `--phases`); never toggled while shards run.
    nonisolated(unsafe) public static var enabled = false
    private let ns: UnsafeMutablePointer<UInt64>

    /// The shared placeholder of a cache that no workspace owns (its counters are never read).
    static let unused = PhaseClock()

    public init() {
        ns = .allocate(capacity: Phase.allCases.count)
        ns.initialize(repeating: 0, count: Phase.allCases.count)
    }
    deinit { ns.deallocate() }

    @inline(__always)
    func time<R>(_ phase: Phase, _ body: () -> R) -> R {
        guard PhaseClock.enabled else { return body() }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = body()
        ns[phase.rawValue] &+= DispatchTime.now().uptimeNanoseconds &- t0
        return r
    }

    public subscript(phase: Phase) -> UInt64 { ns[phase.rawValue] }
    public func reset() { ns.update(repeating: 0, count: Phase.allCases.count) }
}
