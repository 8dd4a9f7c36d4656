/// An error from linking, instantiating or calling a component.
///
/// ``code`` says which kind of failure it was (stable, for matching and metric labels);
/// ``message`` says what and where, e.g. "cpu budget of 50 ms per call exceeded in `run`".
public struct ComponentError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure. A struct with static members so that kinds can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// An import is missing or its type differs from the host's, or an export has the wrong type.
        public static let link = Code("link")
        /// The component uses a feature this host does not implement (e.g. async, utf16 strings).
        public static let unsupported = Code("unsupported")
        /// A core module trapped (unreachable, out-of-bounds access, ...).
        public static let trap = Code("trap")
        /// The guest broke a rule of the canonical ABI: bad pointer or length, invalid char or
        /// UTF-8, bad discriminant, bad handle, misaligned pointer.
        public static let canonicalABI = Code("canonical-abi")
        /// The call ran past its CPU budget.
        public static let cpuBudgetExceeded = Code("cpu-budget-exceeded")
        /// A linear memory tried to grow past the instance's memory cap.
        public static let memoryLimitExceeded = Code("memory-limit-exceeded")
        /// The guest called `wasi:cli/exit.exit`.
        public static let exit = Code("exit")
        /// A host function threw.
        public static let host = Code("host")
        /// The host called the API wrongly (unknown export, wrong argument values).
        public static let usage = Code("usage")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func abi(_ message: String) -> ComponentError { ComponentError(.canonicalABI, message) }
    static func link(_ message: String) -> ComponentError { ComponentError(.link, message) }
    static func usage(_ message: String) -> ComponentError { ComponentError(.usage, message) }
    static func unsupported(_ message: String) -> ComponentError { ComponentError(.unsupported, message) }
}
