// ProgressPrinter: the one progress path for `train` and `backtest` — a live line on a terminal,
// plain lines otherwise, or nothing with --quiet. Events arrive from concurrently training
// members and fits, so every event is handled under one lock (state and output alike).
import Foundation
import SeqCast

final class ProgressPrinter: @unchecked Sendable {
    let quiet: Bool
    let live = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()
    // Guarded by `lock`.
    private var lastDraw = Date.distantPast
    private var started = Date()
    private var lastValidation: Double?

    init(quiet: Bool) { self.quiet = quiet }

    private func emit(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

    /// A line that replaces the live line on a terminal.
    private func line(_ s: String) { emit((live ? "\r\u{1B}[K" : "") + s + "\n") }

    func train(_ e: TrainEvent) {
        guard !quiet else { return }
        lock.withLock { handle(e) }
    }

    func backtest(_ e: BacktestEvent) {
        guard !quiet else { return }
        lock.withLock {
            switch e {
            case .started(let s): started = Date(); emit("backtest \(terminalSafe(s))\n")
            case .note(let s): line("note: \(terminalSafe(s))")
            case .origin(let done, let total, let elapsed):
                let eta = elapsed / Double(done) * Double(total - done)
                let text = String(format: "origin %d of %d  %.1fs elapsed  ETA %@", done, total, elapsed, duration(eta))
                emit(live ? "\r\u{1B}[K" + text : text + "\n")
            }
        }
    }

    private func handle(_ e: TrainEvent) {
        switch e {
        case .started(let text):
            started = Date()
            emit("training \(terminalSafe(text))\n")
        case .note(let text):
            line(terminalSafe(text))
        case .batch(let epoch, let epochs, let b, let n, let loss, let rate):
            guard live, Date().timeIntervalSince(lastDraw) > 0.1 || b == n else { return }
            lastDraw = Date()
            let elapsed = Date().timeIntervalSince(started)
            let done = Double(epoch - 1) + Double(b) / Double(n)
            let eta = done > 0 ? elapsed / done * (Double(epochs) - done) : 0
            let val = lastValidation.map { String(format: "  val %.5g", $0) } ?? ""
            emit(String(format: "\r\u{1B}[Kepoch %d/%d  batch %d/%d  loss %.5g%@  %.0f seq/s  ETA %@",
                        epoch, epochs, b, n, loss, val, rate, duration(eta)))
        case .epoch(let r, let epochs, let best, let member, let members):
            lastValidation = r.validationLoss
            let val = r.validationLoss.map { String(format: "  val %.5g", $0) } ?? ""
            let who = members > 1 ? "member \(member + 1)/\(members)  " : ""
            if !live || members > 1 {
                line(String(format: "%@epoch %d/%d  loss %.5g%@  %.2fs%@", who, r.epoch, epochs,
                            r.trainLoss, val, r.seconds, best ? "  *" : ""))
            }
        }
    }

    /// Clears the live line.
    func finish() { if live && !quiet { lock.withLock { emit("\r\u{1B}[K") } } }

    private func duration(_ s: Double) -> String {
        s < 60 ? String(format: "%.0fs", s) : s < 3600 ? String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60)
            : String(format: "%dh%02dm", Int(s) / 3600, Int(s) / 60 % 60)
    }
}
