import Foundation
import StreamKitCore

/// A violation or warning before sorting: `order` is the position in the document
/// (object field ordinals and array indices from the root).
struct SchemaIssue {
    var path: String
    var order: [Int]
    var message: String
}

struct SchemaLocation {
    var path: String
    var order: [Int]

    func field(_ key: String, ordinal: Int) -> SchemaLocation {
        SchemaLocation(path: path + Self.component(for: key), order: order + [ordinal])
    }

    func item(_ index: Int) -> SchemaLocation {
        SchemaLocation(path: path + "[\(index)]", order: order + [index])
    }

    private static func component(for key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
        return plain ? "." + key : "[" + JSONValue.string(key).jsonString() + "]"
    }
}

/// Why a schema turned a value away "at the door": its type, or the values it allows.
/// Used to merge the branches of `anyOf` / `oneOf` into one readable message.
struct RootRejection {
    var types: [String] = []
    var values: [JSONValue] = []

    mutating func absorb(_ other: RootRejection) {
        for type in other.types where !types.contains(type) { types.append(type) }
        for value in other.values where !values.contains(value) { values.append(value) }
    }
}

struct SchemaOutcome {
    var errors: [SchemaIssue] = []
    var warnings: [SchemaIssue] = []
    /// Set when the schema rejected the value itself by `type`, `enum`, `const` or `false`.
    var rootRejection: RootRejection?
    /// How many `enum` / `const` checks failed anywhere below: a branch whose tag field
    /// matched is a better guess than one whose didn't.
    var valueMisses = 0

    var passed: Bool { errors.isEmpty }

    mutating func merge(_ other: SchemaOutcome) {
        errors += other.errors
        warnings += other.warnings
        valueMisses += other.valueMisses
        if let rejection = other.rootRejection {
            if rootRejection == nil { rootRejection = rejection } else { rootRejection?.absorb(rejection) }
        }
    }

    /// Merges a child value's outcome: its root rejection is not ours.
    mutating func mergeChild(_ other: SchemaOutcome) {
        errors += other.errors
        warnings += other.warnings
        valueMisses += other.valueMisses
    }

    mutating func error(_ location: SchemaLocation, _ message: String) {
        errors.append(SchemaIssue(path: location.path, order: location.order, message: message))
    }

    mutating func reject(_ location: SchemaLocation, _ message: String, types: [String] = [], values: [JSONValue] = []) {
        error(location, message)
        let rejection = RootRejection(types: types, values: values)
        if rootRejection == nil { rootRejection = rejection } else { rootRejection?.absorb(rejection) }
    }
}

/// Field names in declaration order with fast membership.
struct OrderedNames {
    private(set) var list: [String] = []
    private var set: Set<String> = []

    func contains(_ name: String) -> Bool { set.contains(name) }

    mutating func insert(_ name: String) {
        if set.insert(name).inserted { list.append(name) }
    }

    mutating func formUnion(_ other: OrderedNames) {
        for name in other.list { insert(name) }
    }
}

struct SchemaContext {
    /// Field names declared for the current value by enclosing schemas (`allOf` siblings,
    /// the schema holding an `anyOf`): they are not "unknown".
    var knownFields = OrderedNames()
    /// `$ref`s already being followed for the current value: meeting one again is a cycle.
    var activeReferences: Set<String> = []
    /// How many schemas deep the walk is, to bound recursion.
    var depth = 0

    func descending() -> SchemaContext {
        SchemaContext(knownFields: OrderedNames(), activeReferences: [], depth: depth + 1)
    }
}

final class SchemaWalker {
    let root: JSONValue
    static let maxDepth = 128
    private var regexCache: [String: NSRegularExpression?] = [:]

    init(root: JSONValue) {
        self.root = root
    }

