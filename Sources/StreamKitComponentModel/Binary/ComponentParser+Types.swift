// Type and canon definitions: `type`, `core:type`, `defvaltype`, `functype`, instance and
// component types with their own index spaces, and `canon` with its options.
extension ComponentParser {
    mutating func readType(_ reader: inout ByteReader) throws(ComponentParseError) -> TypeSyntax {
        let start = reader.position
        let code = try reader.peekByte()
        switch code {
        case 0x40, 0x43:
            return .function(try readFunctionType(&reader))
        case 0x41:
            _ = try reader.readByte()
            return .component(try readDeclarations(&reader, allowImports: true))
        case 0x42:
            _ = try reader.readByte()
            return .instance(try readDeclarations(&reader, allowImports: false))
        case 0x3f:
            _ = try reader.readByte()
            guard try reader.readByte() == 0x7f else { throw reader.error("resource representation must be i32", at: start) }
            let destructorAt = reader.position
            let destructor = try reader.readOptional { r throws(ComponentParseError) in try r.readU32() }
            if let destructor { try checkIndex(destructor, .core(.function), reader, at: destructorAt) }
            return .resource(destructor: destructor)
        case 0x3e:
            throw reader.error("async resource types are not supported", at: start)
        default:
            return .value(try readDefinedValueType(&reader))
        }
    }

    func checkIndex(_ index: UInt32, _ sort: Sort, _ reader: ByteReader, at offset: Int) throws(ComponentParseError) {
        let count = scopes[scopes.count - 1][sort]
        guard index < count else {
            throw reader.error("\(sort.name) index \(index) out of bounds (\(count) defined)", at: offset)
        }
    }

    func readValueType(_ reader: inout ByteReader) throws(ComponentParseError) -> ValueTypeSyntax {
        let start = reader.position
        let value = try reader.readS33()
        if value < 0 {
            let code = UInt8(truncatingIfNeeded: value & 0x7f)
            guard let primitive = PrimitiveType(rawValue: code) else {
                throw reader.error("malformed value type 0x\(String(code, radix: 16))", at: start)
            }
            return .primitive(primitive)
        }
        guard value <= Int64(UInt32.max) else { throw reader.error("type index too large", at: start) }
        try checkIndex(UInt32(value), .type, reader, at: start)
        return .index(UInt32(value))
    }

    private func readLabelledTypes(_ reader: inout ByteReader) throws(ComponentParseError) -> [(label: String, type: ValueTypeSyntax)] {
        try reader.readVector { r throws(ComponentParseError) -> (label: String, type: ValueTypeSyntax) in
            (try r.readName(), try self.readValueType(&r))
        }
    }

    func readDefinedValueType(_ reader: inout ByteReader) throws(ComponentParseError) -> DefinedValueTypeSyntax {
        let start = reader.position
        let code = try reader.readByte()
        if let primitive = PrimitiveType(rawValue: code) { return .primitive(primitive) }
        func optionalType(_ r: inout ByteReader) throws(ComponentParseError) -> ValueTypeSyntax? {
            try r.readOptional { r throws(ComponentParseError) in try self.readValueType(&r) }
        }
        func resourceIndex(_ r: inout ByteReader) throws(ComponentParseError) -> UInt32 {
            let at = r.position
            let index = try r.readU32()
            try checkIndex(index, .type, r, at: at)
            return index
        }
        switch code {
        case 0x72:
            let fields = try readLabelledTypes(&reader)
            guard !fields.isEmpty else { throw reader.error("record must have at least one field", at: start) }
            return .record(fields)
        case 0x71:
            let cases = try reader.readVector { r throws(ComponentParseError) -> (label: String, type: ValueTypeSyntax?) in
                let label = try r.readName()
                let type = try optionalType(&r)
                _ = try r.readOptional { r throws(ComponentParseError) in try r.readU32() }  // legacy `refines`
                return (label, type)
            }
            guard !cases.isEmpty else { throw reader.error("variant must have at least one case", at: start) }
            return .variant(cases)
        case 0x70: return .list(try readValueType(&reader))
        case 0x67: return .fixedList(try readValueType(&reader), try reader.readU32())
        case 0x6f: return .tuple(try reader.readVector { r throws(ComponentParseError) in try self.readValueType(&r) })
        case 0x6e:
            let labels = try reader.readVector { r throws(ComponentParseError) in try r.readName() }
            guard labels.count <= 32 else { throw reader.error("flags with \(labels.count) labels (at most 32)", at: start) }
            return .flags(labels)
        case 0x6d:
            let labels = try reader.readVector { r throws(ComponentParseError) in try r.readName() }
            guard !labels.isEmpty else { throw reader.error("enum must have at least one case", at: start) }
            return .enum(labels)
        case 0x6b: return .option(try readValueType(&reader))
        case 0x6a: return .result(ok: try optionalType(&reader), error: try optionalType(&reader))
        case 0x69: return .own(try resourceIndex(&reader))
        case 0x68: return .borrow(try resourceIndex(&reader))
        case 0x66: return .stream(try optionalType(&reader))
        case 0x65: return .future(try optionalType(&reader))
        default: throw reader.error("malformed defined value type 0x\(String(code, radix: 16))", at: start)
        }
    }

