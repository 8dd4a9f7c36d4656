import Hummingbird
import StreamKitCore
import StreamKitEngine

/// Health, client configuration, the caller's permissions and the node/packet schemas.
enum InfoRoutes {
    static let version = "0.1.0"

    static func install(on router: some RouterMethods<BasicRequestContext>, state: ServerState) {
        let health: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            JSONResponse.make(["status": "ok", "version": .string(version)])
        }
        router.get("healthz", use: health)
        router.get("health", use: health)

        // The original answers `{}` here; the UI also learns whether plugin uploads are enabled,
        // so the plugins page can name the setting before anyone tries (the key is additive).
        router.get("api/v1/config") { _, _ in
            JSONResponse.make(["allow_http_management": .bool(state.configuration.plugins.allowHTTPManagement)])
        }

        router.get("api/v1/permissions") { request, _ in
            let role = state.role(for: request.headers)
            var flags = JSONObject()
            for (name, value) in role.permissions.flags { flags[name] = .bool(value) }
            return JSONResponse.make(["role": .string(role.name), "permissions": .object(flags)])
        }

        router.get("api/v1/schema/nodes") { request, _ in
            let role = state.role(for: request.headers)
            return JSONResponse.make(.array(state.visibleNodeDefinitions(for: role).map(\.json)))
        }

        router.get("api/v1/schema/packets") { _, _ in
            JSONResponse.make(PacketTypeDescription.allJSON)
        }
    }
}
