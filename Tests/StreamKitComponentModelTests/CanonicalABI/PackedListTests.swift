import Testing

@testable import StreamKitComponentModel

/// The packed spellings of `list<f32>` and `list<u8>` (`.float32List`, `.byteList`) take a bulk
/// copy across the boundary; `.list` of `.f32`/`.u8` takes the per-element path. Both must put
/// the same bytes in guest memory and read the same values back, and the packed path must check
/// guest pointers and lengths exactly as the generic one does.
struct PackedListTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let element: ComponentValueType
        /// The packed spelling; the generic one is derived from it.
        let packed: ComponentValue
        var testDescription: String { name }

        var generic: ComponentValue { .list(packed.listElements ?? []) }
        var watType: String { element == .f32 ? "(list f32)" : "(list u8)" }
    }

    static let cases: [Case] = [
        .init(name: "empty list<f32>", element: .f32, packed: .float32List([])),
        .init(name: "one f32", element: .f32, packed: .float32List([0.25])),
        .init(name: "960 audio samples", element: .f32, packed: .float32List((0..<960).map { Float($0 % 97) / 97 - 0.5 })),
        .init(name: "special floats", element: .f32, packed: .float32List([
            -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .nan, Float(nan: 0x1234, signaling: true), 1,
        ])),
        .init(name: "empty list<u8>", element: .u8, packed: .byteList([])),
        .init(name: "every byte", element: .u8, packed: .byteList((0...255).map { UInt8($0) })),
        .init(name: "odd-length bytes", element: .u8, packed: .byteList([7, 0, 255])),
    ]

    /// Floats compared by bit pattern (NaNs included), bytes as they are.
    static func bits(_ value: ComponentValue?) -> [UInt32]? {
        if let floats = value?.float32Elements { return floats.map(\.bitPattern) }
        return value?.byteElements.map { $0.map(UInt32.init) }
    }

    func makeEcho(_ testCase: Case) throws -> (ComponentInstance, ComponentFunction, Received) {
        let roundTrip = RoundTripCase(name: testCase.name, watType: testCase.watType, type: .list(testCase.element), values: [])
        let type = ComponentFunctionType(parameters: [.init("x", .list(testCase.element))], result: .list(testCase.element))
        let (instance, received) = try Received.instance(wat: roundTripComponent(roundTrip), hostFunction: "echo", type: type) { [$0] }
        return (instance, try instance.function("roundtrip"), received)
    }

    @Test(arguments: cases)
    func packedAndGenericPathsGiveIdenticalResults(_ testCase: Case) throws {
        let (instance, roundtrip, received) = try makeEcho(testCase)
        // Lowered packed (host → guest), lifted packed (guest → host import), lowered packed
        // again (import result) and lifted (export result).
        let packedResult = try instance.call(roundtrip, [testCase.packed]).first
        let packedSeen = received.values.last
        // The same list spelled generically goes through the per-element lowering.
        let genericResult = try instance.call(roundtrip, [testCase.generic]).first
        let genericSeen = received.values.last

        #expect(received.values.count == 2)
        #expect(Self.bits(packedResult) == Self.bits(genericResult))
        #expect(Self.bits(packedSeen) == Self.bits(genericSeen))
        #expect(packedResult?.listCount == testCase.packed.listCount)
        // Lifting always gives the packed spelling, whichever spelling was lowered.
        switch (testCase.element, genericResult) {
        case (.f32, .float32List?), (.u8, .byteList?): break
        default: Issue.record("lifting gave \(String(describing: genericResult)), not the packed spelling")
        }
        // Canonical ABI: every NaN crosses as the canonical NaN; every other value bit for bit.
        let sent = Self.bits(testCase.packed) ?? []
        let expected = testCase.element == .f32
            ? sent.map { Float(bitPattern: $0).isNaN ? 0x7fc0_0000 : $0 }
            : sent
        #expect(Self.bits(packedResult) == expected)
    }

    @Test func aPackedListOfTheWrongElementTypeIsAUsageError() throws {
        let (instance, roundtrip, received) = try makeEcho(Self.cases[4])  // list<u8>
        let floats = ComponentError.expecting(.usage) { _ = try instance.call(roundtrip, [.float32List([1, 2])]) }
        #expect(floats?.message.contains("list<u8>") == true, "\(String(describing: floats))")
        let (floatInstance, floatRoundtrip, _) = try makeEcho(Self.cases[0])  // list<f32>
        let bytes = ComponentError.expecting(.usage) { _ = try floatInstance.call(floatRoundtrip, [.byteList([1, 2])]) }
        #expect(bytes?.message.contains("list<f32>") == true, "\(String(describing: bytes))")
        #expect(received.values.isEmpty)
        // The instance is still usable after a refused call.
        #expect(try instance.call(roundtrip, [.byteList([9])]) == [.byteList([9])])
    }

    static let hostileWAT = """
        (component
          (import "samples" (func $samples (param "s" (list f32))))
          \(libcModuleWAT)
          (core func $samples-lowered (canon lower (func $samples) (memory $mem) (realloc $realloc)))
          (core module $Main
            (import "libc" "memory" (memory 1))
            (import "host" "samples" (func $samples (param i32 i32)))
            (func $list (param $pointer i32) (param $length i32) (result i32)
              (i32.store (i32.const 8) (local.get $pointer))
              (i32.store (i32.const 12) (local.get $length))
              (i32.const 8))
            (func (export "floats-out-of-bounds") (result i32) (call $list (i32.const 0xfffffff0) (i32.const 4)))
            (func (export "floats-past-the-end") (result i32) (call $list (i32.const 65520) (i32.const 5)))
            (func (export "floats-length-overflows") (result i32) (call $list (i32.const 64) (i32.const 0x40000001)))
            (func (export "floats-misaligned") (result i32) (call $list (i32.const 66) (i32.const 2)))
            (func (export "empty-floats-out-of-bounds") (result i32) (call $list (i32.const 0x00100000) (i32.const 0)))
            (func (export "bytes-out-of-bounds") (result i32) (call $list (i32.const 0xffffff00) (i32.const 16)))
            (func (export "bytes-past-the-end") (result i32) (call $list (i32.const 65535) (i32.const 2)))
            (func (export "bytes-length-overflows") (result i32) (call $list (i32.const 16) (i32.const 0xffffffff)))
            (func (export "import-floats-out-of-bounds") (call $samples (i32.const 65532) (i32.const 2)))
            (func (export "empty-floats-at-the-end") (result i32) (call $list (i32.const 65536) (i32.const 0)))
            (func (export "floats-to-the-last-byte") (result i32)
              (f32.store (i32.const 65532) (f32.const -1.5))
              (call $list (i32.const 65528) (i32.const 2)))
            (func (export "bytes-to-the-last-byte") (result i32)
              (i32.store8 (i32.const 65534) (i32.const 7))
              (i32.store8 (i32.const 65535) (i32.const 200))
              (call $list (i32.const 65534) (i32.const 2))))
          (core instance $main (instantiate $Main
            (with "libc" (instance $libc))
            (with "host" (instance (export "samples" (func $samples-lowered))))))
          (func (export "floats-out-of-bounds") (result (list f32)) (canon lift (core func $main "floats-out-of-bounds") (memory $mem)))
          (func (export "floats-past-the-end") (result (list f32)) (canon lift (core func $main "floats-past-the-end") (memory $mem)))
          (func (export "floats-length-overflows") (result (list f32)) (canon lift (core func $main "floats-length-overflows") (memory $mem)))
          (func (export "floats-misaligned") (result (list f32)) (canon lift (core func $main "floats-misaligned") (memory $mem)))
          (func (export "empty-floats-out-of-bounds") (result (list f32)) (canon lift (core func $main "empty-floats-out-of-bounds") (memory $mem)))
          (func (export "bytes-out-of-bounds") (result (list u8)) (canon lift (core func $main "bytes-out-of-bounds") (memory $mem)))
          (func (export "bytes-past-the-end") (result (list u8)) (canon lift (core func $main "bytes-past-the-end") (memory $mem)))
          (func (export "bytes-length-overflows") (result (list u8)) (canon lift (core func $main "bytes-length-overflows") (memory $mem)))
          (func (export "import-floats-out-of-bounds") (canon lift (core func $main "import-floats-out-of-bounds")))
          (func (export "empty-floats-at-the-end") (result (list f32)) (canon lift (core func $main "empty-floats-at-the-end") (memory $mem)))
          (func (export "floats-to-the-last-byte") (result (list f32)) (canon lift (core func $main "floats-to-the-last-byte") (memory $mem)))
          (func (export "bytes-to-the-last-byte") (result (list u8)) (canon lift (core func $main "bytes-to-the-last-byte") (memory $mem)))
        )
        """

    static let badLists = [
        "floats-out-of-bounds", "floats-past-the-end", "floats-length-overflows", "floats-misaligned", "empty-floats-out-of-bounds",
        "bytes-out-of-bounds", "bytes-past-the-end", "bytes-length-overflows", "import-floats-out-of-bounds",
    ]

    func makeHostile() throws -> (ComponentInstance, Received) {
        try Received.instance(wat: Self.hostileWAT, hostFunction: "samples", type: ComponentFunctionType(parameters: [.init("s", .list(.f32))]))
    }

    @Test(arguments: badLists)
    func badPointerOrLengthIsAnErrorNotACrash(_ export: String) throws {
        let (instance, received) = try makeHostile()
        let error = ComponentError.expecting(.canonicalABI) { _ = try instance.call(try instance.function(export)) }
        let message = error?.message ?? ""
        #expect(message.contains("out of bounds") || message.contains("not aligned"), "\(message)")
        #expect(received.values.isEmpty, "the host function must not run with a bad list")
        // The instance goes on working.
        #expect(try instance.call(try instance.function("empty-floats-at-the-end")) == [.float32List([])])
    }

    @Test func listsEndingAtTheLastByteOfMemoryAreRead() throws {
        let (instance, _) = try makeHostile()
        let floats = try instance.call(try instance.function("floats-to-the-last-byte")).first
        #expect(floats?.float32Elements == [0, -1.5])
        let bytes = try instance.call(try instance.function("bytes-to-the-last-byte")).first
        #expect(bytes == .byteList([7, 200]))
        #expect(try instance.call(try instance.function("empty-floats-at-the-end")) == [.float32List([])])
    }

    @Test func bothSpellingsAreEqualAndHashAlike() {
        let samples: [Float] = [0.5, -0.25, 3]
        let packed = ComponentValue.float32List(samples)
        let generic = ComponentValue.list(samples.map { .f32($0) })
        #expect(packed == generic)
        #expect(generic == packed)
        #expect(packed.hashValue == generic.hashValue)
        #expect(Set([packed, generic]).count == 1)
        #expect(ComponentValue.byteList([1, 2]) == .list([.u8(1), .u8(2)]))
        #expect(ComponentValue.byteList([1, 2]).hashValue == ComponentValue.list([.u8(1), .u8(2)]).hashValue)
        // Nested inside other values, too (the audio frame of a packet).
        #expect(ComponentValue.variant("audio", .record([.u32(48000), packed])) == .variant("audio", .record([.u32(48000), generic])))
        // Different elements, lengths or element types are different values.
        #expect(packed != .float32List([0.5, -0.25]))
        #expect(packed != .list(samples.map { .f64(Double($0)) }))
        #expect(ComponentValue.byteList([1]) != .float32List([1]))
        #expect(ComponentValue.byteList([1]) != .list([.u32(1)]))
    }

    @Test func elementAccessorsReadEitherSpelling() {
        #expect(ComponentValue.list([.f32(1), .f32(2)]).float32Elements == [1, 2])
        #expect(ComponentValue.float32List([1, 2]).float32Elements == [1, 2])
        #expect(ComponentValue.list([.f32(1), .u8(2)]).float32Elements == nil)
        #expect(ComponentValue.list([.u8(1), .u8(2)]).byteElements == [1, 2])
        #expect(ComponentValue.byteList([3]).listElements == [.u8(3)])
        #expect(ComponentValue.string("x").listElements == nil)
        #expect(ComponentValue.float32List([1]).byteElements == nil)
    }
}