    func check(_ value: JSONValue, against schema: JSONValue, at location: SchemaLocation, context: SchemaContext) -> SchemaOutcome {
        var out = SchemaOutcome()
        guard context.depth < Self.maxDepth else {
            out.error(location, "nested too deeply to validate")
            return out
        }
        let schemaObject: JSONObject
        switch schema {
        case .bool(false):
            out.reject(location, "no value is allowed here")
            return out
        case .object(let object):
            schemaObject = object
        default:
            return out  // `true`, or something that is not a schema: no constraint.
        }

        // type
        if let expected = Self.typeNames(schemaObject) {
            var allowed = expected
            if schemaObject["nullable"]?.boolValue == true, !allowed.contains("null") { allowed.append("null") }
            if !allowed.contains(where: { Self.value(value, hasType: $0) }) {
                out.reject(location, "expected \(Self.list(allowed, conjunction: "or")), got \(Self.describeWithType(value))",
                           types: allowed)
                return out
            }
        }

        // enum / const
        if let options = schemaObject["enum"]?.arrayValue, !options.contains(value) {
            let message = options.isEmpty
                ? "no value is allowed here (empty enum)"
                : "must be one of \(Self.list(options.map(Self.brief), conjunction: nil)), got \(Self.brief(value))"
            out.reject(location, message, values: options)
            out.valueMisses += 1
        }
        if let constant = schemaObject["const"], constant != value {
            out.reject(location, "must be \(Self.brief(constant)), got \(Self.brief(value))", values: [constant])
            out.valueMisses += 1
        }

        switch value {
        case .number(let number): checkNumber(number, schemaObject, location, &out)
        case .string(let string): checkString(string, schemaObject, location, &out)
        case .array(let items): checkArray(items, schemaObject, location, context, &out)
        case .object(let object): checkObject(object, schemaObject, location, context, &out)
        case .null, .bool: break
        }

        // Schemas applying to this same value.
        let own = declaredFields(of: schema, includingAlternatives: false, hops: 0)
        var sameValueContext = context
        sameValueContext.depth += 1
        sameValueContext.knownFields.formUnion(own)

        if let reference = schemaObject["$ref"]?.stringValue,
           !context.activeReferences.contains(reference),
           let target = SchemaPointer.resolve(reference, in: root) {
            var refContext = sameValueContext
            refContext.knownFields.formUnion(alternativeFields(of: schemaObject))
            refContext.activeReferences.insert(reference)
            out.merge(check(value, against: target, at: location, context: refContext))
        }
        if let branches = schemaObject["allOf"]?.arrayValue {
            var allContext = sameValueContext
            allContext.knownFields.formUnion(alternativeFields(of: schemaObject))
            for branch in branches {
                out.merge(check(value, against: branch, at: location, context: allContext))
            }
        }
        if let branches = schemaObject["anyOf"]?.arrayValue, !branches.isEmpty {
            checkAlternatives(value, branches, exactlyOne: false, location, sameValueContext, &out)
        }
        if let branches = schemaObject["oneOf"]?.arrayValue, !branches.isEmpty {
            checkAlternatives(value, branches, exactlyOne: true, location, sameValueContext, &out)
        }
        if let excluded = schemaObject["not"] {
            if check(value, against: excluded, at: location, context: sameValueContext).passed {
                out.error(location, "must not match the excluded schema")
            }
        }
        return out
    }

    // MARK: Keywords by value type

