// wasi:cli: no environment, no arguments, empty stdin, stdout/stderr into log lines, no
// terminals, and `exit` ending the call.
extension WASIPreview2 {
    func defineCLI(in linker: inout ComponentLinker, io: IOTypes) {
        let environment = Self.name("cli/environment")
        linker.define(interface: environment, function: "get-environment", type: .init(result: .list(.tuple([.string, .string])))) { _ in [.list([])] }
        linker.define(interface: environment, function: "get-arguments", type: .init(result: .list(.string))) { _ in [.list([])] }
        linker.define(interface: environment, function: "initial-cwd", type: .init(result: .option(.string))) { _ in [.option(nil)] }

        linker.define(interface: Self.name("cli/exit"), function: "exit", type: .init(parameters: [.init("status", .result(ok: nil, error: nil))])) { [self] arguments in
            flush()
            let success = arguments.first == .ok(nil)
            throw ComponentError(.exit, "guest called exit with \(success ? "success" : "failure")")
        }

        linker.define(interface: Self.name("cli/stdin"), function: "get-stdin", type: .init(result: .own(io.inputStream))) { _ in
            [.own(ResourceHandle(type: io.inputStream, rep: Self.stdinRep))]
        }
        linker.define(interface: Self.name("cli/stdout"), function: "get-stdout", type: .init(result: .own(io.outputStream))) { _ in
            [.own(ResourceHandle(type: io.outputStream, rep: Self.stdoutRep))]
        }
        linker.define(interface: Self.name("cli/stderr"), function: "get-stderr", type: .init(result: .own(io.outputStream))) { _ in
            [.own(ResourceHandle(type: io.outputStream, rep: Self.stderrRep))]
        }

        let terminalInput = linker.defineResource(interface: Self.name("cli/terminal-input"), name: "terminal-input")
        let terminalOutput = linker.defineResource(interface: Self.name("cli/terminal-output"), name: "terminal-output")
        linker.define(interface: Self.name("cli/terminal-stdin"), function: "get-terminal-stdin", type: .init(result: .option(.own(terminalInput)))) { _ in
            [.option(nil)]
        }
        for stream in ["stdout", "stderr"] {
            linker.define(interface: Self.name("cli/terminal-\(stream)"), function: "get-terminal-\(stream)", type: .init(result: .option(.own(terminalOutput)))) { _ in
                [.option(nil)]
            }
        }
    }
}
