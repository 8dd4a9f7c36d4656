/// The caller's role and permission flags (`GET /api/v1/permissions`).
public struct RemotePermissions: Sendable, Equatable {
    public var role: String
    /// Flag name → allowed, in the server's order.
    public var flags: [(name: String, allowed: Bool)]

    public static func == (lhs: RemotePermissions, rhs: RemotePermissions) -> Bool {
        lhs.role == rhs.role && lhs.flags.map(\.name) == rhs.flags.map(\.name) && lhs.flags.map(\.allowed) == rhs.flags.map(\.allowed)
    }

    /// Whether `name` (`create_sessions`, …) is granted.
    public func allows(_ name: String) -> Bool { flags.first { $0.name == name }?.allowed ?? false }
}
