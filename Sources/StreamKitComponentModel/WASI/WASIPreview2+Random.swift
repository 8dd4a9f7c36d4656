// wasi:random: the system's generator for both the secure and the insecure interfaces.
extension WASIPreview2 {
    /// Guests may ask for any length; more than this per call is refused rather than allocated.
    static let maxRandomBytes: UInt64 = 1 << 20

    func defineRandom(in linker: inout ComponentLinker) {
        for (interface, prefix) in [(Self.name("random/random"), "get-random"), (Self.name("random/insecure"), "get-insecure-random")] {
            linker.define(interface: interface, function: "\(prefix)-bytes", type: .init(parameters: [.init("len", .u64)], result: .list(.u8))) { arguments in
                guard case .u64(let length) = arguments[0], length <= Self.maxRandomBytes else {
                    throw ComponentError(.host, "random bytes: at most \(Self.maxRandomBytes) per call")
                }
                var generator = SystemRandomNumberGenerator()
                return [.byteList((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })]
            }
            linker.define(interface: interface, function: "\(prefix)-u64", type: .init(result: .u64)) { _ in [.u64(UInt64.random(in: 0...UInt64.max))] }
        }
        linker.define(interface: Self.name("random/insecure-seed"), function: "insecure-seed", type: .init(result: .tuple([.u64, .u64]))) { _ in
            [.tuple([.u64(UInt64.random(in: 0...UInt64.max)), .u64(UInt64.random(in: 0...UInt64.max))])]
        }
    }
}
