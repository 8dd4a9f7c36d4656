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

    private let endpoints = Mutex<[String: any MediaEndpoint]>([:])

    public init() {}

    static func key(session: String, node: String) -> String { session + "\u{0}" + node }

    /// The input endpoint of a running `transport::websocket::input` node.
    public func input(session: String, node: String) -> MediaInputEndpoint? {
        endpoints.withLock { $0[Self.key(session: session, node: node)] } as? MediaInputEndpoint
    }

    /// The output endpoint of a running `transport::websocket::output` node.
    public func output(session: String, node: String) -> MediaOutputEndpoint? {
        endpoints.withLock { $0[Self.key(session: session, node: node)] } as? MediaOutputEndpoint
    }

    /// Makes `endpoint` the one of the `kind` node running with `context`, until the returned
    /// registration ends. Throws for a node outside a dynamic session: its socket would have no address.
    func register(_ endpoint: any MediaEndpoint, for context: NodeContext, kind: String) throws -> Registration {
        guard let session = context.sessionID else {
            throw StreamKitError.configuration("\(kind) needs a dynamic session (its socket lives under /api/v1/sessions/{session})")
        }
        let key = Self.key(session: session, node: context.nodeID)
        endpoints.withLock { $0[key] = endpoint }
        return Registration(endpoints: self, key: key, endpoint: endpoint)
    }

    /// An endpoint's time as the registered one; `end()` it when the node stops.
    struct Registration {
        fileprivate let endpoints: MediaEndpoints
        fileprivate let key: String
        fileprivate let endpoint: any MediaEndpoint

        /// Removes the endpoint, only if it is still the one registered (a replaced node keeps
        /// its new one), and closes it.
        func end() {
            endpoints.endpoints.withLock { if $0[key] === endpoint { $0[key] = nil } }
            endpoint.close()
        }
    }
}

/// What both kinds of media endpoint offer the registry: they can be closed when their node ends.
protocol MediaEndpoint: AnyObject, Sendable {
    /// The node has ended: sockets see the end of the stream.
    func close()
}

extension MediaInputEndpoint: MediaEndpoint {}
extension MediaOutputEndpoint: MediaEndpoint {}
