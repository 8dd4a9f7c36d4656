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
        // Write native plugins in Swift.
        .library(name: "StreamKitPluginSDK", targets: ["StreamKitPluginSDK"]),
        // The Swift example plugin: `swift build -c release --product GainNativeSwift`.
        .library(name: "GainNativeSwift", type: .dynamic, targets: ["GainNativeSwift"]),
        .library(name: "StreamKitComponentModel", targets: ["StreamKitComponentModel"]),
        // Talk to a running server from another Swift program.
        .library(name: "StreamKitClient", targets: ["StreamKitClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        // The trait exposes response trailers (`HTTPClientResponse.Body.trailers`), which `skit-cli process`
        // reads for the `skit-error` of a oneshot that failed mid-response.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0", traits: ["UnstableHTTPAPIsSupport"]),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swiftwasm/WasmKit.git", from: "0.4.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // A serial queue for blocking work and a FIFO: executors and queues that know nothing of
        // packets. Below Core because every node's context hands the node a blocking queue.
        .target(name: "StreamKitScheduling", swiftSettings: swiftSettings),
        // Packets, types, pins, the node protocol and its context, the registry. No I/O.
        .target(name: "StreamKitCore", dependencies: ["StreamKitScheduling"], swiftSettings: swiftSettings),
        // JSON Schema validation of JSON values (node parameters) and filling in defaults.
        .target(name: "StreamKitSchema", dependencies: ["StreamKitCore"], swiftSettings: swiftSettings),
        // Pipeline documents, the graph and its validation, channels, the oneshot runner and dynamic sessions.
        .target(
            name: "StreamKitEngine",
            dependencies: [
                "StreamKitCore", "StreamKitScheduling", "StreamKitSchema",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The built-in nodes. Only the files under Codecs/ import the C codec libraries.
        .target(
            name: "StreamKitNodes",
            dependencies: ["StreamKitCore", "StreamKitScheduling", "COpus", "CFLAC", "CMpg123"],
            swiftSettings: swiftSettings
        ),
        // Debian's codec libraries, found with pkg-config (`make deps` installs the -dev packages).
        // The Ogg page layer and the WebM/EBML writer are written in Swift (Containers/), so
        // libogg is not linked.
        .systemLibrary(name: "COpus", pkgConfig: "opus", providers: [.apt(["libopus-dev"])]),
        .systemLibrary(name: "CFLAC", pkgConfig: "flac", providers: [.apt(["libflac-dev"])]),
        .systemLibrary(name: "CMpg123", pkgConfig: "libmpg123", providers: [.apt(["libmpg123-dev"])]),
        // Debian's JavaScriptCore (the WebKitGTK build) for core::script, found with pkg-config.
        .systemLibrary(name: "CJavaScriptCore", pkgConfig: "javascriptcoregtk-4.1", providers: [.apt(["libjavascriptcoregtk-4.1-dev"])]),
        // Nodes that reach the network: core::script (JavaScript on JavaScriptCore, with an allowlisted
        // fetch and server secrets as headers) and transport::http::fetcher. They share one outbound HTTP client.
        .target(
            name: "StreamKitScript",
            dependencies: [
                // StreamKitEngine for the script benchmark, which wires a node to the engine's channels.
                "StreamKitCore", "StreamKitEngine", "CJavaScriptCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The plugin host: each plugin node's own thread and the generic plugin node (lifecycle,
        // input, output delivery, parameter updates) that every kind of plugin runs in.
        .target(name: "StreamKitPluginHost", dependencies: ["StreamKitCore", "CStreamKitPluginHost"], swiftSettings: swiftSettings),
        // Thread naming for the plugin host (a GNU extension Swift's Glibc module does not show).
        .target(name: "CStreamKitPluginHost"),
        // WASM plugins as nodes: components of the world streamkit:plugin@0.1.0 on StreamKitComponentModel.
        .target(
            name: "StreamKitWasmPlugins",
            dependencies: [
                "StreamKitCore", "StreamKitComponentModel", "StreamKitPluginHost",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The plugin manager: the plugin directory, uploads, versions, registry entries (native and WASM).
        .target(
            name: "StreamKitPlugins",
            dependencies: [
                "StreamKitCore", "StreamKitScheduling", "StreamKitPluginHost", "StreamKitNativePlugins", "StreamKitWasmPlugins", "StreamKitComponentModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP API, the WebSocket control plane, configuration, roles and permissions.
        .target(
            name: "StreamKitServer",
            dependencies: [
                "StreamKitCore", "StreamKitScheduling", "StreamKitEngine", "StreamKitNodes", "StreamKitPlugins", "StreamKitComponentModel", "StreamKitScript",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                // The HTTP parts the connection handlers (ConnectionAdmission, WriteStallTimeout) see.
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                // Sample metadata (name, description, mode) of files that are not complete pipelines.
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The web UI, compiled into the binary (see UI/UIFiles.swift): one file to deploy.
            resources: [
                .embedInCode("UI/index.html"), .embedInCode("UI/app.css"),
                .embedInCode("UI/js/app.js"), .embedInCode("UI/js/api.js"), .embedInCode("UI/js/yaml.js"),
                .embedInCode("UI/js/schemaform.js"), .embedInCode("UI/js/designer.js"), .embedInCode("UI/js/monitor.js"),
                .embedInCode("UI/js/telemetry.js"), .embedInCode("UI/js/oneshot.js"), .embedInCode("UI/js/plugins.js"),
                .embedInCode("UI/js/wav.js"), .embedInCode("UI/js/graph.js"),
                .embedInCode("UI/js/live-audio.js"), .embedInCode("UI/js/pcm-worklet.js"), .embedInCode("UI/js/history.js"),
            ],
            swiftSettings: swiftSettings
        ),
        // The client library: HTTP and WebSocket calls to a running server and the answers' models,
        // for any Swift program that talks to a server. No node implementations, no command line.
        .target(
            name: "StreamKitClient",
            dependencies: [
                "StreamKitCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            swiftSettings: swiftSettings
        ),
        // The load tester: oneshot and dynamic-session traffic against a server, with a report.
        .target(
            name: "StreamKitLoadTest",
            dependencies: [
                // StreamKitNodes for the media sockets: the server's own PCM layout, Ogg Opus encoder
                // and decoder, and WAV reader, rather than a second copy of each.
                "StreamKitClient", "StreamKitCore", "StreamKitScheduling", "StreamKitNodes",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: swiftSettings
        ),
        // The `skit-cli` commands on the client library (and `skit-cli lt` on the load tester).
        .target(
            name: "StreamKitCLI",
            dependencies: [
                "StreamKitClient", "StreamKitLoadTest", "StreamKitCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "skit-cli", dependencies: ["StreamKitCLI"], swiftSettings: swiftSettings),
        // The command line: `skit serve`, `skit run`, `skit validate`, `skit nodes`, `skit bench`.
        .target(
            name: "SkitCommands",
            dependencies: [
                "StreamKitCore", "StreamKitScheduling", "StreamKitEngine", "StreamKitNodes", "StreamKitServer", "StreamKitNativePlugins", "StreamKitPlugins",
                "StreamKitWasmPlugins", "StreamKitComponentModel", "StreamKitScript",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "WasmKit", package: "WasmKit"),
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
        // The Swift SDK for native plugins: a protocol and one export line; depends on nothing but the ABI header.
        .target(name: "StreamKitPluginSDK", dependencies: ["CStreamKitNativeABI"], swiftSettings: swiftSettings),
        .target(
            name: "GainNativeSwift", dependencies: ["StreamKitPluginSDK"],
            path: "examples/plugins/gain-native-swift/Sources/GainNativeSwift", swiftSettings: swiftSettings
        ),
        // Crash containment around every call into a native plugin (signal handlers, recovery points).
        .target(name: "CStreamKitPluginGuard", dependencies: ["CStreamKitNativeABI"]),
        // Native plugins as nodes on the plugin host: loading, metadata, packet bridging, the crash guard.
        .target(
            name: "StreamKitNativePlugins",
            dependencies: [
                "StreamKitCore", "StreamKitPluginHost", "CStreamKitNativeABI", "CStreamKitPluginGuard",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "StreamKitCoreTests", dependencies: ["StreamKitCore"], swiftSettings: swiftSettings),
        .testTarget(name: "StreamKitSchemaTests", dependencies: ["StreamKitCore", "StreamKitSchema"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StreamKitEngineTests",
            dependencies: ["StreamKitCore", "StreamKitEngine", "StreamKitNodes"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StreamKitNodesTests",
            dependencies: [
                "StreamKitCore", "StreamKitSchema", "StreamKitEngine", "StreamKitNodes", "StreamKitPluginHost", "StreamKitNativePlugins",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StreamKitServerTests",
            dependencies: [
                "StreamKitCore", "StreamKitEngine", "StreamKitNodes", "StreamKitServer",
                "StreamKitClient", "StreamKitLoadTest", "StreamKitCLI",
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
        .testTarget(
            name: "StreamKitScriptTests",
            dependencies: [
                "StreamKitCore", "StreamKitEngine", "StreamKitScript",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "StreamKitNativeABITests", dependencies: ["CStreamKitNativeABI"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SkitTests",
            dependencies: ["SkitCommands", "StreamKitCore", "StreamKitNodes", "StreamKitEngine", "StreamKitWasmPlugins", "StreamKitComponentModel"],
            swiftSettings: swiftSettings
        ),
    ]
)
