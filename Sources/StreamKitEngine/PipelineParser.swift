import StreamKitCore
import Yams

/// Reads pipeline documents in the original's YAML (or JSON) form:
/// `name`, `description`, `mode`, and either `steps:` (a chain) or `nodes:` with `needs:`.
///
/// Every problem of the document is collected, each with its line, and thrown together.
public enum PipelineParser {
    /// Parses `text` into a document. Throws `PipelineValidationError` listing every problem found.
    public static func parse(_ text: String) throws(PipelineValidationError) -> PipelineDocument {
        let root = try readTree(text)
        var issues: [PipelineIssue] = []
        let document = interpret(root, issues: &issues)
        guard issues.isEmpty, let document else { throw PipelineValidationError(issues: issues) }
        return document
    }

    // MARK: Source tree

    /// A parsed value that remembers where it came from.
    indirect enum Located {
        case scalar(JSONValue, line: Int?)
        case mapping([(key: String, value: Located)], line: Int?)
        case sequence([Located], line: Int?)

        var line: Int? {
            switch self {
            case .scalar(_, let line), .mapping(_, let line), .sequence(_, let line): line
            }
        }

        var json: JSONValue {
            switch self {
            case .scalar(let value, _): value
            case .mapping(let pairs, _): .object(JSONObject(pairs.map { ($0.key, $0.value.json) }))
            case .sequence(let items, _): .array(items.map(\.json))
            }
        }

        var string: String? {
            if case .scalar(.string(let value), _) = self { value } else { nil }
        }

        func value(for key: String) -> Located? {
            if case .mapping(let pairs, _) = self { pairs.first { $0.key == key }?.value } else { nil }
        }

        var typeName: String {
            switch self {
            case .scalar(let value, _): value.typeName
            case .mapping: "mapping"
            case .sequence: "list"
            }
        }
    }

