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

        var graph = PipelineGraph()
        for node in planned { graph.addNode(id: node.id, kind: node.kind, node: node.node) }
        let declaredIDs = Set(document.nodes.map(\.id))
        var links: [PipelinePlan.PlannedLink] = []
        var specs: [LinkID: PipelineDocument.LinkSpec] = [:]

        for spec in document.links {
            guard specs[spec.id] == nil else {
                issues.append(PipelineIssue(code: "duplicate_link", message: "link \(spec.id) is declared twice", node: spec.to, line: spec.line))
                continue
            }
            specs[spec.id] = spec
            // Links to nodes that failed to build are not checked further: the node's own issue says why.
            guard graph.vertex(spec.from) != nil, graph.vertex(spec.to) != nil else {
                for missing in [spec.from, spec.to] where !declaredIDs.contains(missing) {
                    issues.append(PipelineIssue(code: "unknown_node", message: "link \(spec.id) refers to node '\(missing)', which does not exist", node: missing, line: spec.line))
                }
                continue
            }
            var ok = true
            for (side, address) in [(PipelineGraph.PinSide.output, spec.id.source), (.input, spec.id.destination)] {
                guard !graph.hasPin(side, at: address), let vertex = graph.vertex(address.node) else { continue }
                let message = PipelineGraph.noSuchPin(side, address.pin, on: vertex, namingNode: false)
                issues.append(PipelineIssue(code: "unknown_pin", message: message, node: address.node, pin: address.pin, line: spec.line))
                ok = false
            }
            if ok {
                graph.addLink(spec.id, mode: spec.mode)
                links.append(.init(spec: spec, type: .any))
            }
        }

        for (_, ids) in graph.linksByInput.sorted(by: { $0.key < $1.key }) where ids.count > 1 {
            // Every input pin (a member of a dynamic family too) takes one link: merging two
            // streams into one pin would interleave their packets, which is never what is meant.
            let into = ids.compactMap { specs[$0] }
            guard let first = into.first else { continue }
            let sources = into.map { "'\($0.from).\($0.fromPin)'" }.joined(separator: ", ")
            issues.append(PipelineIssue(
                code: "pin_taken",
                message: "input pin '\(first.toPin)' takes one link but has \(into.count): \(sources) (use an audio::mixer to combine streams)",
                node: first.to, pin: first.toPin, line: into.last?.line
            ))
        }

        for index in links.indices {
            let spec = links[index].spec
            guard let check = graph.typeCheck(from: spec.id.source, to: spec.id.destination),
                  let pin = graph.inputPin(spec.id.destination) else { continue }
            switch check {
            case .fits(let produced):
                links[index].type = produced
            case .unresolved:
                links[index].type = .passthrough
                if document.mode == .dynamic || pin.acceptsTypes.contains(.any) { continue }
                let kind = graph.vertex(spec.from)?.kind ?? ""
                issues.append(PipelineIssue(
                    code: "unresolved_type",
                    message: "the type on '\(spec.from).\(spec.fromPin)' cannot be known ('\(kind)' passes its input through, and nothing typed feeds it)",
                    node: spec.to, pin: spec.toPin, line: spec.line
                ))
            case .mismatch(let produced, let accepted, let message):
                links[index].type = produced
                issues.append(PipelineIssue(
                    code: "type_mismatch",
                    message: message + Self.audioHint(produced: produced, accepted: accepted, destination: spec.to),
                    node: spec.to, pin: spec.toPin, line: spec.line
                ))
            }
        }

        let bidirectional = Set(planned.filter { registry.definition(for: $0.kind)?.bidirectional == true }.map(\.id))
        for cycle in graph.cycles(exempt: bidirectional) {
            issues.append(PipelineIssue(code: "cycle", message: "circular dependency: \(cycle.joined(separator: " -> "))", node: cycle.last))
        }

        for node in planned where !node.node.inputPins.isEmpty && document.mode == .oneshot {
            if graph.links(into: node.id).isEmpty {
                warnings.append(PipelineIssue(code: "unconnected_input", message: "no input is connected; the node will receive nothing", node: node.id, line: node.line))
            }
        }

        guard issues.isEmpty else { throw PipelineValidationError(issues: issues) }
        return PipelinePlan(document: document, nodes: planned, links: links, graph: graph, warnings: warnings)
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
