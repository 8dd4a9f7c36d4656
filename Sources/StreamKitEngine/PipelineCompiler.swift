import StreamKitCore

/// Checks a document against the node registry and turns it into a plan: every node made from
/// its parameters, every link's pins and types checked, cycles found. All problems are reported
/// together, each naming its node (and pin, and line where known).
public enum PipelineCompiler {
    public static func compile(_ document: PipelineDocument, registry: NodeRegistry) throws(PipelineValidationError) -> PipelinePlan {
        var issues: [PipelineIssue] = []
        var warnings: [PipelineIssue] = []
        var planned: [PipelinePlan.PlannedNode] = []
        var seen = Set<String>()

        for spec in document.nodes {
            guard seen.insert(spec.id).inserted else {
                issues.append(PipelineIssue(code: "duplicate_node", message: "node name '\(spec.id)' is used more than once", node: spec.id, line: spec.line))
                continue
            }
            if spec.id.isEmpty {
                issues.append(PipelineIssue(code: "invalid_node_name", message: "node names must not be empty", line: spec.line))
                continue
            }
            guard let definition = registry.definition(for: spec.kind) else {
                if !spec.kind.isEmpty {
                    let hint = registry.suggestion(for: spec.kind).map { " — did you mean '\($0)'?" } ?? ""
                    issues.append(PipelineIssue(code: "unknown_kind", message: "unknown node kind '\(spec.kind)'\(hint)", node: spec.id, line: spec.line))
                }
                continue
            }
            if definition.oneshotOnly && document.mode == .dynamic {
                issues.append(PipelineIssue(
                    code: "oneshot_only",
                    message: "'\(spec.kind)' is oneshot-only and cannot be used in a dynamic pipeline (set mode: oneshot)",
                    node: spec.id, line: spec.line
                ))
                continue
            }
            do {
                let checked = try registry.checkParams(kind: spec.kind, nodeID: spec.id, params: spec.params)
                for warning in checked.warnings {
                    warnings.append(PipelineIssue(code: "unknown_param", message: warning.description, node: spec.id, line: spec.line))
                }
                let node = try registry.makeNode(kind: spec.kind, nodeID: spec.id, params: spec.params)
                planned.append(.init(id: spec.id, kind: spec.kind, params: checked.params, node: node, line: spec.line))
            } catch {
                for violation in error.violations {
                    issues.append(PipelineIssue(code: "invalid_params", message: violation.description, node: spec.id, line: spec.line))
                }
                if let message = error.factoryMessage {
                    issues.append(PipelineIssue(code: "invalid_params", message: message, node: spec.id, line: spec.line))
                }
            }
        }

        let nodesByID = Dictionary(planned.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let declaredIDs = Set(document.nodes.map(\.id))
        var links: [PipelinePlan.PlannedLink] = []
        var linksIntoPin: [String: [PipelineDocument.LinkSpec]] = [:]
        var seenLinks = Set<LinkID>()

        for spec in document.links {
            guard seenLinks.insert(spec.id).inserted else {
                issues.append(PipelineIssue(code: "duplicate_link", message: "link \(spec.id) is declared twice", node: spec.to, line: spec.line))
                continue
            }
            // Links to nodes that failed to build are not checked further: the node's own issue says why.
            guard let source = nodesByID[spec.from], let destination = nodesByID[spec.to] else {
                for missing in [spec.from, spec.to] where !declaredIDs.contains(missing) {
                    issues.append(PipelineIssue(code: "unknown_node", message: "link \(spec.id) refers to node '\(missing)', which does not exist", node: missing, line: spec.line))
                }
                continue
            }
            var ok = true
            if !source.node.outputPins.contains(where: { $0.name == spec.fromPin }) {
                let names = source.node.outputPins.map(\.name)
                issues.append(PipelineIssue(
                    code: "unknown_pin",
                    message: "'\(source.kind)' has no output pin '\(spec.fromPin)' (outputs: \(names.isEmpty ? "none" : names.joined(separator: ", ")))",
                    node: spec.from, pin: spec.fromPin, line: spec.line
                ))
                ok = false
            }
            if inputPin(of: destination.node, named: spec.toPin) == nil {
                let names = destination.node.inputPins.map(\.name)
                issues.append(PipelineIssue(
                    code: "unknown_pin",
                    message: "'\(destination.kind)' has no input pin '\(spec.toPin)' (inputs: \(names.isEmpty ? "none" : names.joined(separator: ", ")))",
                    node: spec.to, pin: spec.toPin, line: spec.line
                ))
                ok = false
            }
            if ok {
                linksIntoPin["\(spec.to)\u{0}\(spec.toPin)", default: []].append(spec)
                links.append(.init(spec: spec, type: .any))
            }
        }

        for (_, specs) in linksIntoPin.sorted(by: { $0.key < $1.key }) where specs.count > 1 {
            // Every input pin (a member of a dynamic family too) takes one link: merging two
            // streams into one pin would interleave their packets, which is never what is meant.
            guard let first = specs.first else { continue }
            let sources = specs.map { "'\($0.from).\($0.fromPin)'" }.joined(separator: ", ")
            issues.append(PipelineIssue(
                code: "pin_taken",
                message: "input pin '\(first.toPin)' takes one link but has \(specs.count): \(sources) (use an audio::mixer to combine streams)",
                node: first.to, pin: first.toPin, line: specs.last?.line
            ))
        }

        let resolved = resolveOutputTypes(nodes: planned, links: links)
        for index in links.indices {
            let spec = links[index].spec
            guard let source = nodesByID[spec.from], let destination = nodesByID[spec.to],
                  let pin = inputPin(of: destination.node, named: spec.toPin) else { continue }
            let produced = resolved["\(spec.from)\u{0}\(spec.fromPin)"] ?? .any
            links[index].type = produced
            if produced == .passthrough {
                if document.mode == .dynamic || pin.acceptsTypes.contains(.any) { continue }
                issues.append(PipelineIssue(
                    code: "unresolved_type",
                    message: "the type on '\(spec.from).\(spec.fromPin)' cannot be known ('\(source.kind)' passes its input through, and nothing typed feeds it)",
                    node: spec.to, pin: spec.toPin, line: spec.line
                ))
                continue
            }
            if !PacketType.canConnect(output: produced, toAnyOf: pin.acceptsTypes) {
                let accepted = pin.acceptsTypes.map(\.description).joined(separator: " or ")
                issues.append(PipelineIssue(
                    code: "type_mismatch",
                    message: "type mismatch: '\(spec.from).\(spec.fromPin)' produces \(produced), but '\(spec.to).\(spec.toPin)' accepts \(accepted)"
                        + Self.audioHint(produced: produced, accepted: pin.acceptsTypes, destination: spec.to),
                    node: spec.to, pin: spec.toPin, line: spec.line
                ))
            }
        }

        issues += cycleIssues(nodes: planned, links: links, registry: registry)

        for node in planned where !node.node.inputPins.isEmpty && document.mode == .oneshot {
            if !links.contains(where: { $0.spec.to == node.id }) {
                warnings.append(PipelineIssue(code: "unconnected_input", message: "no input is connected; the node will receive nothing", node: node.id, line: node.line))
            }
        }

        guard issues.isEmpty else { throw PipelineValidationError(issues: issues) }
        return PipelinePlan(document: document, nodes: planned, links: links, warnings: warnings)
    }

    /// The input pin `name` refers to: an exact pin, or a member of a dynamic family.
    static func inputPin(of node: any Node, named name: String) -> InputPin? {
        node.inputPins.first { $0.name == name } ?? node.inputPins.first { $0.matches(name) }
    }

    /// Replaces `Passthrough` outputs with the type of what feeds the node, over as many rounds as a chain needs.
    static func resolveOutputTypes(nodes: [PipelinePlan.PlannedNode], links: [PipelinePlan.PlannedLink]) -> [String: PacketType] {
        var types: [String: PacketType] = [:]
        for node in nodes {
            for pin in node.node.outputPins { types["\(node.id)\u{0}\(pin.name)"] = pin.producesType }
        }
        for _ in 0..<100 {
            var changed = false
            for node in nodes {
                for pin in node.node.outputPins where types["\(node.id)\u{0}\(pin.name)"] == .passthrough {
                    let upstream = links.lazy
                        .filter { $0.spec.to == node.id }
                        .compactMap { types["\($0.spec.from)\u{0}\($0.spec.fromPin)"] }
                        .first { $0 != .passthrough }
                    if let upstream {
                        types["\(node.id)\u{0}\(pin.name)"] = upstream
                        changed = true
                    }
                }
            }
            if !changed { break }
        }
        return types
    }

    /// Cycles are refused unless a node in them is bidirectional (a network peer).
    static func cycleIssues(nodes: [PipelinePlan.PlannedNode], links: [PipelinePlan.PlannedLink], registry: NodeRegistry) -> [PipelineIssue] {
        var successors: [String: [String]] = [:]
        for link in links { successors[link.spec.from, default: []].append(link.spec.to) }
        let bidirectional = Set(nodes.filter { registry.definition(for: $0.kind)?.bidirectional == true }.map(\.id))
        var color: [String: Int] = [:]  // 0 unvisited, 1 on the path, 2 done
        var path: [String] = []
        var issues: [PipelineIssue] = []
        var reported = Set<Set<String>>()

        func visit(_ id: String) {
            color[id] = 1
            path.append(id)
            for next in successors[id, default: []] {
                switch color[next, default: 0] {
                case 0: visit(next)
                case 1:
                    guard let start = path.firstIndex(of: next) else { continue }
                    let cycle = Array(path[start...])
                    let members = Set(cycle)
                    if members.isDisjoint(with: bidirectional), reported.insert(members).inserted {
                        let text = (cycle + [next]).joined(separator: " -> ")
                        issues.append(PipelineIssue(code: "cycle", message: "circular dependency: \(text)", node: next))
                    }
                default: break
                }
            }
            path.removeLast()
            color[id] = 2
        }
        for node in nodes where color[node.id, default: 0] == 0 { visit(node.id) }
        return issues
    }
}

extension PipelineCompiler {
    /// For raw audio of the wrong rate or channel count: which node fixes it.
    static func audioHint(produced: PacketType, accepted: [PacketType], destination: String) -> String {
        guard case .rawAudio(let have) = produced else { return "" }
        let wanted = accepted.compactMap { type -> AudioFormat? in
            if case .rawAudio(let format) = type { format } else { nil }
        }
        guard let want = wanted.first, wanted.count == 1 else { return "" }
        if want.sampleRate != 0, have.sampleRate != 0, want.sampleRate != have.sampleRate {
            return "; put an audio::resampler (target_sample_rate: \(want.sampleRate)) before '\(destination)'"
        }
        if want.channels != 0, have.channels != 0, want.channels != have.channels {
            return "; '\(destination)' needs \(want.channels)-channel audio (e.g. audio::opus::decoder's `channels: \(want.channels)`)"
        }
        return ""
    }
}
