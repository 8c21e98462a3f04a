// HDF5File: the only file that imports CHDF5. Owns every HDF5 handle in a type that closes it,
// turns every negative status into a DataError carrying the path, the dataset and the HDF5 error
// stack, and exposes plain Swift reads and writes of Float datasets and their attributes.
// Declared sizes are never trusted: element counts are multiplied with overflow checks and a read
// that would need more than half the machine's memory is refused before anything is allocated.
import CHDF5
import Foundation

/// A string or numeric attribute value.
public enum AttributeValue: Equatable, Sendable, CustomStringConvertible {
    case string(String)
    case numbers([Double])
    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .numbers(let v): return v.count == 1 ? "\(v[0])" : "[\(v.map { "\($0)" }.joined(separator: ", "))]"
        }
    }
}

/// Shape, element type and attributes of one dataset.
public struct DatasetInfo: Equatable, Sendable {
    public let name: String
    public let shape: [Int]
    public let type: String
    public let attributes: [(String, AttributeValue)]
    public static func == (a: DatasetInfo, b: DatasetInfo) -> Bool {
        a.name == b.name && a.shape == b.shape && a.type == b.type && a.attributes.elementsEqual(b.attributes) { $0 == $1 }
    }
}

/// An hid_t with the function that releases it: explicitly with `close()` (whose status writers
/// check: closing flushes caches, which can fail on a full disk), or when released.
private final class H5Handle {
    let id: hid_t
    private let release: (hid_t) -> herr_t
    private var isOpen = true
    init(_ id: hid_t, _ close: @escaping (hid_t) -> herr_t) { self.id = id; self.release = close }
    func close() -> herr_t {
        guard isOpen else { return 0 }
        isOpen = false
        return release(id)
    }
    deinit { if isOpen { _ = release(id) } }
}

/// An open HDF5 file. Closed when the value is released.
public final class HDF5File {
    public let path: String
    private let file: H5Handle

    private static let setUp: Void = { seqcast_h5_silence() }()

    private init(path: String, id: hid_t) {
        self.path = path
        file = H5Handle(id, H5Fclose)
    }

    /// Opens an existing file read-only (or read-write with `writable`).
    public static func open(_ path: String, writable: Bool = false) throws(DataError) -> HDF5File {
        _ = setUp
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        guard H5Fis_hdf5(path) > 0 else { clearStack(); throw .notHDF5(path: path) }
        try probe(path)
        let id = H5Fopen(path, writable ? seqcast_h5f_acc_rdwr() : seqcast_h5f_acc_rdonly(), seqcast_h5p_default())
        guard id >= 0 else { throw .hdf5(path: path, dataset: nil, operation: "opening the file", stack: stack()) }
        return HDF5File(path: path, id: id)
    }

    /// Reads the file's structure in a child process first (CHDF5's probe.h) unless
    /// `SEQCAST_HDF5_CHECK=0`: libhdf5 1.10 crashes on some damaged files inside one of its calls,
    /// where no check of ours can stop it; the child takes the crash and the file is reported. A
    /// file is walked once per process while its device, inode, size and modification time stay.
    private static func probe(_ path: String) throws(DataError) {
        guard ProcessInfo.processInfo.environment["SEQCAST_HDF5_CHECK"] != "0" else { return }
        var st = stat()
        guard stat(path, &st) == 0 else { return }   // H5Fopen names the problem
        let key = [UInt64(st.st_dev), UInt64(st.st_ino), UInt64(st.st_size),
                   UInt64(st.st_mtim.tv_sec), UInt64(st.st_mtim.tv_nsec)]
        if probeLock.withLock({ probed.contains(key) }) { return }
        var signal: Int32 = 0, status: Int32 = 0
        switch seqcast_h5_probe(path, &signal, &status) {
        case 0:
            probeLock.withLock { _ = probed.insert(key) }
        case 1:
            switch signal {
            case 0: throw .damagedHDF5(path: path, how: "stopped with exit status \(status)")
            case SIGALRM, SIGKILL:
                throw .uncheckedHDF5(path: path, why: signal == SIGALRM
                    ? "libhdf5 did not finish reading its groups and attributes in \(SEQCAST_H5_PROBE_SECONDS) s (a damaged file, or a machine too busy)"
                    : "the process reading its groups and attributes was killed (signal 9: out of memory?)")
            default: throw .damagedHDF5(path: path, how: "crashed (\(String(cString: strsignal(signal))), signal \(signal))")
            }
        default:
            DataNotes.post(["HDF5 files are read unchecked in this process: no child process could be made or waited for to check them first (is SIGCHLD ignored?)"])
        }
    }

