// FuzzCSV: libFuzzer target for the CSV path — the public DataSource.load and Inspector.describe
// on the input as a .csv file, then CSVTable.parse and series(_:) with selections derived from the
// input (missing policy, time/id/target columns named from its header). Errors thrown by the
// library are expected; a crash, hang or sanitizer report is a bug. Built and run by `make fuzz`.
import Foundation
import SeqCast

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    Scratch.withFile(bytes, "input.csv") { path in
        _ = try? DataSource.load(path, selection: DataSelection())
        _ = try? Inspector.describe(path)
    }
    guard let table = try? CSVTable.parse(Array(bytes), path: "fuzz.csv") else { return 0 }
    let h = digest(bytes), header = table.header
    var sel = DataSelection()
    sel.missing = MissingPolicy.allCases[Int(h % UInt64(MissingPolicy.allCases.count))]
    if !header.isEmpty {
        let pick = { (shift: UInt64) in header[Int((h >> shift) % UInt64(header.count))] }
        if h & 0x100 != 0 { sel.timeColumn = pick(9) }
        if h & 0x200 != 0 { sel.idColumn = pick(17) }
        if h & 0x400 != 0 { sel.targets = [pick(25)] }
        if h & 0x800 != 0 { sel.covariates = [pick(33)] }
    }
    _ = try? table.series(sel)
    for c in header.indices { _ = table.profile(c) }
    return 0
}
