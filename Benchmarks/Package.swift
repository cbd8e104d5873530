// swift-tools-version: 6.1
// Micro-benchmarks, a package of their own so `make test` never builds them.
// Run: cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
import PackageDescription

let package = Package(
    name: "EarshotBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "earshot", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "EarshotBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EarshotKit", package: "earshot"),
            ],
            path: "Benchmarks/EarshotBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