    /// Files the probe has walked (device, inode, size, modification time).
    private static let probeLock = NSLock()
    nonisolated(unsafe) private static var probed: Set<[UInt64]> = []

    /// Creates a new file; fails if one exists at `path` (callers write to a fresh temporary path).
    /// With `largeAttributes` (`needsLargeAttributes`), in the HDF5 1.8+ object-header format, where
    /// an attribute may exceed the 64 KiB an object header holds (the column names of thousands of
    /// channels, the ids of thousands of series); readers then need HDF5 ≥ 1.8. Otherwise in the
    /// library's default (earliest) format, as every file before.
    public static func create(_ path: String, largeAttributes: Bool = false) throws(DataError) -> HDF5File {
        _ = setUp
        let fapl = largeAttributes ? seqcast_h5p_new_format_access() : seqcast_h5p_default()
        guard fapl >= 0 else { throw .hdf5(path: path, dataset: nil, operation: "creating file-access properties", stack: stack()) }
        defer { if largeAttributes { H5Pclose(fapl) } }
        let id = H5Fcreate(path, seqcast_h5f_acc_excl(), seqcast_h5p_default(), fapl)
        guard id >= 0 else { throw .hdf5(path: path, dataset: nil, operation: "creating the file", stack: stack()) }
        return HDF5File(path: path, id: id)
    }

    /// Does any of `attributes` come near the 64 KiB an object header holds (60 000 bytes of text)?
    public static func needsLargeAttributes(_ attributes: [(String, AttributeValue)]) -> Bool {
        attributes.contains { if case .string(let s) = $0.1 { return s.utf8.count > 60_000 } else { return false } }
    }

    /// HDF5 files and objects of files (datasets, groups, attributes) open in this process. Every
    /// path of this type closes what it opens, so the count returns to where it was once a file is
    /// released (a test and the fuzz target check it: an object left open keeps its file, with the
    /// file's metadata cache, alive).
    public static func openObjectCount() -> Int {
        _ = setUp
        return seqcast_h5_open_objects()
    }

    /// Flushes everything to disk.
    public func flush() throws(DataError) {
        try check(H5Fflush(file.id, H5F_SCOPE_GLOBAL), nil, "flushing the file")
    }

    /// Flushes and closes the file, reporting a failure (e.g. a full disk) as an error; writers call
    /// it before their temporary file is renamed into place. The value must not be used afterwards.
    public func close() throws(DataError) {
        try flush()
        try check(file.close(), nil, "closing the file")
    }

    // MARK: errors

    private static func stack() -> String {
        var buf = [CChar](repeating: 0, count: 2048)
        seqcast_h5_error_stack(&buf, buf.count)
        return cString(buf)
    }

    private static func clearStack() { var b = [CChar](repeating: 0, count: 1); seqcast_h5_error_stack(&b, 1) }

    private func check(_ status: herr_t, _ dataset: String?, _ operation: String) throws(DataError) {
        if status < 0 { throw .hdf5(path: path, dataset: dataset, operation: operation, stack: Self.stack()) }
    }

    private func handle(_ id: hid_t, _ dataset: String?, _ operation: String,
                        _ close: @escaping (hid_t) -> herr_t) throws(DataError) -> H5Handle {
        guard id >= 0 else { throw .hdf5(path: path, dataset: dataset, operation: operation, stack: Self.stack()) }
        return H5Handle(id, close)
    }

    // MARK: listing

