import StreamKitCore
import Synchronization

/// Where `transport::websocket::input` and `::output` nodes meet the server's media sockets
/// (`GET /api/v1/sessions/{id}/media/{node}`, upgraded to WebSocket).
///
/// A node registers its endpoint under (session id, node id) when it starts and removes it when
/// it ends; the server looks the endpoint up when a socket connects. Nodes and sockets never
/// hold each other: each side only talks to the endpoint, so either may come and go.
public final class MediaEndpoints: Sendable {
    /// The endpoints of this process (sessions are process-wide, so are their sockets).
    public static let shared = MediaEndpoints()

    private let inputs = Mutex<[String: MediaInputEndpoint]>([:])
    private let outputs = Mutex<[String: MediaOutputEndpoint]>([:])

    public init() {}

    static func key(session: String, node: String) -> String { session + "\u{0}" + node }

    /// The input endpoint of a running `transport::websocket::input` node.
    public func input(session: String, node: String) -> MediaInputEndpoint? {
        inputs.withLock { $0[Self.key(session: session, node: node)] }
    }

    /// The output endpoint of a running `transport::websocket::output` node.
    public func output(session: String, node: String) -> MediaOutputEndpoint? {
        outputs.withLock { $0[Self.key(session: session, node: node)] }
    }

    func register(_ endpoint: MediaInputEndpoint, session: String, node: String) {
        inputs.withLock { $0[Self.key(session: session, node: node)] = endpoint }
    }

    func register(_ endpoint: MediaOutputEndpoint, session: String, node: String) {
        outputs.withLock { $0[Self.key(session: session, node: node)] = endpoint }
    }

    /// Removes an endpoint, only if it is still the one registered (a replaced node keeps its new one).
    func remove(_ endpoint: MediaInputEndpoint, session: String, node: String) {
        inputs.withLock { if $0[Self.key(session: session, node: node)] === endpoint { $0[Self.key(session: session, node: node)] = nil } }
        endpoint.close()
    }

    func remove(_ endpoint: MediaOutputEndpoint, session: String, node: String) {
        outputs.withLock { if $0[Self.key(session: session, node: node)] === endpoint { $0[Self.key(session: session, node: node)] = nil } }
        endpoint.close()
    }
}
