/// Checks an uploaded plugin's file name: one plain path component, at most 255 bytes, with a
/// plugin extension. Returns the trimmed name and its type.
public enum PluginFileName {
    public static let maxBytes = 255

    public static func validate(_ raw: String) throws(PluginManagerError) -> (name: String, type: PluginType) {
        let name = raw.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw .invalidFileName("the file name is empty") }
        guard name.utf8.count <= maxBytes else { throw .invalidFileName("the file name is longer than \(maxBytes) bytes") }
        guard !name.contains("/"), !name.contains("\\"), name != ".", name != "..", !name.contains("\0") else {
            throw .invalidFileName("'\(name)' is a path; send a plain file name such as libgain.so")
        }
        guard !name.hasPrefix(".") else { throw .invalidFileName("'\(name)' is a hidden file name") }
        guard let type = PluginType.forFileName(name) else {
            throw .invalidFileName("'\(name)' has no plugin extension: expected .so, .dylib or .dll (native) or .wasm (WebAssembly)")
        }
        return (name, type)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var view = Substring(self)
        while let first = view.first, set.contains(first) { view.removeFirst() }
        while let last = view.last, set.contains(last) { view.removeLast() }
        return String(view)
    }
}

extension Set where Element == Character {
    fileprivate static let whitespaces: Set<Character> = [" ", "\t", "\n", "\r"]
}