    /// Paths of every dataset in the file (groups are walked), in name order.
    public func datasetNames() throws(DataError) -> [String] {
        final class Box { var names: [String] = [] }
        let box = Box()
        let status = withExtendedLifetime(box) {
            seqcast_h5_list_datasets(file.id, { name, ctx in
                Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue().names.append(String(cString: name!))
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        try check(status, nil, "listing datasets")
        return box.names
    }

    private func openDataset(_ name: String) throws(DataError) -> H5Handle {
        guard H5Lexists(file.id, name, seqcast_h5p_default()) > 0 else {
            Self.clearStack()
            throw .missingDataset(path: path, dataset: name, available: (try? datasetNames()) ?? [])
        }
        return try handle(H5Dopen2(file.id, name, seqcast_h5p_default()), name, "opening the dataset", H5Dclose)
    }

    private func shape(of ds: H5Handle, _ name: String) throws(DataError) -> [Int] {
        let space = try handle(H5Dget_space(ds.id), name, "reading the dataspace", H5Sclose)
        let rank = Int(H5Sget_simple_extent_ndims(space.id))
        guard rank >= 0 else { throw .hdf5(path: path, dataset: name, operation: "reading the rank", stack: Self.stack()) }
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        guard H5Sget_simple_extent_dims(space.id, &dims, nil) >= 0 else {
            throw .hdf5(path: path, dataset: name, operation: "reading the shape", stack: Self.stack())
        }
        var out: [Int] = []
        for d in dims.prefix(rank) {
            guard let n = Int(exactly: d) else {
                throw .shapeMismatch(path: path, detail: "dataset '\(shown(name))' declares a dimension of \(d), larger than this machine can index")
            }
            out.append(n)
        }
        return out
    }

    /// Elements in `shape`, checked for Int overflow and for `bytesPerElement` × count fitting in
    /// half the memory budget (Support/MemoryBudget.swift: a crafted tiny file can declare terabytes,
    /// and training holds about twice what it reads); otherwise an error saying how much memory the read needs and how much there is.
    /// (`declared`: the dataset's shape, named in the error when `shape` is only the part read.)
    func checkedCount(_ shape: [Int], bytesPerElement: Int, _ name: String, declared: [Int]? = nil) throws(DataError) -> Int {
        var count = 1
        var overflow = false
        for d in shape {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            if o { overflow = true; break }
            count = p
        }
        let budget = MemoryBudget.current, available = "\(budget.source) \(MemoryBudget.describe(Double(budget.bytes)))"
        let (bytes, o2) = count.multipliedReportingOverflow(by: max(bytesPerElement, 1))
        if overflow || o2 {
            throw .tooLarge(path: path, dataset: name, shape: declared ?? shape, needed: "more bytes than a 64-bit machine can address",
                            available: available)
        }
        if UInt64(bytes) > budget.bytes / 2 {
            throw .tooLarge(path: path, dataset: name, shape: declared ?? shape, needed: MemoryBudget.describe(Double(bytes)), available: available)
        }
        return count
    }

    /// Refuses a contiguous or compact dataset whose declared shape needs more bytes than the file
    /// stores for it (a damaged shape would otherwise be allocated before libhdf5 notices; found by
    /// `make fuzz`). Chunked datasets may legitimately store less (unwritten chunks read as fill values).
    private func checkStored(_ ds: H5Handle, _ shape: [Int], typeSize: Int, _ name: String) throws(DataError) {
        let plist = try handle(H5Dget_create_plist(ds.id), name, "reading the storage layout", H5Pclose)
        let layout = H5Pget_layout(plist.id)
        guard layout == H5D_CONTIGUOUS || layout == H5D_COMPACT else { return }
        let stored = H5Dget_storage_size(ds.id)
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? .max : $0 * $1 }
        let (needed, o) = count.multipliedReportingOverflow(by: max(typeSize, 1))
        if stored > 0 && (o || UInt64(needed) > stored) {
            throw .shapeMismatch(path: path, detail: "dataset '\(shown(name))' declares shape \(shape) (\(o ? "more than 2^63" : String(needed)) bytes) but the file stores \(stored) bytes for it; the file is damaged")
        }
    }

    private func typeDescription(_ type: hid_t) -> String {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT: return "float\(size * 8)"
        case H5T_INTEGER: return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + "\(size * 8)"
        case H5T_STRING: return "string"
        case H5T_COMPOUND: return "compound"
        case H5T_ENUM: return "enum"
        case H5T_ARRAY: return "array"
        case H5T_VLEN: return "variable-length"
        case H5T_OPAQUE: return "opaque"
        case H5T_BITFIELD: return "bitfield"
        case H5T_REFERENCE: return "reference"
        default: return "unknown type"
        }
    }

    /// Shape, type and attributes of a dataset ("/" for the file's root attributes, shape []).
    public func info(_ name: String) throws(DataError) -> DatasetInfo {
        if name == "/" { return DatasetInfo(name: "/", shape: [], type: "group", attributes: try attributes(of: "/")) }
        let ds = try openDataset(name)
        let type = try handle(H5Dget_type(ds.id), name, "reading the type", H5Tclose)
        return DatasetInfo(name: name, shape: try shape(of: ds, name), type: typeDescription(type.id),
                           attributes: try attributes(of: name))
    }

    /// The declared shape of a dataset (no attribute read, no damage or memory check).
    public func declaredShape(_ name: String) throws(DataError) -> [Int] {
        try shape(of: try openDataset(name), name)
    }

    // MARK: reading

    /// Reads a numeric dataset (any integer or float type) as Float, with its shape.
    public func read(_ name: String) throws(DataError) -> (shape: [Int], values: [Float]) {
        let (ds, dims, count) = try openNumeric(name)
        var values = [Float](repeating: 0, count: count)
        if count > 0 {
            let status = values.withUnsafeMutableBytes {
                H5Dread(ds.id, seqcast_h5t_native_float(), seqcast_h5s_all(), seqcast_h5s_all(), seqcast_h5p_default(), $0.baseAddress)
            }
            try check(status, name, "reading the data")
        }
        return (dims, values)
    }

    /// Reads a numeric dataset of rank ≥ 2 one row of its leading dimension at a time (row r of a
    /// [batch, steps, dim] dataset is [steps, dim]) into a buffer reused between rows, and calls
    /// `body(r, row)`; returns the shape. With `rows`, only those rows are read (each a hyperslab
    /// selection of the leading dimension: the others are never read), in the order given. The
    /// same checks as `read` (the rows read must fit half the memory budget: what `body` keeps of
    /// them is the caller's), without holding them twice.
    public func readRows(_ name: String, rows selected: [Int]? = nil,
                         _ body: (Int, UnsafeMutableBufferPointer<Float>) throws(DataError) -> Void) throws(DataError) -> [Int] {
        let (ds, dims, _) = try openNumeric(name, rows: selected?.count)
        guard let rows = dims.first, rows > 0 else { return dims }
        let width = dims.dropFirst().reduce(1, *)
        guard width > 0 else { return dims }
        if let bad = selected?.first(where: { !(0..<rows).contains($0) }) {
            throw .shapeMismatch(path: path, detail: "dataset '\(shown(name))' has \(rows) rows (shape \(dims)); row \(bad) does not exist")
        }
        var row = [Float](repeating: 0, count: width)
        for r in selected ?? Array(0..<rows) {
            let status = row.withUnsafeMutableBufferPointer { seqcast_h5_read_rows(ds.id, hsize_t(r), 1, $0.baseAddress) }
            try check(status, name, "reading the data")
            try row.withUnsafeMutableBufferPointer { (p) throws(DataError) in try body(r, p) }
        }
        return dims
    }

    /// The shape of a numeric dataset, after the checks a read makes (type, damage, memory); with
    /// `rows`, the memory check is for that many rows of its leading dimension (what `readRows` reads).
    public func checkedShape(_ name: String, rows: Int? = nil) throws(DataError) -> [Int] { try openNumeric(name, rows: rows).1 }

    /// Opens a numeric dataset for reading as Float: its handle, shape and element count, after the
    /// damage and memory checks (of the whole dataset, or of `rows` rows of its leading dimension).
    private func openNumeric(_ name: String, rows: Int? = nil) throws(DataError) -> (H5Handle, [Int], Int) {
        let ds = try openDataset(name)
        let type = try handle(H5Dget_type(ds.id), name, "reading the type", H5Tclose)
        let cls = H5Tget_class(type.id)
        guard cls == H5T_FLOAT || cls == H5T_INTEGER else {
            throw .nonNumericDataset(path: path, dataset: name, type: typeDescription(type.id))
        }
        let width = try numberWidth(type.id, name)
        let dims = try shape(of: ds, name)
        try checkStored(ds, dims, typeSize: width, name)
        let read = rows.map { n in dims.isEmpty ? dims : [n] + dims.dropFirst() } ?? dims
        let count = try checkedCount(read, bytesPerElement: MemoryLayout<Float>.size, name, declared: dims)
        return (ds, dims, count)
    }

    /// No integer or floating-point type is wider than 16 bytes (a long double).
    static let widestNumber = 16

    /// The bytes of one element of a numeric type, refused when wider than any number: reading
    /// converts through a buffer of at least one element, so a damaged type size (a 2 kB file found
    /// by `make fuzz` declares floats of 1 936 682 051 bytes) had libhdf5 allocate that much, with
    /// no check counting it, before it noticed the data is missing.
    private func numberWidth(_ type: hid_t, _ name: String) throws(DataError) -> Int {
        let width = H5Tget_size(type)
        guard width >= 1, width <= Self.widestNumber else {
            throw .shapeMismatch(path: path, detail: "dataset '\(shown(name))' declares numbers of \(width) bytes each (\(typeDescription(type))), wider than any integer or floating-point type (at most \(Self.widestNumber)); the file is damaged")
        }
        return width
    }

    // MARK: writing

    /// Dataset creation properties without the object's access/modification times, so the same
    /// content makes the same bytes (a pipeline can compare outputs by hash); the time a file was
    /// made is its `created` attribute (`createdTimestamp`, which honours SOURCE_DATE_EPOCH).
    private func creationProperties(_ name: String) throws(DataError) -> H5Handle {
        let dcpl = try handle(H5Pcreate(seqcast_h5p_dataset_create()), name, "creating dataset properties", H5Pclose)
        try check(H5Pset_obj_track_times(dcpl.id, false), name, "turning off object times")
        return dcpl
    }

    /// Writes a new float32 dataset of `shape` (rank 1–4) with attributes.
    public func write(_ name: String, shape: [Int], values: [Float],
                      attributes: [(String, AttributeValue)] = []) throws(DataError) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        var dims = shape.map { hsize_t($0) }
        let space = try handle(H5Screate_simple(Int32(dims.count), &dims, nil), name, "creating the dataspace", H5Sclose)
        let lcpl = try handle(H5Pcreate(seqcast_h5p_link_create()), name, "creating link properties", H5Pclose)
        try check(H5Pset_create_intermediate_group(lcpl.id, 1), name, "allowing groups in the path")
        let dcpl = try creationProperties(name)
        let ds = try handle(H5Dcreate2(file.id, name, seqcast_h5t_native_float(), space.id, lcpl.id,
                                       dcpl.id, seqcast_h5p_default()), name, "creating the dataset", H5Dclose)
        if !values.isEmpty {
            let status = values.withUnsafeBytes {
                H5Dwrite(ds.id, seqcast_h5t_native_float(), seqcast_h5s_all(), seqcast_h5s_all(), seqcast_h5p_default(), $0.baseAddress)
            }
            try check(status, name, "writing the data")
        }
        for (key, value) in attributes { try setAttribute(key, value, on: ds.id, name) }
        try check(ds.close(), name, "closing the dataset")
    }

