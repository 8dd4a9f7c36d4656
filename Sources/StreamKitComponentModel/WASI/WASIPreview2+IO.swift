import Foundation

// wasi:io/error, wasi:io/poll and wasi:io/streams. Streams are stdin (always empty) and
// stdout/stderr (into log lines); pollables are ready at a monotonic instant (streams' are
// ready at once).
extension WASIPreview2 {
    static let stdinRep: UInt32 = 0
    static let stdoutRep: UInt32 = 1
    static let stderrRep: UInt32 = 2

    func defineIO(in linker: inout ComponentLinker) -> IOTypes {
        let errorInterface = Self.name("io/error")
        let pollInterface = Self.name("io/poll")
        let streams = Self.name("io/streams")
        let types = IOTypes(
            error: linker.defineResource(interface: errorInterface, name: "error"),
            pollable: linker.defineResource(interface: pollInterface, name: "pollable") { [weak self] rep in self?.pollables[rep] = nil },
            inputStream: linker.defineResource(interface: streams, name: "input-stream"),
            outputStream: linker.defineResource(interface: streams, name: "output-stream"))

        linker.define(interface: errorInterface, function: "[method]error.to-debug-string",
                      type: .init(parameters: [.init("self", .borrow(types.error))], result: .string)) { _ in [.string("error")] }

        let pollableSelf = ComponentValueType.Field("self", .borrow(types.pollable))
        linker.define(interface: pollInterface, function: "[method]pollable.ready", type: .init(parameters: [pollableSelf], result: .bool)) { [self] arguments in
            [.bool(try isReady(arguments[0]))]
        }
        linker.define(interface: pollInterface, function: "[method]pollable.block", type: .init(parameters: [pollableSelf])) { [self] arguments in
            try waitUntil(try readyInstant(arguments[0]))
            return []
        }
        linker.define(interface: pollInterface, function: "poll",
                      type: .init(parameters: [.init("in", .list(.borrow(types.pollable)))], result: .list(.u32))) { [self] arguments in
            guard case .list(let handles) = arguments[0], !handles.isEmpty else {
                throw ComponentError(.host, "poll needs at least one pollable")
            }
            let instants = try handles.map { try readyInstant($0) }
            try waitUntil(instants.min() ?? 0)
            let now = monotonicNow
            return [.list(instants.indices.filter { instants[$0] <= now }.map { .u32(UInt32($0)) })]
        }

        let streamError = types.streamError
        let input = ComponentValueType.Field("self", .borrow(types.inputStream))
        let output = ComponentValueType.Field("self", .borrow(types.outputStream))
        let length = ComponentValueType.Field("len", .u64)
        for name in ["read", "blocking-read"] {
            linker.define(interface: streams, function: "[method]input-stream.\(name)",
                          type: .init(parameters: [input, length], result: .result(ok: .list(.u8), error: streamError))) { _ in
                [.error(.variant("closed", nil))]  // stdin is empty
            }
        }
        for name in ["skip", "blocking-skip"] {
            linker.define(interface: streams, function: "[method]input-stream.\(name)",
                          type: .init(parameters: [input, length], result: .result(ok: .u64, error: streamError))) { _ in
                [.error(.variant("closed", nil))]
            }
        }
        linker.define(interface: streams, function: "[method]input-stream.subscribe", type: .init(parameters: [input], result: .own(types.pollable))) { [self] _ in
            [.own(ResourceHandle(type: types.pollable, rep: newPollable(readyAt: 0)))]
        }
        linker.define(interface: streams, function: "[method]output-stream.check-write",
                      type: .init(parameters: [output], result: .result(ok: .u64, error: streamError))) { _ in [.ok(.u64(4096))] }
        for name in ["write", "blocking-write-and-flush"] {
            linker.define(interface: streams, function: "[method]output-stream.\(name)",
                          type: .init(parameters: [output, .init("contents", .list(.u8))], result: .result(ok: nil, error: streamError))) { [self] arguments in
                guard case .borrow(let stream) = arguments[0], let bytes = arguments[1].byteElements else { return [.error(.variant("closed", nil))] }
                try sink(stream)?.write(bytes)
                return [.ok(nil)]
            }
        }
        for name in ["flush", "blocking-flush"] {
            linker.define(interface: streams, function: "[method]output-stream.\(name)",
                          type: .init(parameters: [output], result: .result(ok: nil, error: streamError))) { _ in [.ok(nil)] }
        }
        for name in ["write-zeroes", "blocking-write-and-flush-zeroes", "blocking-write-zeroes-and-flush"] {
            linker.define(interface: streams, function: "[method]output-stream.\(name)",
                          type: .init(parameters: [output, length], result: .result(ok: nil, error: streamError))) { _ in [.ok(nil)] }
        }
        linker.define(interface: streams, function: "[method]output-stream.subscribe", type: .init(parameters: [output], result: .own(types.pollable))) { [self] _ in
            [.own(ResourceHandle(type: types.pollable, rep: newPollable(readyAt: 0)))]
        }
        for name in ["splice", "blocking-splice"] {
            linker.define(interface: streams, function: "[method]output-stream.\(name)",
                          type: .init(parameters: [output, .init("src", .borrow(types.inputStream)), length], result: .result(ok: .u64, error: streamError))) { _ in
                [.error(.variant("closed", nil))]
            }
        }
        return types
    }

    private func sink(_ handle: ResourceHandle) throws -> LogLineSink? {
        switch handle.rep {
        case Self.stdoutRep: return stdout
        case Self.stderrRep: return stderr
        default: return nil
        }
    }

    private func readyInstant(_ value: ComponentValue) throws -> UInt64 {
        guard case .borrow(let handle) = value, let instant = pollables[handle.rep] else {
            throw ComponentError(.host, "unknown pollable")
        }
        return instant
    }

    private func isReady(_ value: ComponentValue) throws -> Bool { try readyInstant(value) <= monotonicNow }

    /// Sleeps until the monotonic instant, refusing waits longer than `maxBlockingWait`: a
    /// sleeping guest uses no CPU time, so the CPU budget alone would not stop it.
    private func waitUntil(_ instant: UInt64) throws {
        let now = monotonicNow
        guard instant > now else { return }
        let wait = Duration.nanoseconds(Int64(clamping: instant - now))
        guard wait <= maxBlockingWait else {
            throw ComponentError(.cpuBudgetExceeded, "guest tried to block for \(wait), longer than the \(maxBlockingWait) a call may wait")
        }
        Thread.sleep(forTimeInterval: Double(instant - now) / 1e9)
    }
}