    private func checkNumber(_ number: Double, _ schema: JSONObject, _ location: SchemaLocation, _ out: inout SchemaOutcome) {
        let shown = Self.brief(.number(number))
        let exclusiveMinimumFlag = schema["exclusiveMinimum"]?.boolValue == true
        let exclusiveMaximumFlag = schema["exclusiveMaximum"]?.boolValue == true
        if let minimum = schema["minimum"]?.doubleValue {
            if exclusiveMinimumFlag ? !(number > minimum) : !(number >= minimum) {
                out.error(location, "expected a number \(exclusiveMinimumFlag ? ">" : "≥") \(Self.brief(.number(minimum))), got \(shown)")
            }
        }
        if let maximum = schema["maximum"]?.doubleValue {
            if exclusiveMaximumFlag ? !(number < maximum) : !(number <= maximum) {
                out.error(location, "expected a number \(exclusiveMaximumFlag ? "<" : "≤") \(Self.brief(.number(maximum))), got \(shown)")
            }
        }
        if let bound = schema["exclusiveMinimum"]?.doubleValue, !(number > bound) {
            out.error(location, "expected a number > \(Self.brief(.number(bound))), got \(shown)")
        }
        if let bound = schema["exclusiveMaximum"]?.doubleValue, !(number < bound) {
            out.error(location, "expected a number < \(Self.brief(.number(bound))), got \(shown)")
        }
        if let divisor = schema["multipleOf"]?.doubleValue, divisor > 0, divisor.isFinite {
            let quotient = number / divisor
            let tolerance = 1e-9 * max(1, abs(quotient))
            if !quotient.isFinite || abs(quotient - quotient.rounded()) > tolerance {
                out.error(location, "expected a multiple of \(Self.brief(.number(divisor))), got \(shown)")
            }
        }
    }

    private func checkString(_ string: String, _ schema: JSONObject, _ location: SchemaLocation, _ out: inout SchemaOutcome) {
        // JSON Schema counts code points.
        let length = string.unicodeScalars.count
        if let minimum = schema["minLength"]?.intValue, length < minimum {
            out.error(location, "expected at least \(Self.count(minimum, "character")), got \(Self.brief(.string(string))) (\(length))")
        }
        if let maximum = schema["maxLength"]?.intValue, length > maximum {
            out.error(location, "expected at most \(Self.count(maximum, "character")), got \(Self.brief(.string(string))) (\(length))")
        }
        if let pattern = schema["pattern"]?.stringValue, let regex = regex(pattern) {
            let range = NSRange(string.startIndex..<string.endIndex, in: string)
            if regex.firstMatch(in: string, options: [], range: range) == nil {
                out.error(location, "must match pattern \(pattern), got \(Self.brief(.string(string)))")
            }
        }
    }

    private func checkArray(_ items: [JSONValue], _ schema: JSONObject, _ location: SchemaLocation,
                            _ context: SchemaContext, _ out: inout SchemaOutcome) {
        if let minimum = schema["minItems"]?.intValue, items.count < minimum {
            out.error(location, "expected at least \(Self.count(minimum, "item")), got \(items.count)")
        }
        if let maximum = schema["maxItems"]?.intValue, items.count > maximum {
            out.error(location, "expected at most \(Self.count(maximum, "item")), got \(items.count)")
        }
        if schema["uniqueItems"]?.boolValue == true {
            var firstIndex: [JSONValue: Int] = [:]
            for (index, item) in items.enumerated() {
                if let earlier = firstIndex[item] {
                    out.error(location.item(index), "duplicate of item [\(earlier)]; items must be unique")
                } else {
                    firstIndex[item] = index
                }
            }
        }

        let child = context.descending()
        var prefix: [JSONValue] = schema["prefixItems"]?.arrayValue ?? []
        var rest: JSONValue? = schema["items"]
        if case .array(let tuple)? = rest, prefix.isEmpty {
            // Older tuple form: `items` is a list of positional schemas.
            prefix = tuple
            rest = nil
        }
        for (index, item) in items.enumerated() {
            let itemSchema: JSONValue? = index < prefix.count ? prefix[index] : rest
            guard let itemSchema else { continue }
            out.mergeChild(check(item, against: itemSchema, at: location.item(index), context: child))
        }
    }

