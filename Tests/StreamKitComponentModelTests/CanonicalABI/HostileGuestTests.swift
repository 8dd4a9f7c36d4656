import Testing

@testable import StreamKitComponentModel

/// A guest handing over bad pointers, lengths, chars, discriminants or handles gets an error;
/// the host never crashes and the instance can be called again.
struct HostileGuestTests {
    static let wat = """
        (component
          (import "log" (func $log (param "message" string)))
          \(libcModuleWAT)
          (core func $log-lowered (canon lower (func $log) (memory $mem) (realloc $realloc)))
          (core module $Main
            (import "libc" "memory" (memory 1))
            (import "host" "log" (func $log (param i32 i32)))
            (func (export "string-out-of-bounds") (result i32)
              (i32.store (i32.const 8) (i32.const 0xfffffff0))
              (i32.store (i32.const 12) (i32.const 100))
              (i32.const 8))
            (func (export "length-overflows") (result i32)
              (i32.store (i32.const 8) (i32.const 16))
              (i32.store (i32.const 12) (i32.const 0xffffffff))
              (i32.const 8))
            (func (export "result-pointer-out-of-bounds") (result i32) (i32.const 0x7ffffff0))
            (func (export "invalid-utf8") (result i32)
              (i32.store8 (i32.const 32) (i32.const 0xff))
              (i32.store (i32.const 8) (i32.const 32))
              (i32.store (i32.const 12) (i32.const 1))
              (i32.const 8))
            (func (export "log-out-of-bounds") (call $log (i32.const 65530) (i32.const 1000)))
            (func (export "list-misaligned") (result i32)
              (i32.store (i32.const 8) (i32.const 33))
              (i32.store (i32.const 12) (i32.const 1))
              (i32.const 8))
            (func (export "list-too-long") (result i32)
              (i32.store (i32.const 8) (i32.const 64))
              (i32.store (i32.const 12) (i32.const 0x20000000))
              (i32.const 8))
            (func (export "bad-char") (result i32) (i32.const 0xd800))
            (func (export "bad-bool-is-true") (result i32) (i32.const 7))
            (func (export "bad-discriminant") (result i32) (i32.const 3))
            (func (export "bad-option") (result i32)
              (i32.store8 (i32.const 8) (i32.const 2))
              (i32.const 8))
            (func (export "ok") (result i32) (i32.const 1)))
          (core instance $main (instantiate $Main
            (with "libc" (instance $libc))
            (with "host" (instance (export "log" (func $log-lowered))))))
          (type $e (enum "a" "b" "c"))
          (export $color "color" (type $e))
          (func (export "string-out-of-bounds") (result string) (canon lift (core func $main "string-out-of-bounds") (memory $mem)))
          (func (export "length-overflows") (result string) (canon lift (core func $main "length-overflows") (memory $mem)))
          (func (export "result-pointer-out-of-bounds") (result string) (canon lift (core func $main "result-pointer-out-of-bounds") (memory $mem)))
          (func (export "invalid-utf8") (result string) (canon lift (core func $main "invalid-utf8") (memory $mem)))
          (func (export "log-out-of-bounds") (canon lift (core func $main "log-out-of-bounds")))
          (func (export "list-misaligned") (result (list u32)) (canon lift (core func $main "list-misaligned") (memory $mem)))
          (func (export "list-too-long") (result (list u64)) (canon lift (core func $main "list-too-long") (memory $mem)))
          (func (export "bad-char") (result char) (canon lift (core func $main "bad-char")))
          (func (export "bad-bool-is-true") (result bool) (canon lift (core func $main "bad-bool-is-true")))
          (func (export "bad-discriminant") (result $color) (canon lift (core func $main "bad-discriminant")))
          (func (export "bad-option") (result (option string)) (canon lift (core func $main "bad-option") (memory $mem)))
          (func (export "ok") (result bool) (canon lift (core func $main "ok")))
        )
        """

    static let abiViolations = [
        "string-out-of-bounds", "length-overflows", "result-pointer-out-of-bounds", "invalid-utf8", "log-out-of-bounds",
        "list-misaligned", "list-too-long", "bad-char", "bad-discriminant", "bad-option",
    ]

    func makeInstance() throws -> (ComponentInstance, Received) {
        try Received.instance(wat: Self.wat, hostFunction: "log", type: ComponentFunctionType(parameters: [.init("message", .string)]))
    }

    @Test(arguments: abiViolations)
    func badGuestValueIsAnErrorNotACrash(_ export: String) throws {
        let (instance, received) = try makeInstance()
        let error = ComponentError.expecting(.canonicalABI) { _ = try instance.call(try instance.function(export)) }
        #expect(error != nil)
        #expect(received.values.isEmpty, "the host function must not run with a bad argument")
        #expect(try instance.call(try instance.function("ok")) == [.bool(true)])
    }

    @Test func anyNonZeroBoolIsTrue() throws {
        let (instance, _) = try makeInstance()
        #expect(try instance.call(try instance.function("bad-bool-is-true")) == [.bool(true)])
    }

    @Test func errorsSayWhatWasWrong() throws {
        let (instance, _) = try makeInstance()
        let bounds = ComponentError.expecting(.canonicalABI) { _ = try instance.call(try instance.function("string-out-of-bounds")) }
        #expect(bounds?.message.contains("out of bounds") == true, "\(String(describing: bounds))")
        let utf8 = ComponentError.expecting(.canonicalABI) { _ = try instance.call(try instance.function("invalid-utf8")) }
        #expect(utf8?.message.contains("UTF-8") == true, "\(String(describing: utf8))")
        let discriminant = ComponentError.expecting(.canonicalABI) { _ = try instance.call(try instance.function("bad-discriminant")) }
        #expect(discriminant?.message.contains("discriminant 3") == true, "\(String(describing: discriminant))")
    }
}
