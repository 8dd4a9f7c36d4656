import Testing

@testable import StreamKitComponentModel

/// Every value type goes host → guest (lowered as export parameters), guest → host (lifted
/// from an import call), host → guest again (the import's result, lowered) and back to the
/// host (lifted export result). The guest passes the core values straight through, so the
/// layouts the host writes are the layouts it reads back; `wasm-tools validate` checks that
/// each core signature is the one the spec's flattening prescribes.
struct RoundTripCase: CustomTestStringConvertible, Sendable {
    let name: String
    /// Type definitions and imports the function type refers to.
    var definitions = ""
    /// The value type as written in the function type.
    let watType: String
    let type: ComponentValueType
    let values: [ComponentValue]

    var testDescription: String { name }
}

private let color = ComponentValueType.enumeration(["red", "green", "blue"])
private let shape = ComponentValueType.variant([
    .init("none"), .init("circle", .f32), .init("big", .u64), .init("label", .string), .init("point", .tuple([.f64, .u8])),
])
private let permissions = ComponentValueType.flags(["read", "write", "exec"])
private let manyFlags = ComponentValueType.flags((0..<32).map { "f\($0)" })
private let person = ComponentValueType.record([.init("name", .string), .init("age", .u8), .init("tags", .list(.string))])
/// 17 flat values: parameters go through memory.
private let wide = ComponentValueType.record((0..<17).map { .init("f\($0)", .u32) })

let roundTripCases: [RoundTripCase] = [
    .init(name: "bool", watType: "bool", type: .bool, values: [.bool(true), .bool(false)]),
    .init(name: "s8", watType: "s8", type: .s8, values: [.s8(-128), .s8(127), .s8(0)]),
    .init(name: "u8", watType: "u8", type: .u8, values: [.u8(0), .u8(255)]),
    .init(name: "s16", watType: "s16", type: .s16, values: [.s16(-32768), .s16(32767)]),
    .init(name: "u16", watType: "u16", type: .u16, values: [.u16(65535)]),
    .init(name: "s32", watType: "s32", type: .s32, values: [.s32(Int32.min), .s32(-1), .s32(Int32.max)]),
    .init(name: "u32", watType: "u32", type: .u32, values: [.u32(UInt32.max), .u32(7)]),
    .init(name: "s64", watType: "s64", type: .s64, values: [.s64(Int64.min), .s64(Int64.max)]),
    .init(name: "u64", watType: "u64", type: .u64, values: [.u64(UInt64.max), .u64(1 << 40)]),
    .init(name: "f32", watType: "f32", type: .f32, values: [.f32(1.5), .f32(-0.0), .f32(.infinity), .f32(.leastNonzeroMagnitude)]),
    .init(name: "f64", watType: "f64", type: .f64, values: [.f64(-2.25), .f64(.greatestFiniteMagnitude)]),
    .init(name: "char", watType: "char", type: .char, values: [.char("a"), .char("€"), .char("🎧")]),
    .init(name: "string", watType: "string", type: .string, values: [.string(""), .string("hello"), .string("grüße 🎧")]),
    .init(name: "list<u8>", watType: "(list u8)", type: .list(.u8), values: [.list([]), .list((0..<200).map { .u8(UInt8($0)) })]),
    .init(name: "list<f32>", watType: "(list f32)", type: .list(.f32), values: [.list((0..<960).map { .f32(Float($0) / 7) })]),
    .init(name: "list<string>", watType: "(list string)", type: .list(.string), values: [.list([.string("a"), .string(""), .string("ccc")])]),
    .init(
        name: "record", definitions: #"(type $p (record (field "name" string) (field "age" u8) (field "tags" (list string)))) (import "person" (type $person (eq $p)))"#,
        watType: "$person", type: person,
        values: [.record([.string("Ada"), .u8(36), .list([.string("math"), .string("engines")])])]),
    .init(
        name: "tuple", watType: "(tuple u8 string f64)", type: .tuple([.u8, .string, .f64]),
        values: [.tuple([.u8(1), .string("two"), .f64(3.0)])]),
    .init(
        name: "variant", definitions: #"(type $s (variant (case "none") (case "circle" f32) (case "big" u64) (case "label" string) (case "point" (tuple f64 u8)))) (import "shape" (type $shape (eq $s)))"#,
        watType: "$shape", type: shape,
        values: [
            .variant("none", nil), .variant("circle", .f32(2.5)), .variant("big", .u64(UInt64.max)),
            .variant("label", .string("hi")), .variant("point", .tuple([.f64(-1.25), .u8(9)])),
        ]),
    .init(
        name: "enum", definitions: #"(type $c (enum "red" "green" "blue")) (import "color" (type $color (eq $c)))"#,
        watType: "$color", type: color, values: [.enumeration("red"), .enumeration("blue")]),
    .init(name: "option<string>", watType: "(option string)", type: .option(.string), values: [.option(nil), .option(.string("x"))]),
    .init(name: "option<option<u8>>", watType: "(option (option u8))", type: .option(.option(.u8)),
          values: [.option(nil), .option(.option(nil)), .option(.option(.u8(3)))]),
    .init(name: "result<string, u32>", watType: "(result string (error u32))", type: .result(ok: .string, error: .u32),
          values: [.ok(.string("fine")), .error(.u32(404))]),
    .init(name: "result", watType: "(result)", type: .result(ok: nil, error: nil), values: [.ok(nil), .error(nil)]),
    .init(name: "result<_, string>", watType: "(result (error string))", type: .result(ok: nil, error: .string),
          values: [.ok(nil), .error(.string("bad"))]),
    .init(
        name: "flags", definitions: #"(type $f (flags "read" "write" "exec")) (import "perms" (type $perms (eq $f)))"#,
        watType: "$perms", type: permissions, values: [.flags([]), .flags(["read", "exec"]), .flags(["read", "write", "exec"])]),
    .init(
        name: "flags (32)", definitions: "(type $f (flags \((0..<32).map { "\"f\($0)\"" }.joined(separator: " ")))) (import \"many\" (type $many (eq $f)))",
        watType: "$many", type: manyFlags, values: [.flags(["f0", "f7", "f8", "f31"])]),
    .init(
        name: "record with 17 flat fields (parameters in memory)",
        definitions: "(type $w (record \((0..<17).map { "(field \"f\($0)\" u32)" }.joined(separator: " ")))) (import \"wide\" (type $wide (eq $w)))",
        watType: "$wide", type: wide, values: [.record((0..<17).map { .u32(UInt32($0) * 1_000_003) })]),
    .init(
        name: "list<record>", definitions: #"(type $p (record (field "name" string) (field "age" u8) (field "tags" (list string)))) (import "person" (type $person (eq $p)))"#,
        watType: "(list $person)", type: .list(person),
        values: [.list([.record([.string("a"), .u8(1), .list([])]), .record([.string("b"), .u8(2), .list([.string("t")])])])]),
]

