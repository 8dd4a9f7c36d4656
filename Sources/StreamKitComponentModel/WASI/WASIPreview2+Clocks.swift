import Foundation

// wasi:clocks: the monotonic clock counts nanoseconds since the host was created; the wall
// clock is the system's.
extension WASIPreview2 {
    func defineClocks(in linker: inout ComponentLinker, io: IOTypes) {
        let monotonic = Self.name("clocks/monotonic-clock")
        linker.define(interface: monotonic, function: "now", type: .init(result: .u64)) { [self] _ in [.u64(monotonicNow)] }
        linker.define(interface: monotonic, function: "resolution", type: .init(result: .u64)) { _ in [.u64(1)] }
        linker.define(interface: monotonic, function: "subscribe-instant", type: .init(parameters: [.init("when", .u64)], result: .own(io.pollable))) { [self] arguments in
            guard case .u64(let instant) = arguments[0] else { return [] }
            return [.own(ResourceHandle(type: io.pollable, rep: newPollable(readyAt: instant)))]
        }
        linker.define(interface: monotonic, function: "subscribe-duration", type: .init(parameters: [.init("when", .u64)], result: .own(io.pollable))) { [self] arguments in
            guard case .u64(let duration) = arguments[0] else { return [] }
            let (instant, overflow) = monotonicNow.addingReportingOverflow(duration)
            return [.own(ResourceHandle(type: io.pollable, rep: newPollable(readyAt: overflow ? .max : instant)))]
        }

        let wall = Self.name("clocks/wall-clock")
        let datetime = ComponentValueType.record([.init("seconds", .u64), .init("nanoseconds", .u32)])
        linker.define(interface: wall, function: "now", type: .init(result: datetime)) { _ in
            let now = Date().timeIntervalSince1970
            let seconds = now.rounded(.down)
            return [.record([.u64(UInt64(max(0, seconds))), .u32(UInt32(min(999_999_999, max(0, (now - seconds) * 1e9))))])]
        }
        linker.define(interface: wall, function: "resolution", type: .init(result: datetime)) { _ in [.record([.u64(0), .u32(1000)])] }
    }
}
