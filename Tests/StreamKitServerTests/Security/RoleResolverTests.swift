import Testing
@testable import StreamKitServer

@Suite("RoleResolver")
struct RoleResolverTests {
    private static var readonly: RolePermissions {
        var permissions = RolePermissions()
        permissions.listSessions = true
        return permissions
    }

    private static let roles: [String: RolePermissions] = ["admin": .admin, "user": .user, "readonly": readonly]

    private static func resolver(header: String? = "X-Role", defaultRole: String = "user", environment: String? = nil,
                                 roles: [String: RolePermissions] = roles, fallback: Bool = false) -> RoleResolver {
        RoleResolver(roleHeader: header, defaultRole: defaultRole, roles: roles, environmentRole: environment, unknownRoleFallback: fallback)
    }

    @Test("header wins when configured, matched case-insensitively, value kept verbatim")
    func headerRole() {
        let resolved = Self.resolver(header: "  X-Role ").resolve(headers: [("x-ROLE", "readonly")])
        #expect(resolved == ResolvedRole(name: "readonly", permissions: Self.readonly, usedFallback: false, source: .header))

        // Role names are case-sensitive: `Admin` is not `admin`, so it is not a defined role.
        let cased = Self.resolver().resolve(headers: [("X-Role", "Admin")])
        #expect(cased.name == "Admin")
        #expect(cased.refusal == "role 'Admin' is not defined (permissions.roles)")
        #expect(cased.permissions == RolePermissions())
    }

    @Test("the lookup closure gets the lower-cased header name, and is not called without a configured header")
    func closureContract() {
        var asked: [String] = []
        _ = Self.resolver(header: "X-StreamKit-Role").resolve { name in
            asked.append(name)
            return []
        }
        #expect(asked == ["x-streamkit-role"])

        asked = []
        for header in [nil, "", "   "] as [String?] {
            let resolved = Self.resolver(header: header, environment: nil).resolve { name in
                asked.append(name)
                return ["admin"]
            }
            #expect(resolved.name == "user")
            #expect(resolved.source == .defaultRole)
        }
        #expect(asked.isEmpty)
    }

    @Test(
        "resolution matrix",
        arguments: [
            // (header configured, header value, SK_ROLE, expected name, expected source, refused)
            (true, "admin", "readonly", "admin", ResolvedRole.Source.header, false),
            (true, nil, "readonly", "readonly", .environment, false),
            (true, nil, nil, "user", .defaultRole, false),
            (false, "admin", "readonly", "readonly", .environment, false),
            (false, "admin", nil, "user", .defaultRole, false),
            (true, "", nil, "user", .defaultRole, false),
            (true, "", "readonly", "readonly", .environment, false),
            // A malformed value is refused, not passed over: the caller asked for some role.
            (true, "adm\u{7F}in", nil, "", .header, true),
            (true, "ädmin", nil, "", .header, true),
            (true, "ad\nmin", "readonly", "", .header, true),
            (false, nil, "", "user", .defaultRole, false),
            (true, "team a", nil, "team a", .header, true),
            (true, nil, "ghost", "ghost", .environment, true),
        ] as [(Bool, String?, String?, String, ResolvedRole.Source, Bool)]
    )
    func matrix(headerConfigured: Bool, value: String?, environment: String?, name: String, source: ResolvedRole.Source, refused: Bool) {
        let resolver = Self.resolver(header: headerConfigured ? "X-Role" : nil, environment: environment)
        let headers: [(name: String, value: String)] = value.map { [("X-Role", $0)] } ?? []
        let resolved = resolver.resolve(headers: headers)
        #expect(resolved.name == name)
        #expect(resolved.source == source)
        #expect((resolved.refusal != nil) == refused)
        if refused { #expect(resolved.permissions == RolePermissions()) }
    }

    @Test("two copies of the role header are refused, even when both name the same role")
    func duplicateHeaders() {
        for values in [["user", "admin"], ["admin", "admin"]] {
            let resolved = Self.resolver().resolve(headers: values.map { ("X-Role", $0) })
            #expect(resolved.refusal == "the 'x-role' header appears more than once; send exactly one role")
            #expect(resolved.permissions == RolePermissions())
        }
    }

    @Test("with unknown_role_fallback: default role's permissions, name kept; missing default: nothing allowed")
    func fallbacks() {
        let unknown = Self.resolver(fallback: true).resolve(headers: [("X-Role", "intern")])
        #expect(unknown == ResolvedRole(name: "intern", permissions: .user, usedFallback: true, source: .header))

        let fromEnvironment = Self.resolver(environment: "ghost", fallback: true).resolve(headers: [])
        #expect(fromEnvironment == ResolvedRole(name: "ghost", permissions: .user, usedFallback: true, source: .environment))

        let noDefault = Self.resolver(defaultRole: "missing", fallback: true).resolve(headers: [("X-Role", "intern")])
        #expect(noDefault.name == "intern")
        #expect(noDefault.usedFallback)
        #expect(noDefault.permissions == RolePermissions())

        let defaultItselfMissing = Self.resolver(header: nil, defaultRole: "missing", fallback: true).resolve(headers: [])
        #expect(defaultItselfMissing == ResolvedRole(name: "missing", permissions: RolePermissions(), usedFallback: true, source: .defaultRole))

        let known = Self.resolver(header: nil, defaultRole: "admin").resolve(headers: [])
        #expect(known == ResolvedRole(name: "admin", permissions: .admin, usedFallback: false, source: .defaultRole))
    }
}
