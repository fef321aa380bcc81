// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Gloss",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gloss", targets: ["gloss"]),
        .library(name: "GlossStore", targets: ["GlossStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(
            name: "GlossCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "GlossMerge",
            dependencies: ["GlossCore"]
        ),
        .target(
            name: "GlossStore",
            dependencies: [
                "GlossCore",
                "GlossMerge",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "gloss",
            dependencies: [
                "GlossCore",
                "GlossMerge",
                "GlossStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "GlossCoreTests", dependencies: ["GlossCore"]),
        .testTarget(name: "GlossMergeTests", dependencies: ["GlossMerge"]),
        .testTarget(
            name: "GlossStoreTests",
            dependencies: ["GlossMerge", "GlossStore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "GlossCLITests", dependencies: ["GlossCore", "gloss"]),
    ]
)
