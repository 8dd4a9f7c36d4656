import WasmKit

/// Parses a component binary into a ``ParsedComponent``, checking structure and indices.
///
/// Every section is read, including nested components, whose index spaces are checked against
/// their own definitions (and, through outer aliases, their enclosing components').
struct ComponentParser {
    static let magic: [UInt8] = [0x00, 0x61, 0x73, 0x6d]
    static let componentVersion: [UInt8] = [0x0d, 0x00, 0x01, 0x00]

    let bytes: [UInt8]
    /// Index spaces of the enclosing scopes, innermost last (components and type declarations).
    var scopes: [IndexSpaces] = []

    static func parse(_ bytes: [UInt8]) throws(ComponentParseError) -> ParsedComponent {
        var parser = ComponentParser(bytes: bytes)
        return try parser.parseComponent(range: 0..<bytes.count)
    }

    private var spaces: IndexSpaces {
        get { scopes[scopes.count - 1] }
        set { scopes[scopes.count - 1] = newValue }
    }

    mutating func parseComponent(range: Range<Int>) throws(ComponentParseError) -> ParsedComponent {
        var reader = ByteReader(bytes: bytes, range: range)
        let header = try reader.readBytes(8)
        guard Array(bytes[header.prefix(4)]) == Self.magic else {
            throw reader.error("not a WebAssembly binary (bad magic)", at: range.lowerBound)
        }
        guard Array(bytes[header.suffix(4)]) == Self.componentVersion else {
            let layer = bytes[header.lowerBound + 6]
            if layer == 0 {
                throw reader.error("this is a core module, not a component", at: range.lowerBound + 4)
            }
            throw reader.error("unsupported component version/layer", at: range.lowerBound + 4)
        }
        scopes.append(IndexSpaces())
        defer { scopes.removeLast() }
        var definitions: [Definition] = []
        while !reader.isAtEnd {
            let sectionStart = reader.position
            let id = try reader.readByte()
            let size = try reader.readU32()
            let body = try reader.readBytes(Int(size))
            var section = ByteReader(bytes: bytes, range: body, section: Self.sectionName(id))
            switch id {
            case 0:
                _ = try section.readName()  // custom section: name, then opaque bytes
                _ = try section.readBytes(section.end - section.position)
            case 1:
                definitions.append(.coreModule(try parseCoreModule(range: body, reader: section)))
                spaces.add(.core(.module))
                section = ByteReader(bytes: bytes, range: body.upperBound..<body.upperBound)
            case 2:
                // Each instance is in the index space as soon as it is read: a later item of
                // the same section may refer to it.
                let count = try section.readU32()
                for _ in 0..<count {
                    definitions.append(.coreInstance(try readCoreInstance(&section)))
                    spaces.add(.core(.instance))
                }
            case 3:
                let count = try section.readU32()
                for _ in 0..<count {
                    definitions.append(.coreType(try readCoreType(&section)))
                    spaces.add(.core(.type))
                }
            case 4:
                let nested = try parseComponent(range: body)
                definitions.append(.component(nested))
                spaces.add(.component)
                section = ByteReader(bytes: bytes, range: body.upperBound..<body.upperBound)
            case 5:
                let count = try section.readU32()
                for _ in 0..<count {
                    definitions.append(.instance(try readInstance(&section)))
                    spaces.add(.instance)
                }
            case 6:
                let count = try section.readU32()
                for _ in 0..<count {
                    let alias = try readAlias(&section)
                    definitions.append(.alias(alias))
                    spaces.add(alias.sort)
                }
            case 7:
                let count = try section.readU32()
                for _ in 0..<count {
                    definitions.append(.type(try readType(&section)))
                    spaces.add(.type)
                }
            case 8:
                let count = try section.readU32()
                for _ in 0..<count {
                    let canon = try readCanon(&section)
                    definitions.append(.canon(canon))
                    if case .lift = canon { spaces.add(.function) } else { spaces.add(.core(.function)) }
                }
            case 9:
                let start = try readStart(&section)
                definitions.append(.start(start))
                spaces.add(.value, count: start.resultCount)
            case 10:
                let count = try section.readU32()
                for _ in 0..<count {
                    let name = try readExternName(&section)
                    let descriptor = try readExternDescriptor(&section)
                    definitions.append(.import(ImportSyntax(name: name, descriptor: descriptor)))
                    spaces.add(descriptor.sort)
                }
            case 11:
                let count = try section.readU32()
                for _ in 0..<count {
                    let name = try readExternName(&section)
                    let item = try readSortIndex(&section)
                    let ascribed = try section.readOptional { r throws(ComponentParseError) in try self.readExternDescriptor(&r) }
                    definitions.append(.export(ExportSyntax(name: name, item: item, ascribed: ascribed)))
                    spaces.add(item.sort)
                }
            case 12:
                throw section.error("value definitions are not supported", at: sectionStart)
            default:
                throw reader.error("unknown section id \(id)", at: sectionStart)
            }
            guard section.isAtEnd else {
                throw section.error("section size mismatch: \(section.end - section.position) bytes left unread")
            }
        }
        return ParsedComponent(definitions: definitions, offset: range.lowerBound)
    }

