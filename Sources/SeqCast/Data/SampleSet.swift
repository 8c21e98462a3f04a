// SampleSet: pre-cut supervised samples — inputs [N, T, D] and targets [N, K·O] (seq2vec) or
// [N, T, K·O] (seq2seq), sample-major and contiguous. Supervised HDF5 files arrive this way; series
// are not cut into one (their windows are gathered as they are trained on: WindowSource.swift).

/// Pre-cut training or validation samples. Shape key: N samples, T steps, D input dim, K·O targets.
public struct SampleSet: WindowSource, Equatable {
    public let steps: Int, inputDim: Int, targetWidth: Int
    /// Targets per step (seq2seq) rather than per sequence (seq2vec).
    public let perStep: Bool
    public private(set) var x: [Float]
    public private(set) var y: [Float]

    public init(steps: Int, inputDim: Int, targetWidth: Int, perStep: Bool, x: [Float] = [], y: [Float] = []) {
        self.steps = steps; self.inputDim = inputDim; self.targetWidth = targetWidth; self.perStep = perStep
        self.x = x; self.y = y
        precondition(x.count % max(steps * inputDim, 1) == 0 && y.count % max(targetRowWidth, 1) == 0)
        precondition(x.count / max(steps * inputDim, 1) == y.count / max(targetRowWidth, 1), "x and y sample counts differ")
    }

    /// The chronological train/validation split, the one formula for samples and series rows alike:
    /// the first n − round(n·valFraction) of `n` are for training, the rest for validation.
    public static func validationCut(count n: Int, valFraction: Double) -> Int {
        n - Int((Double(n) * valFraction).rounded())
    }

    public var count: Int { steps * inputDim == 0 ? 0 : x.count / (steps * inputDim) }

    public mutating func append(contentsOf other: SampleSet) {
        precondition(other.steps == steps && other.inputDim == inputDim && other.targetWidth == targetWidth
                     && other.perStep == perStep)
        x.append(contentsOf: other.x); y.append(contentsOf: other.y)
    }

    /// Changes the samples' values in place (x, then y), without copying them.
    public mutating func modifyValues(x fx: (inout [Float]) -> Void, y fy: (inout [Float]) -> Void) {
        fx(&x); fy(&y)
    }

    /// Copies samples `indices` into time-major buffers: x [T, b, D] and targets [b, K·O] or [T, b, K·O].
    public func gather(_ indices: ArraySlice<Int>, x xb: UnsafeMutablePointer<Float>, y yb: UnsafeMutablePointer<Float>) {
        gather(indices, offset: 0, x: xb, y: yb)
    }

    /// `gather` of samples `offset + indices`.
    func gather(_ indices: ArraySlice<Int>, offset: Int, x xb: UnsafeMutablePointer<Float>, y yb: UnsafeMutablePointer<Float>) {
        let b = indices.count, T = steps, D = inputDim, W = targetWidth
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                for (i, k) in indices.enumerated() {
                    let n = offset + k
                    let xr = xs.baseAddress! + n * T * D
                    for t in 0..<T { (xb + (t * b + i) * D).update(from: xr + t * D, count: D) }
                    if perStep {
                        let yr = ys.baseAddress! + n * T * W
                        for t in 0..<T { (yb + (t * b + i) * W).update(from: yr + t * W, count: W) }
                    } else {
                        (yb + i * W).update(from: ys.baseAddress! + n * W, count: W)
                    }
                }
            }
        }
    }
}
