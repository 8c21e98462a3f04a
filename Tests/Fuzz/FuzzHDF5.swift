// FuzzHDF5: libFuzzer target for the HDF5 path. Each input is written to a fresh temporary .h5 file
// and opened with HDF5File.open; then every dataset is listed and inspected (shape, type,
// attributes), read as numbers or strings, the file is loaded in series mode (DataSource.load) and
// in supervised mode (x/y), and described as `seqcast inspect` would. Library errors are expected;
// crashes are bugs (in seqcast, or in libhdf5 — scripts/fuzz.sh keeps them apart by stack), and so
// is an HDF5 file or object still open after an input (the target stops with a fatal error).
// With SEQCAST_FUZZ_MAKE_SEEDS=DIR it writes the seed corpus (FuzzSeeds.swift) into DIR and exits.
import Foundation
import SeqCast

@_cdecl("LLVMFuzzerInitialize")
public func fuzzHDF5Initialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    if let dir = ProcessInfo.processInfo.environment["SEQCAST_FUZZ_MAKE_SEEDS"] { makeHDF5Seeds(in: dir); exit(0) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHDF5(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    let open = HDF5File.openObjectCount()
    Scratch.withFile(bytes, "input.h5") { path in
        exercise(path)
        _ = try? DataSource.load(path, selection: DataSelection())
        _ = try? Inspector.describe(path)
    }
    // Every path closes what it opens: an object left open keeps its file (and the file's metadata
    // cache) alive for the rest of the process.
    let left = HDF5File.openObjectCount() - open
    if open < 0 || left != 0 { fatalError("this input left \(left) HDF5 files or objects open (before: \(open))") }
    return 0
}

private func exercise(_ path: String) {
    guard let f = try? HDF5File.open(path) else { return }
    _ = try? f.info("/")
    let names = (try? f.datasetNames()) ?? []
    for name in names.prefix(16) {
        _ = try? f.info(name)
        _ = try? f.read(name)
        _ = try? f.readStrings(name)
        _ = try? f.stringAttribute("columns", of: name)
    }
    _ = try? f.info("missing")
    _ = try? f.supervised(x: "x", y: "y")
    var sel = DataSelection()
    sel.missing = .error
    _ = try? f.series(sel)
}
