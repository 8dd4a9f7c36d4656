import Hummingbird
import Prometheus
import StreamKitPlugins
import StreamKitCore

/// The server's Prometheus metrics, served at `/metrics` (the original only pushes OTLP; a scrape
/// endpoint is what self-hosters ask for). Request counters are kept as requests happen; session,
/// node and packet figures are read from the live sessions at scrape time.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let sessionsActive: Gauge
    private let nodesActive: Gauge
    private let nodesFailed: Gauge
    private let packetsReceived: Gauge
    private let packetsSent: Gauge
    private let packetsDiscarded: Gauge
    private let packetsErrored: Gauge
    let oneshotsActive: Gauge
    let pluginsLoadedNative: Gauge
    let pluginsLoadedWasm: Gauge

    public init() {
        sessionsActive = registry.makeGauge(name: "skit_sessions_active", help: "Dynamic sessions running now")
        nodesActive = registry.makeGauge(name: "skit_nodes_active", help: "Nodes in live sessions that have not stopped")
        nodesFailed = registry.makeGauge(name: "skit_nodes_failed", help: "Nodes in live sessions that failed")
        packetsReceived = registry.makeGauge(name: "skit_node_packets", labels: [("direction", "received")], help: "Packets counted by nodes of live sessions")
        packetsSent = registry.makeGauge(name: "skit_node_packets", labels: [("direction", "sent")], help: "Packets counted by nodes of live sessions")
        packetsDiscarded = registry.makeGauge(name: "skit_node_packets", labels: [("direction", "discarded")], help: "Packets counted by nodes of live sessions")
        packetsErrored = registry.makeGauge(name: "skit_node_packets", labels: [("direction", "errored")], help: "Packets counted by nodes of live sessions")
        oneshotsActive = registry.makeGauge(name: "skit_oneshots_active", help: "Oneshot requests running now")
        pluginsLoadedNative = registry.makeGauge(name: "skit_plugins_loaded", labels: [("plugin_type", "native")], help: "Plugins loaded")
        pluginsLoadedWasm = registry.makeGauge(name: "skit_plugins_loaded", labels: [("plugin_type", "wasm")], help: "Plugins loaded")
    }

    /// Counts a finished HTTP request.
    func recordRequest(method: String, route: String, status: Int, seconds: Double) {
        registry.makeCounter(name: "skit_http_requests_total", labels: [("method", method), ("route", route), ("status", String(status))], help: "HTTP requests").increment()
        registry.makeValueHistogram(
            name: "skit_http_request_duration_seconds", labels: [("method", method), ("route", route)],
            buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5], help: "Time to the response head"
        ).record(seconds)
    }

    /// Counts a finished oneshot run by outcome (`ok`, `error`, `client_gone`).
    func recordOneshot(status: String) {
        registry.makeCounter(name: "skit_oneshots_total", labels: [("status", status)], help: "Oneshot runs").increment()
    }

    /// Counts a plugin operation (`load`, `replace`, `unload`) by plugin type.
    func recordPluginOperation(_ operation: String, type: String) {
        registry.makeCounter(name: "skit_plugin_operations_total", labels: [("operation", operation), ("plugin_type", type)], help: "Plugin loads, replacements and unloads").increment()
    }

    /// Counts a session created or destroyed.
    func recordSession(_ operation: String) {
        registry.makeCounter(name: "skit_sessions_total", labels: [("operation", operation)], help: "Sessions created and destroyed").increment()
    }

    /// The metrics in Prometheus text format, with live figures refreshed first.
    func render(sessions: SessionManager, plugins: PluginManager, oneshotsInUse: Int) async -> String {
        var totals = NodeStats()
        var active = 0
        var failed = 0
        let entries = await sessions.allEntries()
        for entry in entries {
            let snapshot = await entry.session.snapshot()
            for (_, stats) in snapshot.stats {
                totals.received += stats.received
                totals.sent += stats.sent
                totals.discarded += stats.discarded
                totals.errored += stats.errored
            }
            for (_, state) in snapshot.states {
                if case .failed = state { failed += 1 } else if !state.isFinal { active += 1 }
            }
        }
        sessionsActive.set(Double(entries.count))
        nodesActive.set(Double(active))
        nodesFailed.set(Double(failed))
        packetsReceived.set(Double(totals.received))
        packetsSent.set(Double(totals.sent))
        packetsDiscarded.set(Double(totals.discarded))
        packetsErrored.set(Double(totals.errored))
        oneshotsActive.set(Double(oneshotsInUse))
        pluginsLoadedNative.set(Double(plugins.count(of: .native)))
        pluginsLoadedWasm.set(Double(plugins.count(of: .wasm)))
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// Records every request in `ServerMetrics`.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let route = { context.endpointPath ?? "unmatched" }
        do {
            let response = try await next(request, context)
            metrics.recordRequest(method: request.method.rawValue, route: route(), status: response.status.code, seconds: Self.seconds(since: started))
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.recordRequest(method: request.method.rawValue, route: route(), status: status, seconds: Self.seconds(since: started))
            throw error
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
