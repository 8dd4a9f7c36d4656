import StreamKitCore

/// Fields the server's catalogue answers share (node definitions, plugin summaries).
extension JSONValue {
    /// The required `kind` field; `what` names the answer in the error (`a plugin summary`).
    func requiredKind(of what: String) throws(StreamKitClientError) -> String {
        guard let kind = self["kind"]?.stringValue else {
            throw .unexpectedResponse("\(what) without a kind: \(jsonString())")
        }
        return kind
    }

    /// The `categories` field as strings, empty when absent.
    var categoryNames: [String] {
        (self["categories"]?.arrayValue ?? []).compactMap(\.stringValue)
    }
}
