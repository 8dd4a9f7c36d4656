import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import StreamKitCore
import StreamKitEngine

/// Builds the StreamKit HTTP server: the REST API, the WebSocket control plane and `/metrics`,
/// behind the browser protections, served at `/` and under `server.base_path` when set.
public enum StreamKitServer {
    /// Makes the application for `state`. `onRunning` learns the bound port (useful with port 0).
    public static func makeApplication(
        state: ServerState, metrics: ServerMetrics = ServerMetrics(), host: String, port: Int,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let basePath = state.configuration.server.basePath
        let router = Router(context: APIRequestContext.self)
        let uiDirectory = ProcessInfo.processInfo.environment[UIRoutes.directoryVariable].flatMap { $0.isEmpty ? nil : $0 }
        router.add(middleware: SecurityMiddleware(state: state, basePath: basePath))
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        install(on: router, state: state, metrics: metrics)
        UIRoutes.install(on: router, directory: uiDirectory)
        if let basePath {
            install(on: router.group(RouterPath(basePath)), state: state, metrics: metrics)
        }

        let webSocketRouter = Router(context: SocketRequestContext.self)
        ControlPlane.install(on: webSocketRouter, state: state, basePath: basePath)
        MediaSockets.install(on: webSocketRouter, state: state, basePath: basePath)

        let server = state.configuration.server
        let connections = state.connections
        // The idle timeout closes a connection that sends nothing while its request is read (or between
        // requests); Hummingbird leaves a connection alone while its response is being written, so a
        // client that stops reading is closed by WriteStallTimeout (server.write_timeout_secs).
        let writeTimeout = TimeAmount.seconds(Int64(max(1, server.writeTimeoutSecs)))
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionAdmission(limiter: connections), WriteStallTimeout(timeout: writeTimeout)],
            idleTimeout: .seconds(Int64(max(1, server.readTimeoutSecs)))
        )
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: webSocketRouter,
                configuration: .init(http1: http1, ws: ControlPlane.webSocketConfiguration(for: state))
            ),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "skit"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: state.logger
        )
    }

    /// Every HTTP route, in one place (mounted at the root and again under `base_path`). Each route
    /// family gets the services it calls, not the whole state.
    static func install(on router: some RouterMethods<APIRequestContext>, state: ServerState, metrics: ServerMetrics) {
        let server = state.configuration.server
        let limits = UploadLimits(server)
        InfoRoutes.install(on: router, nodes: state.nodeCatalog, allowHTTPManagement: state.configuration.plugins.allowHTTPManagement)
        SessionRoutes.install(on: router, sessions: state.sessionService, maxBodySize: server.maxBodySize)
        ProcessRoute.install(on: router, oneshots: state.oneshotService, limits: limits)
        PipelineParseRoute.install(on: router, pipelines: state.pipelineService, maxBodySize: server.maxBodySize)
        // A refused WebSocket upgrade (foreign Origin) falls through to this router: answer it 403.
        ControlPlane.installUpgradeFallback(on: router, state: state)
        SampleRoutes.install(on: router, samples: state.sampleService)
        AssetRoutes.install(on: router, assets: state.assetService, limits: limits)
        PluginRoutes.install(
            on: router, plugins: state.pluginService, limits: limits, maxUploadSize: state.configuration.plugins.maxUploadSize, metrics: metrics
        )
        router.get("metrics") { _, _ in
            let text = await metrics.render(sessions: state.sessions, plugins: state.plugins, oneshotsInUse: state.oneshotLimiter.inUse)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        // Unknown API paths get a JSON 404 rather than an empty body.
        router.get("api/**") { request, _ -> Response in
            throw APIError.notFound("no API route \(request.method.rawValue) \(request.uri.path)")
        }
    }
}
