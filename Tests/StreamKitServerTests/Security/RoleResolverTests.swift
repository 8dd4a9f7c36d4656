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
                                 roles: [String: RolePermissions] = roles) -> RoleResolver {
        RoleResolver(roleHeader: header, defaultRole: defaultRole, roles: roles, environmentRole: environment)
    }

    @Test("header wins when configured, matched case-insensitively, value kept verbatim")
    func headerRole() {
        let resolved = Self.resolver(header: "  X-Role ").resolve(headers: [("x-ROLE", "readonly")])
        #expect(resolved == ResolvedRole(name: "readonly", permissions: Self.readonly, usedFallback: false, source: .header))

        // Role names are case-sensitive: `Admin` is not `admin`.
        let cased = Self.resolver().resolve(headers: [("X-Role", "Admin")])
        #expect(cased.name == "Admin")
        #expect(cased.usedFallback)
        #expect(cased.permissions == .user)
    }

    @Test("the lookup closure gets the lower-cased header name, and is not called without a configured header")
    func closureContract() {
        var asked: [String] = []
        _ = Self.resolver(header: "X-StreamKit-Role").resolve { name in
            asked.append(name)
            return nil
        }
        #expect(asked == ["x-streamkit-role"])

        asked = []
        for header in [nil, "", "   "] as [String?] {
            let resolved = Self.resolver(header: header, environment: nil).resolve { name in
                asked.append(name)
                return "admin"
            }
            #expect(resolved.name == "user")
            #expect(resolved.source == .defaultRole)
        }
        #expect(asked.isEmpty)
    }

    @Test(
        "resolution matrix",
        arguments: [
            // (header configured, header value, SK_ROLE, expected name, expected source)
            (true, "admin", "readonly", "admin", ResolvedRole.Source.header),
            (true, nil, "readonly", "readonly", .environment),
            (true, nil, nil, "user", .defaultRole),
            (false, "admin", "readonly", "readonly", .environment),
            (false, "admin", nil, "user", .defaultRole),
            (true, "", nil, "user", .defaultRole),
            (true, "", "readonly", "readonly", .environment),
            (true, "adm\u{7F}in", nil, "user", .defaultRole),
            (true, "ädmin", nil, "user", .defaultRole),
            (true, "ad\nmin", "readonly", "readonly", .environment),
            (false, nil, "", "user", .defaultRole),
            (true, "team a", nil, "team a", .header),
        ] as [(Bool, String?, String?, String, ResolvedRole.Source)]
    )
    func matrix(headerConfigured: Bool, value: String?, environment: String?, name: String, source: ResolvedRole.Source) {
        let resolver = Self.resolver(header: headerConfigured ? "X-Role" : nil, environment: environment)
        let headers: [(name: String, value: String)] = value.map { [("X-Role", $0)] } ?? []
        let resolved = resolver.resolve(headers: headers)
        #expect(resolved.name == name)
        #expect(resolved.source == source)
    }

    @Test("unknown role: default role's permissions, name kept; missing default: nothing allowed")
    func fallbacks() {
        let unknown = Self.resolver().resolve(headers: [("X-Role", "intern")])
        #expect(unknown == ResolvedRole(name: "intern", permissions: .user, usedFallback: true, source: .header))

        let fromEnvironment = Self.resolver(environment: "ghost").resolve(headers: [])
        #expect(fromEnvironment == ResolvedRole(name: "ghost", permissions: .user, usedFallback: true, source: .environment))

        let noDefault = Self.resolver(defaultRole: "missing").resolve(headers: [("X-Role", "intern")])
        #expect(noDefault.name == "intern")
        #expect(noDefault.usedFallback)
        #expect(noDefault.permissions == RolePermissions())

        let defaultItselfMissing = Self.resolver(header: nil, defaultRole: "missing").resolve(headers: [])
        #expect(defaultItselfMissing == ResolvedRole(name: "missing", permissions: RolePermissions(), usedFallback: true, source: .defaultRole))

        let known = Self.resolver(header: nil, defaultRole: "admin").resolve(headers: [])
        #expect(known == ResolvedRole(name: "admin", permissions: .admin, usedFallback: false, source: .defaultRole))
    }
}
