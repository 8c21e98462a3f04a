// swift-tools-version:6.0
// seqcast: recurrent-network time-series forecasting (library SeqCast + CLI seqcast).
import PackageDescription

let package = Package(
    name: "seqcast",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SeqCast", targets: ["SeqCast"]),
        .executable(name: "seqcast", targets: ["seqcast"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        // Open MPI, for `mpirun -n N seqcast …` (Support/MPI.swift is its only importer; never called
        // unless an MPI launcher started the process).
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"])]),
        // PackedGEMM's register tiles, one per instruction set, chosen at run time (PackedGEMM.swift).
        .target(name: "CKernels"),
        .target(name: "SeqCast", dependencies: ["CBLAS", "CHDF5", "CKernels", "CMPI"]),
        .executableTarget(name: "seqcast", dependencies: [
            "SeqCast",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "SeqCastTests", dependencies: ["SeqCast"]),
    ]
)
