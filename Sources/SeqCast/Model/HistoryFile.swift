// HistoryFile: history.csv — one row per ensemble member and epoch (losses and seconds), written
// atomically beside model.h5 at every checkpoint.
import Foundation

public enum HistoryFile {
    /// history.csv: one row per member and epoch (members in order, then epochs).
    public static func write(_ members: [[EpochRecord]], to path: String) throws {
        var text = "epoch,train_loss,val_loss,seconds,member\n"
        for (m, h) in members.enumerated() {
            for r in h {
                text += "\(r.epoch),\(r.trainLoss),\(r.validationLoss.map { "\($0)" } ?? ""),\(String(format: "%.4f", r.seconds)),\(m + 1)\n"
            }
        }
        try AtomicFile.write(text, to: path)
    }
}