    static func readTree(_ text: String) throws(PipelineValidationError) -> Located {
        // Before Yams builds anything: aliases must not expand the document beyond its budget.
        try YAMLSizeGuard.check(text)
        let node: Yams.Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw PipelineValidationError(issues: [yamlIssue(error)])
        } catch {
            throw PipelineValidationError(issues: [PipelineIssue(code: "invalid_yaml", message: "could not read the document: \(error)")])
        }
        guard let node else {
            throw PipelineValidationError(issues: [PipelineIssue(code: "empty_document", message: "the document is empty")])
        }
        var issues: [PipelineIssue] = []
        let tree = located(node, issues: &issues, depth: 0)
        guard issues.isEmpty else { throw PipelineValidationError(issues: issues) }
        return tree
    }

    private static func yamlIssue(_ error: YamlError) -> PipelineIssue {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let contextText = context.map { "\($0.text) " } ?? ""
            return PipelineIssue(code: "invalid_yaml", message: "invalid YAML: \(contextText)\(problem) (column \(mark.column))", line: mark.line)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return PipelineIssue(code: "duplicate_key", message: "key \(names) appears more than once in the same mapping", line: context.mark.line)
        case .reader(let problem, _, _, _):
            return PipelineIssue(code: "invalid_yaml", message: "invalid YAML: \(problem)")
        default:
            return PipelineIssue(code: "invalid_yaml", message: "invalid YAML: \(error)")
        }
    }

    /// Aliases are resolved by Yams (``YAMLSizeGuard`` has bounded what they expand to); the depth limit
    /// keeps a hostile document from exhausting the stack.
    private static func located(_ node: Yams.Node, issues: inout [PipelineIssue], depth: Int) -> Located {
        let line = node.mark?.line
        guard depth < 64 else {
            issues.append(PipelineIssue(code: "too_deep", message: "the document nests deeper than 64 levels", line: line))
            return .scalar(.null, line: line)
        }
        switch node {
        case .scalar:
            if node.null != nil { return .scalar(.null, line: line) }
            if let value = node.bool { return .scalar(.bool(value), line: line) }
            if let value = node.int { return .scalar(.number(Double(value)), line: line) }
            if let value = node.float { return .scalar(.number(value), line: line) }
            return .scalar(.string(node.string ?? ""), line: line)
        case .sequence(let sequence):
            return .sequence(sequence.map { located($0, issues: &issues, depth: depth + 1) }, line: line)
        case .mapping(let mapping):
            var pairs: [(key: String, value: Located)] = []
            for (key, value) in mapping {
                guard let name = key.string else {
                    issues.append(PipelineIssue(code: "invalid_key", message: "mapping keys must be strings", line: key.mark?.line))
                    continue
                }
                if pairs.contains(where: { $0.key == name }) {
                    issues.append(PipelineIssue(code: "duplicate_key", message: "key '\(name)' appears more than once", node: nil, line: key.mark?.line))
                    continue
                }
                pairs.append((key: name, value: located(value, issues: &issues, depth: depth + 1)))
            }
            return .mapping(pairs, line: line)
        case .alias:
            return .scalar(.null, line: line)
        }
    }

    // MARK: Interpretation

    static func interpret(_ root: Located, issues: inout [PipelineIssue]) -> PipelineDocument? {
        guard case .mapping = root else {
            issues.append(PipelineIssue(code: "invalid_document", message: "a pipeline must be a mapping with 'steps' or 'nodes', got a \(root.typeName)", line: root.line))
            return nil
        }
        var document = PipelineDocument()
        document.name = optionalString(root, "name", issues: &issues)
        document.description = optionalString(root, "description", issues: &issues)
        if let modeValue = root.value(for: "mode") {
            if let text = modeValue.string, let mode = PipelineMode(rawValue: text) {
                document.mode = mode
            } else {
                issues.append(PipelineIssue(code: "invalid_mode", message: "mode must be 'oneshot' or 'dynamic', got \(modeValue.json.jsonString())", line: modeValue.line))
            }
        }
        let steps = root.value(for: "steps")
        let nodes = root.value(for: "nodes")
        switch (steps, nodes) {
        case (.some, .some):
            issues.append(PipelineIssue(code: "invalid_document", message: "use either 'steps' (a chain) or 'nodes' (a graph), not both", line: nodes?.line))
        case (.some(let steps), nil):
            interpretSteps(steps, into: &document, issues: &issues)
        case (nil, .some(let nodes)):
            interpretNodes(nodes, mode: document.mode, into: &document, issues: &issues)
        case (nil, nil):
            issues.append(PipelineIssue(code: "invalid_document", message: "the pipeline has neither 'steps' nor 'nodes'", line: root.line))
        }
        return document
    }

    private static func optionalString(_ root: Located, _ key: String, issues: inout [PipelineIssue]) -> String? {
        guard let value = root.value(for: key) else { return nil }
        if case .scalar(.null, _) = value { return nil }
        guard let text = value.string else {
            issues.append(PipelineIssue(code: "invalid_field", message: "'\(key)' must be a string, got a \(value.typeName)", line: value.line))
            return nil
        }
        return text
    }

    private static func kind(of value: Located, nodeID: String, issues: inout [PipelineIssue]) -> String? {
        guard let kindValue = value.value(for: "kind") else {
            issues.append(PipelineIssue(code: "missing_kind", message: "'kind' is required", node: nodeID, line: value.line))
            return nil
        }
        guard let kind = kindValue.string, !kind.isEmpty else {
            issues.append(PipelineIssue(code: "invalid_kind", message: "'kind' must be a non-empty string, got \(kindValue.json.jsonString())", node: nodeID, line: kindValue.line))
            return nil
        }
        return kind
    }

    private static func interpretSteps(_ steps: Located, into document: inout PipelineDocument, issues: inout [PipelineIssue]) {
        guard case .sequence(let items, _) = steps else {
            issues.append(PipelineIssue(code: "invalid_steps", message: "'steps' must be a list, got a \(steps.typeName)", line: steps.line))
            return
        }
        for (index, item) in items.enumerated() {
            let id = "step_\(index)"
            guard case .mapping = item else {
                issues.append(PipelineIssue(code: "invalid_step", message: "each step must be a mapping with 'kind', got a \(item.typeName)", node: id, line: item.line))
                continue
            }
            let kind = kind(of: item, nodeID: id, issues: &issues) ?? ""
            document.nodes.append(.init(id: id, kind: kind, params: item.value(for: "params")?.json, line: item.line))
            if index > 0 {
                document.links.append(.init(from: "step_\(index - 1)", to: id, line: item.line))
            }
        }
    }

    private struct Need {
        var node: String
        var mode: LinkMode
        var line: Int?
    }

    private static func interpretNodes(_ nodes: Located, mode: PipelineMode, into document: inout PipelineDocument, issues: inout [PipelineIssue]) {
        guard case .mapping(let pairs, _) = nodes else {
            issues.append(PipelineIssue(code: "invalid_nodes", message: "'nodes' must be a mapping of node name to node, got a \(nodes.typeName)", line: nodes.line))
            return
        }
        var needsByNode: [(id: String, needs: [Need])] = []
        for (id, value) in pairs {
            guard case .mapping = value else {
                issues.append(PipelineIssue(code: "invalid_node", message: "a node must be a mapping with 'kind', got a \(value.typeName)", node: id, line: value.line))
                continue
            }
            let kind = kind(of: value, nodeID: id, issues: &issues) ?? ""
            document.nodes.append(.init(id: id, kind: kind, params: value.value(for: "params")?.json, line: value.line))
            needsByNode.append((id: id, needs: needs(of: value, nodeID: id, issues: &issues)))
        }
        let ids = Set(document.nodes.map(\.id))
        for (id, needs) in needsByNode {
            for need in needs where !ids.contains(need.node) {
                let suggestion = ClosestMatch.find(need.node, in: document.nodes.map(\.id)).map { " — did you mean '\($0)'?" } ?? ""
                issues.append(PipelineIssue(
                    code: "unknown_dependency",
                    message: "'needs' refers to node '\(need.node)', which does not exist\(suggestion)",
                    node: id, line: need.line
                ))
            }
            let valid = needs.filter { ids.contains($0.node) }
            for (index, need) in valid.enumerated() {
                let pin = needs.count == 1 ? "in" : "in_\(index)"
                document.links.append(.init(from: need.node, to: id, toPin: pin, mode: need.mode, line: need.line))
            }
        }
        injectMixerInputCounts(into: &document, mode: mode)
    }

    private static func needs(of node: Located, nodeID: String, issues: inout [PipelineIssue]) -> [Need] {
        guard let value = node.value(for: "needs") else { return [] }
        func single(_ item: Located) -> Need? {
            if let name = item.string { return Need(node: name, mode: .reliable, line: item.line) }
            if case .mapping = item, let name = item.value(for: "node")?.string {
                var mode = LinkMode.reliable
                if let modeValue = item.value(for: "mode") {
                    if let text = modeValue.string, let parsed = LinkMode(rawValue: text) {
                        mode = parsed
                    } else {
                        issues.append(PipelineIssue(
                            code: "invalid_link_mode",
                            message: "link mode must be 'reliable' or 'best_effort', got \(modeValue.json.jsonString())",
                            node: nodeID, line: modeValue.line
                        ))
                    }
                }
                return Need(node: name, mode: mode, line: item.line)
            }
            issues.append(PipelineIssue(
                code: "invalid_needs",
                message: "each 'needs' entry must be a node name or {node, mode}, got a \(item.typeName)",
                node: nodeID, line: item.line
            ))
            return nil
        }
        switch value {
        case .scalar(.null, _): return []
        case .sequence(let items, _): return items.compactMap(single)
        default: return single(value).map { [$0] } ?? []
        }
    }

    /// The original sets `num_inputs` on a oneshot mixer with several inputs when it is not given.
    private static func injectMixerInputCounts(into document: inout PipelineDocument, mode: PipelineMode) {
        guard mode != .dynamic else { return }
        for index in document.nodes.indices where document.nodes[index].kind == "audio::mixer" {
            let id = document.nodes[index].id
            let incoming = document.links.filter { $0.to == id }.count
            guard incoming > 1 else { continue }
            var params = document.nodes[index].params?.objectValue ?? JSONObject()
            if params["num_inputs"] == nil || params["num_inputs"]?.isNull == true {
                params["num_inputs"] = .number(Double(incoming))
            }
            document.nodes[index].params = .object(params)
        }
    }
}
