/// A component binary that could not be parsed or failed validation.
///
/// The message says what was wrong in the words of the binary format; ``offset`` says where
/// (bytes from the start of the outermost binary), and ``section`` which section it was in.
public struct ComponentParseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What was wrong, short and lower-case, e.g. "unknown canon opcode 0x2a".
    public let message: String
    /// Byte offset from the start of the outermost binary.
    public let offset: Int
    /// The section being read (e.g. "canon"), when known.
    public let section: String?

    init(_ message: String, offset: Int, section: String? = nil) {
        self.message = message
        self.offset = offset
        self.section = section
    }

    public var description: String {
        let hex = String(offset, radix: 16)
        if let section {
            return "\(message) in \(section) section at offset 0x\(hex)"
        }
        return "\(message) at offset 0x\(hex)"
    }
}
