// swift-tools-version: 6.0
// An Earshot scorer plugin in Swift: a dynamic library exporting the C ABI
// of earshot/scorer.h through @_cdecl. Build with `make` (see the Makefile).
import PackageDescription

let package = Package(
    name: "scorer-swift",
    products: [
        .library(name: "earshot-genre-popularity", type: .dynamic, targets: ["GenrePopularity"])
    ],
    targets: [
        // earshot/scorer.h, found with -Xcc -I$(EARSHOT_INCLUDE).
        .systemLibrary(name: "CEarshotScorer", path: "Sources/CEarshotScorer"),
        .target(name: "GenrePopularity", dependencies: ["CEarshotScorer"]),
    ],
    swiftLanguageModes: [.v6]
)
