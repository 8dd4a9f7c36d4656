/// The rule for a file name the API stores or looks up (samples, assets), as the original has it:
/// non-empty, at most 255 bytes, no `..`, `/` or `\`.
enum StoredFileName {
    /// Throws a 400-class ``ServiceError`` (`invalid_filename`) naming the first problem of `name`.
    /// - Parameter rejectingControlCharacters: also refuse control characters (samples do; assets keep
    ///   the original's rule, and their upload names are sanitised to ASCII before this check anyway).
    static func validate(_ name: String, rejectingControlCharacters: Bool = false) throws(ServiceError) {
        let problem: String? =
            if name.isEmpty { "file name is empty" }
            else if name.utf8.count > 255 { "file name is longer than 255 bytes" }
            else if name.contains("..") { "file name contains '..'" }
            else if name.contains("/") || name.contains("\\") { "file name contains a path separator" }
            else if rejectingControlCharacters, name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                "file name contains control characters"
            }
            else { nil }
        if let problem { throw .invalid(code: "invalid_filename", message: "Invalid filename: \(problem)") }
    }
}
