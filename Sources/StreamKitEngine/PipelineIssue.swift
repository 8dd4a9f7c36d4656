import StreamKitCore

/// One problem found in a pipeline, located as precisely as possible.
public struct PipelineIssue: Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem, for clients that want to react to it (`unknown_kind`, `type_mismatch`, …).
    public var code: String
    public var message: String
    public var node: String?
    public var pin: String?
    /// 1-based line in the source text.
    public var line: Int?

    public init(code: String, message: String, node: String? = nil, pin: String? = nil, line: Int? = nil) {
        self.code = code
        self.message = message
        self.node = node
        self.pin = pin
        self.line = line
    }

    public var description: String {
        var prefix = ""
        if let line { prefix += "line \(line): " }
        if let node { prefix += "node '\(node)': " }
        return prefix + message
    }

    /// JSON form for API error bodies.
    public var json: JSONValue {
        var object: JSONObject = ["code": .string(code), "message": .string(message)]
        if let node { object["node"] = .string(node) }
        if let pin { object["pin"] = .string(pin) }
        if let line { object["line"] = .number(Double(line)) }
        return .object(object)
    }
}

/// Every problem of a pipeline document, reported together.
public struct PipelineValidationError: Error, Sendable, CustomStringConvertible {
    public var issues: [PipelineIssue]

    public init(issues: [PipelineIssue]) {
        self.issues = issues
    }

    public var description: String {
        let noun = issues.count == 1 ? "problem" : "problems"
        return "pipeline has \(issues.count) \(noun):\n" + issues.map { "  - \($0)" }.joined(separator: "\n")
    }
}
