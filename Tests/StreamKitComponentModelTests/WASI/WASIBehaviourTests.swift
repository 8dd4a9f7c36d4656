import Testing

@testable import StreamKitComponentModel

/// WASI behaviours one at a time, with hand-written imports in the exact WIT types of
/// `wasi:cli` and `wasi:io` 0.2 (versions vary to exercise semver matching).
struct WASIBehaviourTests {
    static let wat = """
        (component
          (import "wasi:io/error@0.2.3" (instance $error (export "error" (type (sub resource)))))
          (alias export $error "error" (type $error-type))
          (import "wasi:io/poll@0.2.3" (instance $poll
            (export "pollable" (type $pollable (sub resource)))
            (export "[method]pollable.block" (func (param "self" (borrow $pollable))))))
          (alias export $poll "pollable" (type $pollable-type))
          (import "wasi:io/streams@0.2.3" (instance $streams
            (alias outer 1 $error-type (type $e))
            (type $se (variant (case "last-operation-failed" (own $e)) (case "closed")))
            (export "stream-error" (type $stream-error (eq $se)))
            (export "output-stream" (type $os (sub resource)))
            (export "[method]output-stream.blocking-write-and-flush"
              (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $stream-error)))))))
          (alias export $streams "output-stream" (type $output-stream))
          (import "wasi:cli/stdout@0.2.9" (instance $stdout
            (alias outer 1 $output-stream (type $os))
            (export "output-stream" (type (eq $os)))
            (export "get-stdout" (func (result (own $os))))))
          (import "wasi:cli/exit@0.2.9" (instance $exit (export "exit" (func (param "status" (result))))))
          (import "wasi:clocks/monotonic-clock@0.2.0" (instance $clock
            (alias outer 1 $pollable-type (type $p))
            (export "pollable" (type (eq $p)))
            (export "now" (func (result u64)))
            (export "subscribe-duration" (func (param "when" u64) (result (own $p))))))
          (import "wasi:random/random@0.2.0" (instance $random (export "get-random-u64" (func (result u64)))))
          \(libcModuleWAT)
          (core func $get-stdout (canon lower (func $stdout "get-stdout")))
          (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $mem) (realloc $realloc)))
          (core func $exit (canon lower (func $exit "exit")))
          (core func $now (canon lower (func $clock "now")))
          (core func $sleep (canon lower (func $clock "subscribe-duration")))
          (core func $block (canon lower (func $poll "[method]pollable.block")))
          (core func $random (canon lower (func $random "get-random-u64")))
          (core func $drop-stream (canon resource.drop $output-stream))
          (core func $drop-pollable (canon resource.drop $pollable-type))
          (core module $Main
            (import "libc" "memory" (memory 1))
            (import "wasi" "get-stdout" (func $get-stdout (result i32)))
            (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
            (import "wasi" "exit" (func $exit (param i32)))
            (import "wasi" "now" (func $now (result i64)))
            (import "wasi" "sleep" (func $sleep (param i64) (result i32)))
            (import "wasi" "block" (func $block (param i32)))
            (import "wasi" "random" (func $random (result i64)))
            (import "wasi" "drop-stream" (func $drop-stream (param i32)))
            (import "wasi" "drop-pollable" (func $drop-pollable (param i32)))
            (data (i32.const 100) "line\\0aline\\0aline\\0aline\\0aline\\0aline\\0aline\\0aline\\0aline\\0aline\\0apartial")
            (func (export "print") (local $out i32)
              (local.set $out (call $get-stdout))
              (call $write (local.get $out) (i32.const 100) (i32.const 57) (i32.const 200))
              (call $drop-stream (local.get $out)))
            (func (export "exit") (param i32) (call $exit (local.get 0)))
            (func (export "elapsed-after-sleep") (param i64) (result i64) (local $start i64) (local $p i32)
              (local.set $start (call $now))
              (local.set $p (call $sleep (local.get 0)))
              (call $block (local.get $p))
              (call $drop-pollable (local.get $p))
              (i64.sub (call $now) (local.get $start)))
            (func (export "random") (result i64) (call $random)))
          (core instance $main (instantiate $Main
            (with "libc" (instance $libc))
            (with "wasi" (instance
              (export "get-stdout" (func $get-stdout)) (export "write" (func $write)) (export "exit" (func $exit))
              (export "now" (func $now)) (export "sleep" (func $sleep)) (export "block" (func $block))
              (export "random" (func $random)) (export "drop-stream" (func $drop-stream)) (export "drop-pollable" (func $drop-pollable))))))
          (func (export "print") (canon lift (core func $main "print")))
          (func (export "exit") (param "fail" bool) (canon lift (core func $main "exit")))
          (func (export "elapsed-after-sleep") (param "ns" u64) (result u64) (canon lift (core func $main "elapsed-after-sleep")))
          (func (export "random") (result u64) (canon lift (core func $main "random")))
        )
        """

    func instantiate(maxLinesPerSecond: Int = 100) throws -> (ComponentInstance, WASIPreview2, LogLines) {
        let logs = LogLines()
        let wasi = WASIPreview2(configuration: .init(log: { logs.lines.append(($0, $1)) }, maxLinesPerSecond: maxLinesPerSecond))
        var linker = ComponentLinker()
        wasi.define(in: &linker, maxBlockingWait: .milliseconds(200))
        let component = try Component(bytes: try WasmTools.parse(Self.wat))
        return (try ComponentInstance(component, linker: linker, engine: sharedEngine), wasi, logs)
    }

    @Test func stdoutBecomesLogLinesAndPartialLinesWaitForFlush() throws {
        let (instance, wasi, logs) = try instantiate()
        _ = try instance.call(try instance.function("print"))
        #expect(logs.lines.count == 10)
        #expect(logs.lines.allSatisfy { $0.0 == .stdout && $0.1 == "line" })
        wasi.flush()
        #expect(logs.lines.last.map { $0.1 } == "partial")
        #expect(instance.liveHandleCount == 0)
    }

    @Test func logLinesAreRateLimited() throws {
        let (instance, _, logs) = try instantiate(maxLinesPerSecond: 4)
        _ = try instance.call(try instance.function("print"))
        #expect(logs.lines.count == 4, "\(logs.lines)")
    }

    @Test func exitEndsTheCallWithAnError() throws {
        let (instance, _, _) = try instantiate()
        let failure = ComponentError.expecting(.exit) { _ = try instance.call(try instance.function("exit"), [.bool(true)]) }
        #expect(failure?.message == "guest called exit with failure")
        let success = ComponentError.expecting(.exit) { _ = try instance.call(try instance.function("exit"), [.bool(false)]) }
        #expect(success?.message == "guest called exit with success")
    }

    @Test func clocksAndRandomWork() throws {
        let (instance, _, _) = try instantiate()
        let sleep = try instance.function("elapsed-after-sleep")
        guard case .u64(let elapsed)? = try instance.call(sleep, [.u64(5_000_000)]).first else {
            Issue.record("no elapsed time")
            return
        }
        #expect(elapsed >= 5_000_000, "monotonic clock advanced \(elapsed) ns across a 5 ms sleep")
        let random = try instance.function("random")
        #expect(try instance.call(random) != instance.call(random))
    }

    @Test func sleepingLongerThanAllowedIsRefused() throws {
        let (instance, _, _) = try instantiate()
        let error = ComponentError.expecting(.cpuBudgetExceeded) {
            _ = try instance.call(try instance.function("elapsed-after-sleep"), [.u64(60_000_000_000)])
        }
        #expect(error?.message.contains("guest tried to block for") == true, "\(String(describing: error))")
    }
}
