// libyaml's event API, which Yams is built on: the guard below reads a document as a stream of
// events, so it can measure what aliases would expand to without building anything.
import CYaml

/// Bounds what a YAML (or JSON) document may grow into once its aliases are expanded, and how deeply
/// it may nest, before any tree is built from it.
///
/// An alias (`*name`) stands for a whole earlier anchored value (`&name`), so a few hundred bytes of
/// nested aliases ("billion laughs") describe 10⁸ values: building them took gigabytes in a second.
/// Yams itself shares aliased values, but every reader of its tree (ours, and its own duplicate-key
/// hashing) walks them expanded. So the document's events are counted first, an alias counting as
/// everything its anchor holds, and a document over budget is refused before any of it is built.
///
/// The budget is relative to the written size (aliases may multiply a document at most
/// ``expansionFactor`` times, with a small floor so short documents may use them freely) and absolute
/// (``maximumValues`` values, ``maximumScalarBytes`` bytes of text), whichever is smaller.
public enum YAMLSizeGuard {
    /// How many times its written size a document may grow through aliases.
    public static let expansionFactor = 10
    /// The most values (scalars, lists, mappings) an expanded document may hold.
    public static let maximumValues = 200_000
    /// The most bytes of scalar text an expanded document may hold.
    public static let maximumScalarBytes = 16 * 1024 * 1024
    /// The deepest nesting of lists and mappings accepted (a deeper document would exhaust the stack
    /// of the recursive readers that follow).
    public static let maximumDepth = 64

    /// The limits for a document of `writtenBytes` bytes.
    public static func limits(writtenBytes: Int) -> (values: Int, scalarBytes: Int) {
        let values = min(maximumValues, expansionFactor * max(writtenBytes, 1_000))
        let bytes = min(maximumScalarBytes, expansionFactor * max(writtenBytes, 100_000))
        return (values, bytes)
    }

    /// Throws when `text` would expand beyond its budget or nest too deeply. Syntax errors are left to
    /// the real parser, which reports them with more context: this returns quietly on them.
    public static func check(_ text: String) throws(PipelineValidationError) {
        var utf8 = Array(text.utf8)
        let limits = limits(writtenBytes: utf8.count)
        if let issue = utf8.withUnsafeMutableBufferPointer({ scan($0, limits: limits) }) {
            throw PipelineValidationError(issues: [issue])
        }
    }

    /// What has been counted so far, expanded: values and scalar bytes.
    private struct Size {
        var values = 0
        var bytes = 0
    }

    private static func scan(_ buffer: UnsafeMutableBufferPointer<UInt8>, limits: (values: Int, scalarBytes: Int)) -> PipelineIssue? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)

        var total = Size()
        // Each open list or mapping: its anchor and the total when it started.
        var open: [(anchor: String?, start: Size)] = []
        var anchors: [String: Size] = [:]
        var expandedAlias = false
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_SCALAR_EVENT:
                let length = Int(event.data.scalar.length)
                total.values += 1
                total.bytes += length
                if let anchor = string(event.data.scalar.anchor) { anchors[anchor] = Size(values: 1, bytes: length) }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let anchor = event.type == YAML_SEQUENCE_START_EVENT
                    ? string(event.data.sequence_start.anchor) : string(event.data.mapping_start.anchor)
                open.append((anchor, total))
                total.values += 1
                if open.count > maximumDepth {
                    return PipelineIssue(code: "too_deep", message: "the document nests deeper than \(maximumDepth) levels", line: line)
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let (anchor, start) = open.popLast() else { return nil }
                if let anchor { anchors[anchor] = Size(values: total.values - start.values, bytes: total.bytes - start.bytes) }
            case YAML_ALIAS_EVENT:
                // An undefined alias is the real parser's error to report.
                guard let anchor = string(event.data.alias.anchor), let size = anchors[anchor] else { continue }
                total.values += size.values
                total.bytes += size.bytes
                expandedAlias = true
            default:
                continue
            }
            if total.values > limits.values || total.bytes > limits.scalarBytes {
                let what = total.values > limits.values ? "more than \(limits.values) values" : "more than \(limits.scalarBytes) bytes of text"
                guard expandedAlias else {
                    return PipelineIssue(
                        code: "document_too_large",
                        message: "the document holds \(what); a pipeline may hold at most \(maximumValues) values and \(maximumScalarBytes / (1024 * 1024)) MiB of text",
                        line: line
                    )
                }
                return PipelineIssue(
                    code: "document_too_large",
                    message: "the document expands to \(what) through its aliases (anchors '&' and aliases '*'); "
                        + "a document may grow at most \(expansionFactor)× its written size through aliases, "
                        + "and never beyond \(maximumValues) values or \(maximumScalarBytes / (1024 * 1024)) MiB of text",
                    line: line
                )
            }
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
