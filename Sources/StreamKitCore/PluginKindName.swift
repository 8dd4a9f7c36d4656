/// The naming rule shared by native and WASM plugins: a plugin names only its own part of the
/// kind (`gain`), the host adds its prefix (`plugin::native::`, `plugin::wasm::`).
public enum PluginKindName {
    /// `prefix + kind` after checking the plugin's own kind (non-empty, at most 64 characters of
    /// `[a-z0-9_-]`, no `::`). A kind that already carries `prefix` is accepted unchanged, as the
    /// original does. Throws the reason as text, for the caller's own error type.
    public static func namespaced(_ raw: String, prefix: String) throws(Refusal) -> String {
        let bare = raw.hasPrefix(prefix) ? String(raw.dropFirst(prefix.count)) : raw
        guard !bare.isEmpty else { throw Refusal("kind is empty") }
        guard !bare.contains("::") else {
            throw Refusal("kind '\(raw)' contains '::'; a plugin names only its own part (e.g. 'gain'), the host adds '\(prefix)'")
        }
        guard bare.utf8.count <= 64 else { throw Refusal("kind '\(bare.prefix(64))…' is longer than 64 characters") }
        let allowed = bare.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
        guard allowed else { throw Refusal("kind '\(bare)' may only contain lowercase letters, digits, '_' and '-'") }
        return prefix + bare
    }

    /// Why a kind was refused.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
