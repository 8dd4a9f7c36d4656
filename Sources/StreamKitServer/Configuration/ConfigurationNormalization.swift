extension ServerConfiguration {
    /// Normalises `server.base_path`: trimmed; empty or `/` means none; trailing `/` removed; leading `/` added.
    /// `" s/abc/ "` → `/s/abc`, `"/"` → nil.
    public static func normalizeBasePath(_ raw: String?) -> String? {
        guard var path = raw?.configTrimmed() else { return nil }
        while path.hasSuffix("/") { path.removeLast() }
        if path.isEmpty { return nil }
        return path.hasPrefix("/") ? path : "/" + path
    }

    /// Makes an `allowed_samples` pattern relative to `samplesDir`, as the original does for legacy files:
    /// trimmed; `""` and `*` kept; a leading `samples/pipelines/`, `./samples/pipelines/` (also with
    /// backslashes), `<samplesDir>/` or `<samplesDir without ./>/` is removed.
    public static func normalizeSamplePattern(_ pattern: String, samplesDir: String) -> String {
        let trimmed = pattern.configTrimmed()
        if trimmed.isEmpty || trimmed == "*" { return trimmed }
        var directory = samplesDir.configTrimmed()
        while directory.count > 1, directory.hasSuffix("/") || directory.hasSuffix("\\") { directory.removeLast() }
        var prefixes = ["samples/pipelines/", "./samples/pipelines/", "samples\\pipelines\\", ".\\samples\\pipelines\\"]
        if !directory.isEmpty {
            prefixes.append(directory + "/")
            if directory.hasPrefix("./") { prefixes.append(String(directory.dropFirst(2)) + "/") }
        }
        for prefix in prefixes where prefix != "/" && trimmed.hasPrefix(prefix) {
            return String(trimmed.dropFirst(prefix.count))
        }
        return trimmed
    }

    /// Applies both normalisations in place.
    mutating func normalize() {
        server.basePath = Self.normalizeBasePath(server.basePath)
        for (name, var role) in permissions.roles {
            role.allowedSamples = role.allowedSamples.map { Self.normalizeSamplePattern($0, samplesDir: server.samplesDir) }
            permissions.roles[name] = role
        }
    }
}