func roundTripComponent(_ testCase: RoundTripCase) -> String {
    let flats = CanonicalLayout.flatten(testCase.type).map { "\($0)" }
    let parametersInMemory = flats.count > CanonicalLayout.maxFlatParameters
    let resultsInMemory = flats.count > CanonicalLayout.maxFlatResults
    let coreParameters = parametersInMemory ? ["i32"] : flats
    let loweredParameters = coreParameters + (resultsInMemory ? ["i32"] : [])
    let loweredResult = resultsInMemory ? "" : flats.first.map { "(result \($0))" } ?? ""
    let liftedResult = resultsInMemory ? "(result i32)" : loweredResult
    let forward = coreParameters.indices.map { "(local.get \($0))" }.joined(separator: " ")
    let body = resultsInMemory ? "(call $echo \(forward) (i32.const 8)) (i32.const 8)" : "(call $echo \(forward))"
    func params(_ types: [String]) -> String { types.isEmpty ? "" : "(param \(types.joined(separator: " ")))" }
    return """
        (component
          \(testCase.definitions)
          (import "echo" (func $echo (param "x" \(testCase.watType)) (result \(testCase.watType))))
          \(libcModuleWAT)
          (core func $echo-lowered (canon lower (func $echo) (memory $mem) (realloc $realloc)))
          (core module $Main
            (import "host" "echo" (func $echo \(params(loweredParameters)) \(loweredResult)))
            (func (export "roundtrip") \(params(coreParameters)) \(liftedResult) \(body)))
          (core instance $main (instantiate $Main (with "host" (instance (export "echo" (func $echo-lowered))))))
          (func $roundtrip (param "x" \(testCase.watType)) (result \(testCase.watType))
            (canon lift (core func $main "roundtrip") (memory $mem) (realloc $realloc)))
          (export "roundtrip" (func $roundtrip))
        )
        """
}

/// What a test's host function was called with.
final class Received {
    var values: [ComponentValue] = []

    /// Instantiates the component in `wat` with one host function `name` of `type` that records
    /// its first argument and returns `answer(argument)`.
    static func instance(
        wat: String, hostFunction name: String, type: ComponentFunctionType,
        answer: @escaping (ComponentValue) -> [ComponentValue] = { _ in [] }
    ) throws -> (ComponentInstance, Received) {
        let component = try Component(bytes: try WasmTools.parse(wat))
        let received = Received()
        var linker = ComponentLinker()
        linker.define(function: name, type: type) { arguments in
            received.values.append(arguments[0])
            return answer(arguments[0])
        }
        return (try ComponentInstance(component, linker: linker, engine: sharedEngine), received)
    }
}

struct RoundTripTests {
    @Test(arguments: roundTripCases)
    func valueSurvivesEveryCrossing(_ testCase: RoundTripCase) throws {
        let (instance, received) = try Received.instance(
            wat: roundTripComponent(testCase), hostFunction: "echo",
            type: ComponentFunctionType(parameters: [.init("x", testCase.type)], result: testCase.type)) { [$0] }
        let roundtrip = try instance.function("roundtrip")
        for value in testCase.values {
            let results = try instance.call(roundtrip, [value])
            #expect(results == [value])
            #expect(received.values.last == value)
        }
        #expect(received.values.count == testCase.values.count)
    }

    @Test func nanIsCanonicalised() throws {
        let testCase = roundTripCases.first { $0.name == "f32" }!
        let component = try Component(bytes: try WasmTools.parse(roundTripComponent(testCase)))
        var linker = ComponentLinker()
        linker.define(function: "echo", type: ComponentFunctionType(parameters: [.init("x", .f32)], result: .f32)) { [$0[0]] }
        let instance = try ComponentInstance(component, linker: linker, engine: sharedEngine)
        let results = try instance.call(try instance.function("roundtrip"), [.f32(Float(nan: 0x1234, signaling: true))])
        guard case .f32(let value) = results.first else {
            Issue.record("expected an f32, got \(results)")
            return
        }
        #expect(value.bitPattern == 0x7fc0_0000)
    }
}