    static func sectionName(_ id: UInt8) -> String {
        switch id {
        case 0: return "custom"
        case 1: return "core module"
        case 2: return "core instance"
        case 3: return "core type"
        case 4: return "component"
        case 5: return "instance"
        case 6: return "alias"
        case 7: return "type"
        case 8: return "canon"
        case 9: return "start"
        case 10: return "import"
        case 11: return "export"
        case 12: return "value"
        default: return "unknown (\(id))"
        }
    }

    // MARK: - Core modules and instances

    private func parseCoreModule(range: Range<Int>, reader: ByteReader) throws(ComponentParseError) -> CoreModuleSyntax {
        do {
            let module = try parseWasm(bytes: Array(bytes[range]))
            return CoreModuleSyntax(module: module, offset: range.lowerBound)
        } catch {
            throw reader.error("invalid core module: \(error)", at: range.lowerBound)
        }
    }

    func check(_ index: UInt32, _ sort: Sort, _ reader: ByteReader, at offset: Int) throws(ComponentParseError) {
        let count = spaces[sort]
        guard index < count else {
            throw reader.error("\(sort.name) index \(index) out of bounds (\(count) defined)", at: offset)
        }
    }

    func readCoreSort(_ reader: inout ByteReader) throws(ComponentParseError) -> CoreSort {
        let start = reader.position
        let byte = try reader.readByte()
        guard let sort = CoreSort(rawValue: byte) else {
            throw reader.error("unknown core sort 0x\(String(byte, radix: 16))", at: start)
        }
        return sort
    }

    func readCoreInstance(_ reader: inout ByteReader) throws(ComponentParseError) -> CoreInstanceExpression {
        let start = reader.position
        switch try reader.readByte() {
        case 0x00:
            let moduleAt = reader.position
            let module = try reader.readU32()
            try check(module, .core(.module), reader, at: moduleAt)
            let arguments = try reader.readVector { r throws(ComponentParseError) -> (name: String, instance: UInt32) in
                let name = try r.readName()
                let sortAt = r.position
                guard try r.readByte() == 0x12 else { throw r.error("core instantiate argument must be an instance", at: sortAt) }
                let indexAt = r.position
                let instance = try r.readU32()
                try self.check(instance, .core(.instance), r, at: indexAt)
                return (name, instance)
            }
            return .instantiate(module: module, arguments: arguments)
        case 0x01:
            let exports = try reader.readVector { r throws(ComponentParseError) -> (name: String, item: CoreSortIndex) in
                let name = try r.readName()
                let sort = try self.readCoreSort(&r)
                let indexAt = r.position
                let index = try r.readU32()
                try self.check(index, .core(sort), r, at: indexAt)
                return (name, CoreSortIndex(sort: sort, index: index))
            }
            return .exports(exports)
        case let other:
            throw reader.error("unknown core instance expression 0x\(String(other, radix: 16))", at: start)
        }
    }

    // MARK: - Component instances, aliases, sorts

    func readSort(_ reader: inout ByteReader) throws(ComponentParseError) -> Sort {
        let start = reader.position
        switch try reader.readByte() {
        case 0x00: return .core(try readCoreSort(&reader))
        case 0x01: return .function
        case 0x02: return .value
        case 0x03: return .type
        case 0x04: return .component
        case 0x05: return .instance
        case let other: throw reader.error("unknown sort 0x\(String(other, radix: 16))", at: start)
        }
    }

    func readSortIndex(_ reader: inout ByteReader) throws(ComponentParseError) -> SortIndex {
        let sort = try readSort(&reader)
        let indexAt = reader.position
        let index = try reader.readU32()
        try check(index, sort, reader, at: indexAt)
        return SortIndex(sort: sort, index: index)
    }

    func readInstance(_ reader: inout ByteReader) throws(ComponentParseError) -> InstanceExpression {
        let start = reader.position
        switch try reader.readByte() {
        case 0x00:
            let componentAt = reader.position
            let component = try reader.readU32()
            try check(component, .component, reader, at: componentAt)
            let arguments = try reader.readVector { r throws(ComponentParseError) -> (name: String, item: SortIndex) in
                (try r.readName(), try self.readSortIndex(&r))
            }
            return .instantiate(component: component, arguments: arguments)
        case 0x01:
            let exports = try reader.readVector { r throws(ComponentParseError) -> (name: String, item: SortIndex) in
                (try self.readExternName(&r), try self.readSortIndex(&r))
            }
            return .exports(exports)
        case let other:
            throw reader.error("unknown instance expression 0x\(String(other, radix: 16))", at: start)
        }
    }