    func readFunctionType(_ reader: inout ByteReader) throws(ComponentParseError) -> FunctionTypeSyntax {
        let start = reader.position
        let isAsync = try reader.readByte() == 0x43
        let parameters = try readLabelledTypes(&reader)
        var results: [(label: String?, type: ValueTypeSyntax)] = []
        switch try reader.readByte() {
        case 0x00:
            results = [(nil, try readValueType(&reader))]
        case 0x01:
            results = try readLabelledTypes(&reader).map { (label: Optional($0.label), type: $0.type) }
        default:
            throw reader.error("malformed function result list", at: start)
        }
        return FunctionTypeSyntax(parameters: parameters, results: results, isAsync: isAsync)
    }

    /// Instance or component type declarations, in their own index spaces.
    mutating func readDeclarations(_ reader: inout ByteReader, allowImports: Bool) throws(ComponentParseError) -> [DeclarationSyntax] {
        scopes.append(IndexSpaces())
        defer { scopes.removeLast() }
        let count = try reader.readU32()
        var declarations: [DeclarationSyntax] = []
        for _ in 0..<count {
            let start = reader.position
            let kind = try reader.readByte()
            switch kind {
            case 0x00:
                declarations.append(.coreType(try readCoreType(&reader)))
                scopes[scopes.count - 1].add(.core(.type))
            case 0x01:
                declarations.append(.type(try readType(&reader)))
                scopes[scopes.count - 1].add(.type)
            case 0x02:
                let alias = try readAliasInDeclaration(&reader)
                declarations.append(.alias(alias))
                scopes[scopes.count - 1].add(alias.sort)
            case 0x03 where allowImports:
                let name = try readExternNameInDeclaration(&reader)
                let descriptor = try readExternDescriptorInDeclaration(&reader)
                declarations.append(.import(ImportSyntax(name: name, descriptor: descriptor)))
                scopes[scopes.count - 1].add(descriptor.sort)
            case 0x04:
                let name = try readExternNameInDeclaration(&reader)
                let descriptor = try readExternDescriptorInDeclaration(&reader)
                declarations.append(.export(name: name, descriptor: descriptor))
                scopes[scopes.count - 1].add(descriptor.sort)
            default:
                throw reader.error("unknown type declaration 0x\(String(kind, radix: 16))", at: start)
            }
        }
        return declarations
    }

    // MARK: - Core types

    func readCoreType(_ reader: inout ByteReader) throws(ComponentParseError) -> CoreTypeSyntax {
        let start = reader.position
        switch try reader.readByte() {
        case 0x60:
            _ = try reader.readVector { r throws(ComponentParseError) in try self.readCoreValueType(&r) }
            _ = try reader.readVector { r throws(ComponentParseError) in try self.readCoreValueType(&r) }
            return .function
        case 0x50:
            let count = try reader.readU32()
            for _ in 0..<count {
                let declStart = reader.position
                switch try reader.readByte() {
                case 0x00:
                    _ = try reader.readName()
                    _ = try reader.readName()
                    try skipCoreImportDescriptor(&reader)
                case 0x01:
                    _ = try readCoreType(&reader)
                case 0x02:
                    _ = try reader.readByte()  // sort
                    guard try reader.readByte() == 0x01 else { throw reader.error("module type alias must be outer", at: declStart) }
                    _ = try reader.readU32()
                    _ = try reader.readU32()
                case 0x03:
                    _ = try reader.readName()
                    try skipCoreImportDescriptor(&reader)
                case let other:
                    throw reader.error("unknown module type declaration 0x\(String(other, radix: 16))", at: declStart)
                }
            }
            return .module
        case let other:
            throw reader.error("unsupported core type 0x\(String(other, radix: 16))", at: start)
        }
    }