    private func checkObject(_ object: JSONObject, _ schema: JSONObject, _ location: SchemaLocation,
                             _ context: SchemaContext, _ out: inout SchemaOutcome) {
        if let minimum = schema["minProperties"]?.intValue, object.count < minimum {
            out.error(location, "expected at least \(Self.count(minimum, "field")), got \(object.count)")
        }
        if let maximum = schema["maxProperties"]?.intValue, object.count > maximum {
            out.error(location, "expected at most \(Self.count(maximum, "field")), got \(object.count)")
        }

        let properties = schema["properties"]?.objectValue
        let patternProperties: [(NSRegularExpression, JSONValue)] = (schema["patternProperties"]?.objectValue ?? [:])
            .compactMap { entry in regex(entry.key).map { ($0, entry.value) } }
        let additional = schema["additionalProperties"]

        // Names that are not "unknown" here: this schema's, its allOf/$ref's, its alternatives',
        // and those of the schemas around it.
        var known = context.knownFields
        known.formUnion(declaredFields(of: .object(schema), includingAlternatives: true, hops: 0))

        let child = context.descending()
        for (ordinal, key) in object.keys.enumerated() {
            let fieldValue = object[key] ?? .null
            let fieldLocation = location.field(key, ordinal: ordinal)
            var declared = false
            if let propertySchema = properties?[key] {
                declared = true
                out.mergeChild(check(fieldValue, against: propertySchema, at: fieldLocation, context: child))
            }
            let range = NSRange(key.startIndex..<key.endIndex, in: key)
            for (regex, propertySchema) in patternProperties where regex.firstMatch(in: key, options: [], range: range) != nil {
                declared = true
                out.mergeChild(check(fieldValue, against: propertySchema, at: fieldLocation, context: child))
            }
            if declared { continue }

            switch additional {
            case nil:
                if properties != nil, !known.contains(key) {
                    let message = "unknown field (ignored)" + Self.suggestion(for: key, in: known.list)
                    out.warnings.append(SchemaIssue(path: fieldLocation.path, order: fieldLocation.order, message: message))
                }
            case .bool(false)?:
                let allowed = properties?.keys ?? []
                let message = "unknown field, allowed: " + (allowed.isEmpty ? "none" : allowed.joined(separator: ", "))
                    + Self.suggestion(for: key, in: allowed)
                out.error(fieldLocation, message)
            case let extra?:
                out.mergeChild(check(fieldValue, against: extra, at: fieldLocation, context: child))
            }
        }

        if let required = schema["required"]?.arrayValue {
            for (position, name) in required.compactMap(\.stringValue).enumerated() where object[name] == nil {
                out.error(location.field(name, ordinal: object.count + position), "required field is missing")
            }
        }
    }

    // MARK: anyOf / oneOf

    private func checkAlternatives(_ value: JSONValue, _ branches: [JSONValue], exactlyOne: Bool,
                                   _ location: SchemaLocation, _ context: SchemaContext, _ out: inout SchemaOutcome) {
        let outcomes = branches.map { check(value, against: $0, at: location, context: context) }
        let passing = outcomes.indices.filter { outcomes[$0].passed }

        if let first = passing.first {
            if exactlyOne, passing.count > 1 {
                let which = passing.map { "#\($0 + 1)" }.joined(separator: ", ")
                out.error(location, "matches \(passing.count) of \(branches.count) alternatives (\(which)), expected exactly one")
            } else {
                out.warnings += outcomes[first].warnings
            }
            return
        }

        // Nothing matched. Prefer a branch that accepted the value's type and shape, then the
        // one whose tag fields matched, then the one with the fewest problems.
        let inside = outcomes.indices.filter { outcomes[$0].rootRejection == nil }
        if let best = inside.min(by: { lhs, rhs in
            let a = outcomes[lhs], b = outcomes[rhs]
            if a.valueMisses != b.valueMisses { return a.valueMisses < b.valueMisses }
            if a.errors.count != b.errors.count { return a.errors.count < b.errors.count }
            return lhs < rhs
        }) {
            out.errors += outcomes[best].errors
            out.valueMisses += outcomes[best].valueMisses
            return
        }

        // Every branch turned the value away at the door: say what would have been accepted.
        var merged = RootRejection()
        for outcome in outcomes { if let rejection = outcome.rootRejection { merged.absorb(rejection) } }
        let message: String
        switch (merged.types.isEmpty, merged.values.isEmpty) {
        case (false, true):
            message = "expected \(Self.list(merged.types, conjunction: "or")), got \(Self.describeWithType(value))"
        case (true, false):
            message = "must be one of \(Self.list(merged.values.map(Self.brief), conjunction: nil)), got \(Self.brief(value))"
        case (false, false):
            message = "expected \(Self.list(merged.types, conjunction: "or")) or one of "
                + "\(Self.list(merged.values.map(Self.brief), conjunction: nil)), got \(Self.describeWithType(value))"
        case (true, true):
            message = "did not match any of \(branches.count) alternatives"
        }
        out.reject(location, message, types: merged.types, values: merged.values)
        out.valueMisses += 1
    }