    func readAlias(_ reader: inout ByteReader) throws(ComponentParseError) -> Alias {
        let sort = try readSort(&reader)
        let start = reader.position
        switch try reader.readByte() {
        case 0x00:
            let instanceAt = reader.position
            let instance = try reader.readU32()
            try check(instance, .instance, reader, at: instanceAt)
            return Alias(sort: sort, target: .export(instance: instance, name: try reader.readName()))
        case 0x01:
            let instanceAt = reader.position
            let instance = try reader.readU32()
            try check(instance, .core(.instance), reader, at: instanceAt)
            guard case .core = sort else { throw reader.error("core export alias must have a core sort", at: start) }
            return Alias(sort: sort, target: .coreExport(instance: instance, name: try reader.readName()))
        case 0x02:
            let count = try reader.readU32()
            let index = try reader.readU32()
            switch sort {
            case .type, .component, .core(.module), .core(.type): break
            default: throw reader.error("outer alias of a \(sort.name) is not allowed", at: start)
            }
            guard Int(count) < scopes.count else {
                throw reader.error("outer alias count \(count) exceeds nesting depth \(scopes.count - 1)", at: start)
            }
            let outer = scopes[scopes.count - 1 - Int(count)]
            guard index < outer[sort] else {
                throw reader.error("outer alias \(sort.name) index \(index) out of bounds (\(outer[sort]) defined)", at: start)
            }
            return Alias(sort: sort, target: .outer(count: count, index: index))
        case let other:
            throw reader.error("unknown alias target 0x\(String(other, radix: 16))", at: start)
        }
    }

    /// `importname'` / `exportname'`: a name, optionally followed by a version suffix or URL.
    func readExternName(_ reader: inout ByteReader) throws(ComponentParseError) -> String {
        let start = reader.position
        switch try reader.readByte() {
        case 0x00:
            return try reader.readName()
        case 0x01:
            let name = try reader.readName()
            _ = try reader.readName()
            return name
        case let other:
            throw reader.error("unknown extern name kind 0x\(String(other, radix: 16))", at: start)
        }
    }

    func readExternDescriptor(_ reader: inout ByteReader) throws(ComponentParseError) -> ExternDescriptor {
        let start = reader.position
        let kind = try reader.readByte()
        func typeIndex(_ reader: inout ByteReader, _ sort: Sort = .type) throws(ComponentParseError) -> UInt32 {
            let at = reader.position
            let index = try reader.readU32()
            try check(index, sort, reader, at: at)
            return index
        }
        switch kind {
        case 0x00:
            guard try reader.readByte() == 0x11 else { throw reader.error("core extern descriptor must be a module", at: start) }
            return .coreModule(type: try typeIndex(&reader, .core(.type)))
        case 0x01: return .function(type: try typeIndex(&reader))
        case 0x02:
            switch try reader.readByte() {
            case 0x00: return .value(.equal(try reader.readU32()))
            case 0x01: return .value(.type(try readValueType(&reader)))
            default: throw reader.error("unknown value bound", at: start)
            }
        case 0x03:
            switch try reader.readByte() {
            case 0x00: return .type(.equal(try typeIndex(&reader)))
            case 0x01: return .type(.subResource)
            default: throw reader.error("unknown type bound", at: start)
            }
        case 0x04: return .component(type: try typeIndex(&reader))
        case 0x05: return .instance(type: try typeIndex(&reader))
        default: throw reader.error("unknown extern descriptor 0x\(String(kind, radix: 16))", at: start)
        }
    }

    func readStart(_ reader: inout ByteReader) throws(ComponentParseError) -> StartSyntax {
        let at = reader.position
        let function = try reader.readU32()
        try check(function, .function, reader, at: at)
        let arguments = try reader.readVector { r throws(ComponentParseError) in try r.readU32() }
        return StartSyntax(function: function, arguments: arguments, resultCount: try reader.readU32())
    }
}

extension ComponentParser {
    func readAliasInDeclaration(_ reader: inout ByteReader) throws(ComponentParseError) -> Alias { try readAlias(&reader) }
    func readExternNameInDeclaration(_ reader: inout ByteReader) throws(ComponentParseError) -> String { try readExternName(&reader) }
    func readExternDescriptorInDeclaration(_ reader: inout ByteReader) throws(ComponentParseError) -> ExternDescriptor {
        try readExternDescriptor(&reader)
    }
}
