// ProgressPrinter: a live progress line on a terminal, one plain line per epoch otherwise, or none.
import Foundation
import SeqCast

final class ProgressPrinter: @unchecked Sendable {
    let quiet: Bool
    let live = isatty(STDERR_FILENO) != 0
    private var lastDraw = Date.distantPast
    private var started = Date()
    private var lastValidation: Double?

    init(quiet: Bool) { self.quiet = quiet }

    private func emit(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

    func train(_ e: TrainEvent) {
        guard !quiet else { return }
        switch e {
        case .started(let text):
            started = Date()
            emit("training \(terminalSafe(text))\n")
        case .note(let text):
            emit("\(terminalSafe(text))\n")
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
                emit(String(format: "%@%@epoch %d/%d  loss %.5g%@  %.2fs%@\n", live ? "\r\u{1B}[K" : "", who, r.epoch, epochs,
                            r.trainLoss, val, r.seconds, best ? "  *" : ""))
            }
        }
    }

    func finish() { if live && !quiet { emit("\r\u{1B}[K") } }

    private func duration(_ s: Double) -> String {
        s < 60 ? String(format: "%.0fs", s) : s < 3600 ? String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60)
            : String(format: "%dh%02dm", Int(s) / 3600, Int(s) / 60 % 60)
    }
}
