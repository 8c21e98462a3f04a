// FuzzSeeds: writes the HDF5 seed corpus (Tests/Fuzz/corpus/hdf5) with seqcast's own writer:
// series mode in every rank, with and without the attributes `seqcast convert` writes, a time
// dataset, NaN, groups, a group cycle, a dataset larger than its file, and supervised x/y pairs.
// Run through the FuzzHDF5 binary: SEQCAST_FUZZ_MAKE_SEEDS=DIR (see scripts/fuzz.sh --seeds).
import Foundation
import SeqCast

func makeHDF5Seeds(in dir: String) {
    func make(_ name: String, _ body: (HDF5File) throws -> Void) {
        let path = dir + "/" + name
        unlink(path)
        do { let f = try HDF5File.create(path); try body(f); try f.close() } catch { fatalError("\(name): \(error)") }
    }
    let ramp = (0..<24).map { Float($0) * 0.5 }
    make("series-1d.h5") { try $0.write("series", shape: [24], values: ramp) }
    make("series-2d.h5") {
        try $0.write("series", shape: [12, 2], values: ramp,
                     attributes: [("columns", .string("a,b")), ("target_count", .numbers([1]))])
    }
    make("series-3d-ids.h5") {
        try $0.write("series", shape: [2, 6, 2], values: ramp,
                     attributes: [("columns", .string("y,x")), ("target_count", .numbers([1])),
                                  ("series_ids", .string("A\nB"))])
    }
    make("series-time.h5") {
        try $0.write("series", shape: [6, 1], values: Array(ramp.prefix(6)),
                     attributes: [("columns", .string("value")), ("target_count", .numbers([1])),
                                  ("time_column", .string("date")), ("time_format", .string("yearMonth")),
                                  ("time_step", .numbers([1]))])
        try $0.write("time", strings: ["2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06"])
    }
    make("series-nan.h5") { try $0.write("series", shape: [8, 1], values: [1, .nan, 3, 4, .nan, .nan, 7, 8]) }
    make("group-other-name.h5") {
        try $0.write("data/level", shape: [10], values: Array(ramp.prefix(10)))
        try $0.setRootAttribute("source", .string("seed"))
    }
    make("two-datasets.h5") {
        try $0.write("a", shape: [5], values: [1, 2, 3, 4, 5])
        try $0.write("b", shape: [5], values: [5, 4, 3, 2, 1])
    }
    make("cycle.h5") {
        try $0.write("g/inner/series", shape: [4, 1], values: [1, 2, 3, 4])
        try $0.hardLink("/", as: "g/inner/up")
    }
    make("reserved-chunked.h5") { try $0.reserve("series", shape: [64, 1], chunk: [16, 1]) }
    make("strings-only.h5") { try $0.write("time", strings: ["a", "bb", "ccc"]) }
    make("supervised-3d.h5") {
        try $0.write("x", shape: [3, 4, 2], values: ramp)
        try $0.write("y", shape: [3, 2, 1], values: Array(ramp.prefix(6)))
    }
    make("supervised-seq2seq.h5") {
        try $0.write("x", shape: [2, 3], values: Array(ramp.prefix(6)))
        try $0.write("y", shape: [2, 3, 1, 1], values: Array(ramp.prefix(6)))
    }
    make("supervised-seq2vec.h5") {
        try $0.write("x", shape: [4, 2, 1], values: Array(ramp.prefix(8)))
        try $0.write("y", shape: [4], values: [1, 2, 3, 4])
    }
    make("attributes.h5") {
        try $0.write("series", shape: [3, 1], values: [1, 2, 3],
                     attributes: [("numbers", .numbers([1, 2, 3])), ("empty", .string("")), ("note", .string("ünïcode"))])
    }
}
