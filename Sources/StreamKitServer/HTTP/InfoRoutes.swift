import Hummingbird
import StreamKitCore
import StreamKitEngine

/// Health, client configuration, the caller's permissions and the node/packet schemas.
enum InfoRoutes {
    static let version = "0.1.0"

    static func install(on router: some RouterMethods<APIRequestContext>, nodes: NodeCatalog, allowHTTPManagement: Bool) {
        let health: @Sendable (Request, APIRequestContext) async throws -> Response = { _, _ in
            JSONResponse.make(["status": "ok", "version": .string(version)])
        }
        router.get("healthz", use: health)
        router.get("health", use: health)

        // The original answers `{}` here; the UI also learns whether plugin uploads are enabled,
        // so the plugins page can name the setting before anyone tries (the key is additive).
        router.get("api/v1/config") { _, _ in
            JSONResponse.make(["allow_http_management": .bool(allowHTTPManagement)])
        }

        router.get("api/v1/permissions") { _, context in
            JSONResponse.make(["role": .string(context.caller.name), "permissions": context.caller.permissionFlags])
        }

        router.get("api/v1/schema/nodes") { _, context in
            JSONResponse.make(.array(nodes.definitions(visibleTo: context.caller).map(\.json)))
        }

        router.get("api/v1/schema/packets") { _, _ in
            JSONResponse.make(PacketTypeDescription.allJSON)
        }
    }
}
