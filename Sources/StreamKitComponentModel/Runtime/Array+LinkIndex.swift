extension Array {
    /// The element an index read from a component binary refers to, or a link error with
    /// `message` when the index is past the end (indices come from the binary, so the
    /// instantiator checks every one it follows).
    func element(_ index: UInt32, or message: @autoclosure () -> String) throws -> Element {
        guard Int(index) < count else { throw ComponentError.link(message()) }
        return self[Int(index)]
    }
}
