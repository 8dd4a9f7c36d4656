import Testing

@testable import StreamKitComponentModel

/// The parser reads every section, nested components included, and turns malformed input
/// into an error that says what and where: never a crash.
struct ComponentParserTests {
    @Test func readsEverySectionOfARealComponent() throws {
        let component = try Component(bytes: try WasmTools.parse(ResourceTests.guestResource))
        #expect(component.coreModuleCount == 2)
        #expect(component.exportNames == ["test:res/api@0.1.0", "dropped", "bad-rep", "make-and-drop"])
        let host = try Component(bytes: try WasmTools.parse(ResourceTests.hostResource()))
        #expect(host.importNames == ["test:host/counters@1.0.0"])
    }

    @Test func coreModuleIsNotAComponent() throws {
        let module = try WasmTools.parse("(module)")
        do {
            _ = try Component(bytes: module)
            Issue.record("a core module parsed as a component")
        } catch {
            #expect(error.message == "this is a core module, not a component")
        }
    }

    @Test func everyTruncationInsideASectionIsAnError() throws {
        let bytes = try WasmTools.parse(ResourceTests.guestResource)
        // A prefix that ends exactly between top-level sections is itself a valid component.
        var boundaries: Set<Int> = [8]
        var position = 8
        while position < bytes.count {
            position += 1
            var size = 0
            var shift = 0
            while true {
                let byte = bytes[position]
                position += 1
                size |= Int(byte & 0x7f) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            position += size
            boundaries.insert(position)
        }
        for length in 0..<bytes.count {
            do {
                _ = try Component(bytes: Array(bytes[..<length]))
                #expect(boundaries.contains(length), "prefix of \(length) bytes parsed")
            } catch {
                #expect(!boundaries.contains(length), "prefix of \(length) bytes (a section boundary): \(error)")
            }
        }
    }

    @Test func corruptedBytesNeverCrash() throws {
        let bytes = try WasmTools.parse(ResourceTests.guestResource)
        var generator = SplitMix64(seed: 0x5eed)
        var failures = 0
        for _ in 0..<2000 {
            var corrupted = bytes
            let index = Int(generator.next() % UInt64(bytes.count - 8)) + 8
            corrupted[index] = UInt8(truncatingIfNeeded: generator.next())
            do {
                let component = try Component(bytes: corrupted)
                _ = try? ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine)
            } catch {
                failures += 1
            }
        }
        #expect(failures > 0, "corruption was noticed at least sometimes")
    }

    @Test func outOfBoundsIndexSaysWhere() throws {
        // A component whose only export names function 0 when no function exists.
        let bytes: [UInt8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x0b, 0x06, 0x01, 0x00, 0x01, 0x66, 0x01, 0x00]
        do {
            _ = try Component(bytes: bytes)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "func index 0 out of bounds (0 defined) in export section at offset 0xf")
        }
    }
}

/// A small deterministic generator, so the corruption test is reproducible.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Types are trees of values: hostile definitions must not blow up depth or size. (wasm-tools
/// validate refuses these too, so they are built without validation.)
struct TypeComplexityTests {
    @Test func exponentialTypeIsRefusedQuickly() throws {
        var types = "(type $t0 (tuple u8 u8))\n"
        for index in 1..<40 { types += "(type $t\(index) (tuple $t\(index - 1) $t\(index - 1)))\n" }
        let component = try Component(bytes: try WasmTools.parse("(component \(types))", validate: false))
        let error = ComponentError.expecting(.unsupported) { _ = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine) }
        #expect(error?.message.contains("more than 100000 parts") == true, "\(String(describing: error))")
    }

    @Test func deepTypeIsRefused() throws {
        var types = "(type $t0 (list u8))\n"
        for index in 1..<150 { types += "(type $t\(index) (list $t\(index - 1)))\n" }
        let component = try Component(bytes: try WasmTools.parse("(component \(types))", validate: false))
        let error = ComponentError.expecting(.unsupported) { _ = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine) }
        #expect(error?.message.contains("deeper than 100 levels") == true, "\(String(describing: error))")
    }
}
