// swift-tools-version: 6.1
import PackageDescription

// The modules that train models and scan matrices are optimized in debug
// builds too: the end-to-end tests train and serve real models on the real
// data, which unoptimized code makes several times slower (the tests: 651 s
// unoptimized, 330 s so).
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

/// A built-in scorer plugin: `Plugins/NAME`, which sees the scoring API only.
func scorerPlugin(_ name: String) -> Target {
    .target(name: name, dependencies: ["EarshotScoring"], path: "Plugins/\(name)", swiftSettings: optimizedInDebug)
}

let package = Package(
    name: "earshot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "earshotd", targets: ["earshotd"]),
        .executable(name: "earshot", targets: ["earshot"]),
        // For the micro-benchmarks package in Benchmarks/.
        .library(name: "EarshotKit", targets: ["EarshotProtocol", "EarshotScoring"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev, libsystemd-dev).
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]),
        // The scorer plugin ABI, include/earshot/scorer.h.
        .systemLibrary(name: "CEarshotScorer", path: "Sources/CEarshotScorer"),
        // glibc's malloc.h (malloc_trim).
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),

        // Pure modules: no I/O.
        // ISO 8601 and calendar arithmetic, shared by the protocol and the catalogue.
        .target(name: "EarshotTime"),
        .target(name: "EarshotProtocol", dependencies: ["EarshotTime"]),
        // The scorer plugin API; re-exports the kernels and the catalogue's types it is written in.
        .target(
            name: "EarshotScoring", dependencies: ["EarshotKernels", "EarshotCatalogueTypes", "EarshotANN", "CEarshotKernels"],
            swiftSettings: optimizedInDebug),
        // Blocked scoring kernels in C for batched passes: an AVX2 path chosen at run time.
        .target(name: "CEarshotKernels"),
        // Dense float kernels and top-k selection.
        .target(name: "EarshotKernels", swiftSettings: optimizedInDebug),
        // The in-memory catalogue: tracks, audio features, song identity.
        .target(name: "EarshotCatalogueTypes"),
        // HNSW graphs for maximum inner product search.
        .target(name: "EarshotANN", dependencies: ["CEarshotKernels"], swiftSettings: optimizedInDebug),
        .target(name: "EarshotClient"),

        // I/O modules.
        .target(
            name: "EarshotSnapshot",
            dependencies: ["EarshotScoring", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "EarshotCatalogue", dependencies: ["CSQLite", "EarshotScoring", "EarshotTime"], swiftSettings: optimizedInDebug),
        // Scorer plugins loaded at run time (dlopen) through the C ABI.
        .target(
            name: "EarshotPlugins",
            dependencies: ["CEarshotScorer", "EarshotScoring", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "EarshotSystemd",
            dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "EarshotServer",
            dependencies: [
                "EarshotProtocol", "EarshotScoring", "EarshotCatalogue", "EarshotSnapshot", "EarshotTime",
                "EarshotSystemd", "EarshotPlugins", "CMalloc",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]),

        // Scorer plugins: each depends on EarshotScoring only.
        scorerPlugin("ContentSimilarity"), scorerPlugin("MatrixFactorization"), scorerPlugin("TwoTower"),
        scorerPlugin("Popular"), scorerPlugin("Artists"), scorerPlugin("Blend"),

        // The built-in scorers, in one registry.
        .target(
            name: "EarshotScorers",
            dependencies: [
                "EarshotScoring", "EarshotSnapshot", "ContentSimilarity", "MatrixFactorization", "TwoTower", "Popular", "Artists",
                "Blend",
            ]),

        // Training and offline evaluation.
        .target(
            name: "EarshotTraining", dependencies: ["EarshotScoring", "EarshotSnapshot", "COpenBLAS"],
            swiftSettings: optimizedInDebug),

        // The snapshot lifecycle: retraining with a quality gate, gc, rollback.
        .target(
            name: "EarshotRetrain",
            dependencies: [
                "EarshotCatalogue", "EarshotScoring", "EarshotSnapshot", "EarshotTraining", "EarshotClient",
                "MatrixFactorization", "TwoTower", "Blend", "EarshotScorers",
            ]),

        // Executables: thin.
        .executableTarget(
            name: "earshotd",
            dependencies: [
                "EarshotServer", "EarshotSystemd", "EarshotScoring", "EarshotScorers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "earshot",
            dependencies: [
                "EarshotCatalogue", "EarshotProtocol", "EarshotSnapshot", "EarshotClient", "EarshotTraining",
                "EarshotScoring", "EarshotANN", "MatrixFactorization", "TwoTower", "EarshotScorers", "EarshotPlugins",
                "EarshotRetrain", "EarshotServer",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Tests.
        .testTarget(name: "EarshotTimeTests", dependencies: ["EarshotTime"]),
        .testTarget(name: "EarshotProtocolTests", dependencies: ["EarshotProtocol"]),
        .testTarget(name: "EarshotScoringTests", dependencies: ["EarshotScoring", "EarshotANN"]),
        .testTarget(name: "EarshotANNTests", dependencies: ["EarshotANN"]),
        .testTarget(name: "EarshotSnapshotTests", dependencies: ["EarshotSnapshot", "EarshotScoring"]),
        .testTarget(name: "EarshotCatalogueTests", dependencies: ["EarshotCatalogue", "EarshotTime"], exclude: ["Fixtures"]),
        .testTarget(name: "ContentSimilarityTests", dependencies: ["ContentSimilarity", "EarshotScoring"]),
        .testTarget(name: "TwoTowerTests", dependencies: ["TwoTower", "EarshotScoring", "EarshotTraining"]),
        .testTarget(name: "MatrixFactorizationTests", dependencies: ["MatrixFactorization", "EarshotScoring"]),
        .testTarget(
            name: "EarshotTrainingTests",
            dependencies: ["EarshotTraining", "EarshotScoring", "EarshotSnapshot", "MatrixFactorization"]),
        .testTarget(name: "BlendTests", dependencies: ["Blend", "Popular", "Artists", "EarshotScoring"]),
        .testTarget(name: "EarshotSystemdTests", dependencies: ["EarshotSystemd"]),
        .testTarget(name: "EarshotPluginsTests", dependencies: ["EarshotPlugins", "EarshotScoring"]),
        .testTarget(
            name: "EarshotServerTests",
            dependencies: ["EarshotServer", "EarshotProtocol", "EarshotCatalogue", "EarshotScoring"]),
        .testTarget(name: "EndToEndTests", dependencies: ["EarshotProtocol", "EarshotClient", "EarshotCatalogueTypes", "EarshotTime"]),
        .testTarget(
            name: "EarshotRetrainTests",
            dependencies: ["EarshotRetrain", "EarshotSnapshot", "EarshotCatalogue", "EarshotTraining"]),
    ],
    swiftLanguageModes: [.v6]
)