    // MARK: Declared field names (for unknown-field warnings)

    /// `properties` names of `schema`, its `$ref` target and its `allOf` branches; with
    /// `includingAlternatives`, also of its `anyOf` / `oneOf` branches.
    private func declaredFields(of schema: JSONValue, includingAlternatives: Bool, hops: Int) -> OrderedNames {
        var names = OrderedNames()
        guard hops < 16, let object = schema.objectValue else { return names }
        for key in object["properties"]?.objectValue?.keys ?? [] { names.insert(key) }
        if let reference = object["$ref"]?.stringValue, let target = SchemaPointer.resolve(reference, in: root) {
            names.formUnion(declaredFields(of: target, includingAlternatives: includingAlternatives, hops: hops + 1))
        }
        var groups = ["allOf"]
        if includingAlternatives { groups += ["anyOf", "oneOf"] }
        for group in groups {
            for branch in object[group]?.arrayValue ?? [] {
                names.formUnion(declaredFields(of: branch, includingAlternatives: includingAlternatives, hops: hops + 1))
            }
        }
        return names
    }

    private func alternativeFields(of schema: JSONObject) -> OrderedNames {
        var names = OrderedNames()
        for group in ["anyOf", "oneOf"] {
            for branch in schema[group]?.arrayValue ?? [] {
                names.formUnion(declaredFields(of: branch, includingAlternatives: true, hops: 1))
            }
        }
        return names
    }

    // MARK: Helpers

    /// A compiled pattern, or nil when the schema's pattern is not a valid expression
    /// (treated as no constraint).
    private func regex(_ pattern: String) -> NSRegularExpression? {
        if let cached = regexCache[pattern] { return cached }
        let compiled = try? NSRegularExpression(pattern: pattern)
        regexCache[pattern] = compiled
        return compiled
    }

    private static func typeNames(_ schema: JSONObject) -> [String]? {
        switch schema["type"] {
        case .string(let name)?: return [name]
        case .array(let names)?:
            let strings = names.compactMap(\.stringValue)
            return strings.isEmpty ? nil : strings
        default: return nil
        }
    }

    private static func value(_ value: JSONValue, hasType type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string),
             ("array", .array), ("object", .object):
            return true
        case ("integer", .number(let number)):
            return number.isFinite && number.rounded(.towardZero) == number
        default:
            return false
        }
    }

    /// The value shown briefly: strings quoted, anything longer than about 40 characters cut.
    static func brief(_ value: JSONValue) -> String {
        let limit = 40
        if case .string(let string) = value, string.count > limit {
            return JSONValue.string(String(string.prefix(limit - 3)) + "…").jsonString()
        }
        let text = value.jsonString()
        return text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    /// `string "x"`, `integer 5`, `null`.
    private static func describeWithType(_ value: JSONValue) -> String {
        if case .null = value { return "null" }
        return "\(value.typeName) \(brief(value))"
    }

    /// `a`, `a or b`, `a, b or c`; with no conjunction, `a, b, c`.
    private static func list(_ items: [String], conjunction: String?) -> String {
        guard let conjunction, items.count > 1, let last = items.last else { return items.joined(separator: ", ") }
        return items.dropLast().joined(separator: ", ") + " \(conjunction) " + last
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    private static func suggestion(for key: String, in candidates: [String]) -> String {
        guard let match = ClosestMatch.find(key, in: candidates), match != key else { return "" }
        return " — did you mean '\(match)'?"
    }
}
