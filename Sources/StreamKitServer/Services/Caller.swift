import StreamKitCore

/// Who is asking: the role name a request or connection resolved to, and that role's permissions.
///
/// The transports resolve it once (HTTP per request in ``SecurityMiddleware``, WebSocket per
/// connection) and hand it to the services, which make every authorization decision from it.
public struct Caller: Sendable, Equatable {
    /// The role name as requested: what sessions record as their owner and `/api/v1/permissions` reports.
    public var name: String
    /// The permissions in force.
    public var permissions: RolePermissions

    /// Creates a caller.
    public init(name: String, permissions: RolePermissions) {
        self.name = name
        self.permissions = permissions
    }

    /// The caller a resolved role stands for (a refused role has no permissions).
    public init(_ role: ResolvedRole) {
        self.init(name: role.name, permissions: role.permissions)
    }

    /// A caller with no permissions at all: what a handler sees if no role was resolved for it.
    public static let nobody = Caller(name: "", permissions: RolePermissions())

    /// Throws ``ServiceError/permissionDenied(_:)`` unless the caller's role grants `operation`.
    /// Transports that must refuse before reading a request body call it first; the services call it again.
    public func authorize(_ operation: ServiceOperation) throws(ServiceError) {
        let (granted, refusal) = operation.check(permissions)
        guard granted else { throw .permissionDenied(refusal) }
    }

    /// Whether the caller may see and act on a session created by the role `owner`.
    public func mayAccess(sessionOwnedBy owner: String) -> Bool {
        permissions.accessAllSessions || owner == name
    }

    /// The caller's permission flags by wire name, as `getpermissions` and `/api/v1/permissions` report them.
    public var permissionFlags: JSONValue {
        .object(JSONObject(permissions.flags.map { ($0.name, JSONValue.bool($0.value)) }))
    }
}
