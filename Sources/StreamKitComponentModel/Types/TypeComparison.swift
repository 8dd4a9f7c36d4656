/// Compares a component's view of a type with the host's, and says precisely what differs.
///
/// Component Model types match only if they are equal: same cases in the same order, same
/// field names, same resource types. The first difference found is reported with a path from
/// the function down to the part that differs, e.g.
/// `parameter packet: variant: component has 3 cases, host has 4`.
enum TypeComparison {
    static func difference(component: ComponentFunctionType, host: ComponentFunctionType) -> String? {
        if component.parameters.count != host.parameters.count {
            return "component has \(component.parameters.count) parameters, host has \(host.parameters.count)"
        }
        for (c, h) in zip(component.parameters, host.parameters) {
            if c.name != h.name { return "parameter `\(c.name)` is `\(h.name)` in the host" }
            if let d = difference(component: c.type, host: h.type) { return "parameter \(c.name): \(d)" }
        }
        if component.results.count != host.results.count {
            return "component has \(component.results.count) results, host has \(host.results.count)"
        }
        for (c, h) in zip(component.results, host.results) {
            if let d = difference(component: c, host: h) { return "result: \(d)" }
        }
        return nil
    }

    static func difference(component: ComponentValueType, host: ComponentValueType) -> String? {
        switch (component, host) {
        case (.list(let c), .list(let h)):
            return difference(component: c, host: h).map { "list element: \($0)" }
        case (.option(let c), .option(let h)):
            return difference(component: c, host: h).map { "option: \($0)" }
        case (.record(let c), .record(let h)):
            if c.count != h.count { return "record: component has \(c.count) fields, host has \(h.count)" }
            for (cf, hf) in zip(c, h) {
                if cf.name != hf.name { return "record: component has field `\(cf.name)` where host has `\(hf.name)`" }
                if let d = difference(component: cf.type, host: hf.type) { return "\(cf.name): \(d)" }
            }
            return nil
        case (.tuple(let c), .tuple(let h)):
            if c.count != h.count { return "tuple: component has \(c.count) elements, host has \(h.count)" }
            for (index, (ct, ht)) in zip(c, h).enumerated() {
                if let d = difference(component: ct, host: ht) { return "tuple element \(index): \(d)" }
            }
            return nil
        case (.variant(let c), .variant(let h)):
            if c.count != h.count {
                return "variant: component has \(c.count) cases, host has \(h.count)\(missing(c.map(\.name), h.map(\.name)))"
            }
            for (cc, hc) in zip(c, h) {
                if cc.name != hc.name { return "variant: component has case `\(cc.name)` where host has `\(hc.name)`" }
                switch (cc.type, hc.type) {
                case (nil, nil): continue
                case (let ct?, let ht?):
                    if let d = difference(component: ct, host: ht) { return "case \(cc.name): \(d)" }
                default:
                    return "case \(cc.name): \(cc.type == nil ? "component has no payload, host has one" : "component has a payload, host has none")"
                }
            }
            return nil
        case (.enumeration(let c), .enumeration(let h)):
            if c.count != h.count { return "enum: component has \(c.count) cases, host has \(h.count)\(missing(c, h))" }
            for (cn, hn) in zip(c, h) where cn != hn { return "enum: component has case `\(cn)` where host has `\(hn)`" }
            return nil
        case (.flags(let c), .flags(let h)):
            if c.count != h.count { return "flags: component has \(c.count) flags, host has \(h.count)\(missing(c, h))" }
            for (cn, hn) in zip(c, h) where cn != hn { return "flags: component has `\(cn)` where host has `\(hn)`" }
            return nil
        case (.result(let cok, let cerr), .result(let hok, let herr)):
            if let d = optionalDifference(cok, hok) { return "result ok: \(d)" }
            if let d = optionalDifference(cerr, herr) { return "result error: \(d)" }
            return nil
        case (.own(let c), .own(let h)), (.borrow(let c), .borrow(let h)):
            return c == h ? nil : "component's resource `\(c.name)` is not the host's resource `\(h.name)`"
        default:
            return component == host ? nil : "component has \(component), host has \(host)"
        }
    }

    private static func optionalDifference(_ c: ComponentValueType?, _ h: ComponentValueType?) -> String? {
        switch (c, h) {
        case (nil, nil): return nil
        case (let c?, let h?): return difference(component: c, host: h)
        case (nil, let h?): return "component has none, host has \(h)"
        case (let c?, nil): return "component has \(c), host has none"
        }
    }

    private static func missing(_ component: [String], _ host: [String]) -> String {
        let onlyHost = host.filter { !component.contains($0) }
        let onlyComponent = component.filter { !host.contains($0) }
        var parts: [String] = []
        if !onlyHost.isEmpty { parts.append("component lacks \(onlyHost.map { "`\($0)`" }.joined(separator: ", "))") }
        if !onlyComponent.isEmpty { parts.append("host lacks \(onlyComponent.map { "`\($0)`" }.joined(separator: ", "))") }
        return parts.isEmpty ? "" : " (\(parts.joined(separator: "; ")))"
    }
}