    /// Creates a float32 dataset of `shape` without writing data (reads give zeros until written);
    /// `chunk` gives chunked storage. Space is allocated only when written, so a file can declare
    /// a dataset far larger than itself (tests of the size checks use this).
    public func reserve(_ name: String, shape: [Int], chunk: [Int]? = nil) throws(DataError) {
        var dims = shape.map { hsize_t($0) }
        let space = try handle(H5Screate_simple(Int32(dims.count), &dims, nil), name, "creating the dataspace", H5Sclose)
        let dcpl = try creationProperties(name)
        if var c = chunk?.map({ hsize_t($0) }) {
            try check(H5Pset_chunk(dcpl.id, Int32(c.count), &c), name, "setting the chunk shape")
        }
        _ = try handle(H5Dcreate2(file.id, name, seqcast_h5t_native_float(), space.id, seqcast_h5p_default(), dcpl.id,
                                  seqcast_h5p_default()), name, "creating the dataset", H5Dclose)
    }

    /// Hard-links the object at `target` under the new path `link`, e.g. a group inside itself.
    public func hardLink(_ target: String, as link: String) throws(DataError) {
        try check(seqcast_h5_hard_link(file.id, target, link), link, "linking to '\(target)'")
    }

    /// Writes a dataset of fixed-length UTF-8 strings (e.g. time labels): 1-D, or of `shape` (row-major).
    public func write(_ name: String, strings: some Collection<String>, shape: [Int]? = nil) throws(DataError) {
        let width = max(strings.reduce(1) { max($0, $1.utf8.count) }, 1)
        var bytes = [UInt8](repeating: 0, count: width * strings.count)
        for (i, s) in strings.enumerated() { for (j, b) in s.utf8.enumerated() { bytes[i * width + j] = b } }
        let type = try handle(H5Tcopy(seqcast_h5t_c_s1()), name, "creating a string type", H5Tclose)
        try check(H5Tset_size(type.id, width), name, "sizing a string type")
        try check(H5Tset_strpad(type.id, H5T_STR_NULLPAD), name, "setting string padding")
        try check(H5Tset_cset(type.id, H5T_CSET_UTF8), name, "setting UTF-8")
        var dims = (shape ?? [strings.count]).map { hsize_t($0) }
        precondition(shape.map { $0.reduce(1, *) == strings.count } ?? true, "string dataset shape does not hold the strings")
        let space = try handle(H5Screate_simple(Int32(dims.count), &dims, nil), name, "creating the dataspace", H5Sclose)
        let dcpl = try creationProperties(name)
        let ds = try handle(H5Dcreate2(file.id, name, type.id, space.id, seqcast_h5p_default(), dcpl.id,
                                       seqcast_h5p_default()), name, "creating the dataset", H5Dclose)
        if !strings.isEmpty {
            try check(H5Dwrite(ds.id, type.id, seqcast_h5s_all(), seqcast_h5s_all(), seqcast_h5p_default(), &bytes),
                      name, "writing the data")
        }
        try check(ds.close(), name, "closing the dataset")
    }

