// swift-tools-version: 6.1
import PackageDescription

/// Settings shared by every target: Swift 6 language mode (strict concurrency) comes
/// with the tools version; `ExistentialAny` makes every existential say `any`.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "StreamKit",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "skit", targets: ["skit"]),
        .library(name: "StreamKitCore", targets: ["StreamKitCore"]),
        .library(name: "StreamKitEngine", targets: ["StreamKitEngine"]),
        .library(name: "StreamKitNodes", targets: ["StreamKitNodes"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Packets, types, pins, the node protocol and the registry. No I/O, no dependencies.
        .target(name: "StreamKitCore", swiftSettings: swiftSettings),
        // Pipeline documents, validation, channels, the oneshot runner and dynamic sessions.
        .target(
            name: "StreamKitEngine",
            dependencies: [
                "StreamKitCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The built-in nodes, pure Swift.
        .target(name: "StreamKitNodes", dependencies: ["StreamKitCore"], swiftSettings: swiftSettings),
        // The command line: `skit run`, `skit validate`, `skit nodes`, `skit bench`.
        .target(
            name: "SkitCommands",
            dependencies: [
                "StreamKitCore", "StreamKitEngine", "StreamKitNodes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "skit", dependencies: ["SkitCommands"], swiftSettings: swiftSettings),

        .testTarget(name: "StreamKitCoreTests", dependencies: ["StreamKitCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StreamKitEngineTests",
            dependencies: ["StreamKitCore", "StreamKitEngine", "StreamKitNodes"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StreamKitNodesTests",
            dependencies: ["StreamKitCore", "StreamKitEngine", "StreamKitNodes"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SkitTests",
            dependencies: ["SkitCommands", "StreamKitCore", "StreamKitNodes", "StreamKitEngine"],
            swiftSettings: swiftSettings
        ),
    ]
)
