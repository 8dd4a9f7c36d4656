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
        .executable(name: "skit-cli", targets: ["skit-cli"]),
        .library(name: "StreamKitCore", targets: ["StreamKitCore"]),
        .library(name: "StreamKitEngine", targets: ["StreamKitEngine"]),
        .library(name: "StreamKitNodes", targets: ["StreamKitNodes"]),
        .library(name: "StreamKitComponentModel", targets: ["StreamKitComponentModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swiftwasm/WasmKit.git", from: "0.4.2"),
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
        // The HTTP API, the WebSocket control plane, configuration, roles and permissions.
        .target(
            name: "StreamKitServer",
            dependencies: [
                "StreamKitCore", "StreamKitEngine", "StreamKitNodes",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The client side: HTTP and WebSocket calls to a running server, and the load tester.
        .target(
            name: "StreamKitClient",
            dependencies: [
                "StreamKitCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "skit-cli", dependencies: ["StreamKitClient"], swiftSettings: swiftSettings),
        // The command line: `skit serve`, `skit run`, `skit validate`, `skit nodes`, `skit bench`.
        .target(
            name: "SkitCommands",
            dependencies: [
                "StreamKitCore", "StreamKitEngine", "StreamKitNodes", "StreamKitServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "skit", dependencies: ["SkitCommands"], swiftSettings: swiftSettings),
        // A WebAssembly Component Model host on WasmKit's core runtime: parser, linker, canonical
        // ABI, resources, limits and a deny-by-default WASI 0.2. It knows nothing of StreamKit.
        .target(
            name: "StreamKitComponentModel",
            dependencies: [.product(name: "WasmKit", package: "WasmKit")],
            swiftSettings: swiftSettings
        ),
        // The native plugin C ABI v2: the one header shared with plugin authors (sdk/c links to it).
        .target(name: "CStreamKitNativeABI"),

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
            name: "StreamKitServerTests",
            dependencies: [
                "StreamKitCore", "StreamKitEngine", "StreamKitNodes", "StreamKitServer", "StreamKitClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StreamKitComponentModelTests",
            dependencies: ["StreamKitComponentModel"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "StreamKitNativeABITests", dependencies: ["CStreamKitNativeABI"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SkitTests",
            dependencies: ["SkitCommands", "StreamKitCore", "StreamKitNodes", "StreamKitEngine"],
            swiftSettings: swiftSettings
        ),
    ]
)