    /// Reads a dataset of fixed-length strings (of any shape, in row-major order).
    public func readStrings(_ name: String) throws(DataError) -> [String] {
        let ds = try openDataset(name)
        let type = try handle(H5Dget_type(ds.id), name, "reading the type", H5Tclose)
        guard H5Tget_class(type.id) == H5T_STRING, H5Tis_variable_str(type.id) == 0 else {
            throw .nonNumericDataset(path: path, dataset: name, type: typeDescription(type.id) + " (expected fixed-length strings)")
        }
        let width = H5Tget_size(type.id), dims = try shape(of: ds, name)
        try checkStored(ds, dims, typeSize: width, name)
        let n = try checkedCount(dims, bytesPerElement: width, name)
        _ = try checkedCount(dims, bytesPerElement: width + 16, name)   // the Strings too
        var bytes = [UInt8](repeating: 0, count: width * n)
        if n > 0 {
            try check(H5Dread(ds.id, type.id, seqcast_h5s_all(), seqcast_h5s_all(), seqcast_h5p_default(), &bytes),
                      name, "reading the data")
        }
        return (0..<n).map { i in String(decoding: bytes[(i * width)..<((i + 1) * width)].prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// Sets an attribute on the file's root group.
    public func setRootAttribute(_ key: String, _ value: AttributeValue) throws(DataError) {
        try setAttribute(key, value, on: file.id, "/")
    }

    private func setAttribute(_ key: String, _ value: AttributeValue, on obj: hid_t, _ name: String) throws(DataError) {
        if H5Aexists(obj, key) > 0 { try check(H5Adelete(obj, key), name, "replacing attribute '\(key)'") }
        switch value {
        case .string(let s):
            let bytes = Array(s.utf8)
            let type = try handle(H5Tcopy(seqcast_h5t_c_s1()), name, "creating a string type", H5Tclose)
            try check(H5Tset_size(type.id, max(bytes.count, 1)), name, "sizing a string type")
            try check(H5Tset_cset(type.id, H5T_CSET_UTF8), name, "setting UTF-8")
            let space = try handle(H5Screate(H5S_SCALAR), name, "creating a scalar dataspace", H5Sclose)
            let attr = try handle(H5Acreate2(obj, key, type.id, space.id, seqcast_h5p_default(), seqcast_h5p_default()),
                                  name, "creating attribute '\(key)'", H5Aclose)
            var padded = bytes.isEmpty ? [UInt8(0)] : bytes
            try check(H5Awrite(attr.id, type.id, &padded), name, "writing attribute '\(key)'")
            try check(attr.close(), name, "closing attribute '\(key)'")
        case .numbers(let v):
            var dims = [hsize_t(v.count)]
            let space = try handle(v.count == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil),
                                   name, "creating a dataspace", H5Sclose)
            let attr = try handle(H5Acreate2(obj, key, seqcast_h5t_native_double(), space.id, seqcast_h5p_default(),
                                             seqcast_h5p_default()), name, "creating attribute '\(key)'", H5Aclose)
            var values = v
            try check(H5Awrite(attr.id, seqcast_h5t_native_double(), &values), name, "writing attribute '\(key)'")
            try check(attr.close(), name, "closing attribute '\(key)'")
        }
    }

    /// Attributes of a dataset, or of the root group for "/", in name order (`inspect` lists them
    /// all; readers that know what they want ask for it by name, `attribute(_:of:)`).
    public func attributes(of name: String) throws(DataError) -> [(String, AttributeValue)] {
        let obj = try openObject(name)
        final class Box { var names: [String] = [] }
        let box = Box()
        let status = withExtendedLifetime(box) {
            seqcast_h5_list_attributes(obj.id, { n, ctx in
                Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue().names.append(String(cString: n!))
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        try check(status, name, "listing attributes")
        var out: [(String, AttributeValue)] = []
        for key in box.names {
            if let value = try readAttribute(key, of: obj, name, listing: true) { out.append((key, value)) }
        }
        return out
    }

    /// One attribute of a dataset or "/", by name; nil when absent (or an array of strings, which
    /// none of seqcast's attributes is). Looked up by name, not by listing the object's attributes:
    /// libhdf5 1.10 crashes building the list of some damaged attribute tables (`make fuzz`).
    public func attribute(_ key: String, of name: String = "/") throws(DataError) -> AttributeValue? {
        let obj = try openObject(name)
        let exists = H5Aexists(obj.id, key)
        guard exists >= 0 else { throw .hdf5(path: path, dataset: name == "/" ? nil : name, operation: "looking up attribute '\(key)'", stack: Self.stack()) }
        return exists > 0 ? try readAttribute(key, of: obj, name, listing: false) : nil
    }

    /// A string attribute of a dataset or "/", if present.
    public func stringAttribute(_ key: String, of name: String = "/") throws(DataError) -> String? {
        if case .string(let s)? = try attribute(key, of: name) { return s }
        return nil
    }

    private func openObject(_ name: String) throws(DataError) -> H5Handle {
        try handle(H5Oopen(file.id, name, seqcast_h5p_default()), name == "/" ? nil : name, "opening the object", H5Oclose)
    }

    /// One attribute's value. Types seqcast never writes (compound, enum, …) are described for a
    /// `listing` (inspect) and nil otherwise; a damaged number width is described, or an error.
    private func readAttribute(_ key: String, of obj: H5Handle, _ name: String, listing: Bool) throws(DataError) -> AttributeValue? {
        let attr = try handle(H5Aopen(obj.id, key, seqcast_h5p_default()), name, "opening attribute '\(key)'", H5Aclose)
        let type = try handle(H5Aget_type(attr.id), name, "reading attribute type", H5Tclose)
        switch H5Tget_class(type.id) {
        case H5T_STRING:
            var buf = [CChar](repeating: 0, count: 1 << 16)
            var n = seqcast_h5_read_string_attr(attr.id, &buf, buf.count)
            if n == -2 { return nil }   // an array of strings: none of seqcast's attributes, and never read as one
            if n >= buf.count {
                _ = try checkedCount([n, 1], bytesPerElement: 1, "\(name) attribute '\(key)'")
                buf = [CChar](repeating: 0, count: n + 1); n = seqcast_h5_read_string_attr(attr.id, &buf, buf.count)
            }
            guard n >= 0 else { throw .hdf5(path: path, dataset: name, operation: "reading attribute '\(key)'", stack: Self.stack()) }
            return .string(cString(buf))
        case H5T_INTEGER, H5T_FLOAT:
            // A damaged element width would have libhdf5 allocate that much to convert one element.
            guard (1...Self.widestNumber).contains(H5Tget_size(type.id)) else {
                if listing { return .string("<\(typeDescription(type.id)): damaged>") }
                throw .badAttribute(path: path, dataset: name, attribute: key,
                                    problem: "declares numbers of \(H5Tget_size(type.id)) bytes each, wider than any number type; the file is damaged")
            }
            let space = try handle(H5Aget_space(attr.id), name, "reading attribute space", H5Sclose)
            let count = try checkedCount([max(Int(H5Sget_simple_extent_npoints(space.id)), 0)],
                                         bytesPerElement: MemoryLayout<Double>.size, "\(name) attribute '\(key)'")
            var values = [Double](repeating: 0, count: count)
            try check(H5Aread(attr.id, seqcast_h5t_native_double(), &values), name, "reading attribute '\(key)'")
            return .numbers(values)
        default:
            return listing ? .string("<\(typeDescription(type.id))>") : nil
        }
    }
}

/// The NUL-terminated UTF-8 text at the start of `buf`.
private func cString(_ buf: [CChar]) -> String {
    let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