    private func readCoreValueType(_ reader: inout ByteReader) throws(ComponentParseError) {
        let start = reader.position
        switch try reader.readByte() {
        case 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f: return
        case 0x63, 0x64: _ = try reader.readS33()
        case let other: throw reader.error("unknown core value type 0x\(String(other, radix: 16))", at: start)
        }
    }

    private func skipLimits(_ reader: inout ByteReader) throws(ComponentParseError) {
        let flags = try reader.readByte()
        _ = try reader.readS33()  // min (u32 or u64; only skipped)
        if flags & 0x01 != 0 { _ = try reader.readS33() }
    }

    private func skipCoreImportDescriptor(_ reader: inout ByteReader) throws(ComponentParseError) {
        let start = reader.position
        switch try reader.readByte() {
        case 0x00: _ = try reader.readU32()
        case 0x01: try readCoreValueType(&reader); try skipLimits(&reader)
        case 0x02: try skipLimits(&reader)
        case 0x03: try readCoreValueType(&reader); _ = try reader.readByte()
        case 0x04: _ = try reader.readByte(); _ = try reader.readU32()
        case let other: throw reader.error("unknown core import descriptor 0x\(String(other, radix: 16))", at: start)
        }
    }

    // MARK: - Canon

    mutating func readCanon(_ reader: inout ByteReader) throws(ComponentParseError) -> Canon {
        let start = reader.position
        let opcode = try reader.readByte()
        func index(_ r: inout ByteReader, _ sort: Sort) throws(ComponentParseError) -> UInt32 {
            let at = r.position
            let value = try r.readU32()
            try checkIndex(value, sort, r, at: at)
            return value
        }
        switch opcode {
        case 0x00:
            guard try reader.readByte() == 0x00 else { throw reader.error("malformed canon lift", at: start) }
            let function = try index(&reader, .core(.function))
            let options = try readCanonOptions(&reader)
            return .lift(coreFunction: function, options: options, type: try index(&reader, .type))
        case 0x01:
            guard try reader.readByte() == 0x00 else { throw reader.error("malformed canon lower", at: start) }
            let function = try index(&reader, .function)
            return .lower(function: function, options: try readCanonOptions(&reader))
        case 0x02: return .resourceNew(type: try index(&reader, .type))
        case 0x03: return .resourceDrop(type: try index(&reader, .type))
        case 0x04: return .resourceRep(type: try index(&reader, .type))
        case 0x07: throw reader.error("canon resource.drop async is not supported", at: start)
        default:
            throw reader.error("canon opcode 0x\(String(opcode, radix: 16)) (async or threads built-ins) is not supported", at: start)
        }
    }

    private func readCanonOptions(_ reader: inout ByteReader) throws(ComponentParseError) -> CanonicalOptions {
        var options = CanonicalOptions()
        let count = try reader.readU32()
        for _ in 0..<count {
            let start = reader.position
            switch try reader.readByte() {
            case 0x00: options.stringEncoding = .utf8
            case 0x01: options.stringEncoding = .utf16
            case 0x02: options.stringEncoding = .latin1UTF16
            case 0x03:
                let value = try reader.readU32()
                try checkIndex(value, .core(.memory), reader, at: start + 1)
                options.memory = value
            case 0x04:
                let value = try reader.readU32()
                try checkIndex(value, .core(.function), reader, at: start + 1)
                options.realloc = value
            case 0x05:
                let value = try reader.readU32()
                try checkIndex(value, .core(.function), reader, at: start + 1)
                options.postReturn = value
            case 0x06: options.isAsync = true
            case 0x07: options.callback = try reader.readU32()
            case let other:
                throw reader.error("unknown canon option 0x\(String(other, radix: 16))", at: start)
            }
        }
        return options
    }
}
