import Foundation
import Testing

@testable import StreamKitComponentModel

/// Builds component binaries from WAT with the real `wasm-tools` (parse, then validate), so
/// every fixture is checked by an independent implementation of the binary format.
///
/// The tool is found through `WASM_TOOLS` (the binary), `WASM_TOOLS_VENV` (a venv), or the
/// package's `.venv-wasm` made by `scripts/build-wasm-examples.sh`. A missing tool is a test
/// failure with instructions, never a skip.
enum WasmTools {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func executable() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [URL] = []
        if let tool = environment["WASM_TOOLS"] { candidates.append(URL(fileURLWithPath: tool)) }
        if let venv = environment["WASM_TOOLS_VENV"] { candidates.append(URL(fileURLWithPath: venv).appendingPathComponent("bin/wasm-tools")) }
        candidates.append(packageRoot.appendingPathComponent(".venv-wasm/bin/wasm-tools"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw ToolError(message: """
            wasm-tools not found (looked at \(candidates.map(\.path).joined(separator: ", "))). \
            Run scripts/build-wasm-examples.sh (make test does), or set WASM_TOOLS or WASM_TOOLS_VENV.
            """)
    }

    struct ToolError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// WAT (component or core) → validated binary.
    static func parse(_ wat: String, validate: Bool = true) throws -> [UInt8] {
        let tool = try executable()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skcm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("fixture.wat")
        let output = directory.appendingPathComponent("fixture.wasm")
        try wat.write(to: source, atomically: true, encoding: .utf8)
        try run(tool, ["parse", source.path, "-o", output.path])
        if validate { try run(tool, ["validate", output.path]) }
        return Array(try Data(contentsOf: output))
    }

    /// Compiles a C guest with zig (from the same venv) and makes it a component for `world`.
    static func cGuestComponent(fixture: String, world: String) throws -> [UInt8] {
        let tool = try executable()
        let python = tool.deletingLastPathComponent().appendingPathComponent("python")
        let fixtures = packageRoot.appendingPathComponent("Tests/StreamKitComponentModelTests/Fixtures/\(fixture)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skcm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let core = directory.appendingPathComponent("guest.core.wasm").path
        let embedded = directory.appendingPathComponent("guest.embed.wasm").path
        let component = directory.appendingPathComponent("guest.component.wasm")
        try run(python, [
            "-m", "ziglang", "cc", "--target=wasm32-wasi", "-mexec-model=reactor", "-O2", "-s", "-Wl,--gc-sections",
            "-o", core, fixtures.appendingPathComponent("guest.c").path,
        ])
        try run(tool, ["component", "embed", fixtures.appendingPathComponent("guest.wit").path, "--world", world, core, "-o", embedded])
        try run(tool, ["component", "new", embedded, "-o", component.path])
        return Array(try Data(contentsOf: component))
    }

    /// Builds a Python guest with componentize-py (CPython inside, 27 WASI 0.2.9 imports).
    static func pythonGuestComponent(fixture: String, wit: String = "hello.wit", world: String) throws -> [UInt8] {
        let tool = try executable()
        let componentizePy = tool.deletingLastPathComponent().appendingPathComponent("componentize-py")
        let fixtures = packageRoot.appendingPathComponent("Tests/StreamKitComponentModelTests/Fixtures/\(fixture)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skcm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("guest.wasm")
        try run(componentizePy, [
            "-d", fixtures.appendingPathComponent(wit).path, "-w", world, "componentize",
            "-p", fixtures.path, "app", "-o", output.path,
        ], in: directory)
        return Array(try Data(contentsOf: output))
    }

    static func run(_ tool: URL, _ arguments: [String], in directory: URL? = nil) throws {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolError(message: "\(tool.lastPathComponent) \(arguments.prefix(3).joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
        }
    }
}

/// One engine for all tests, as the server has one for all plugins.
let sharedEngine = ComponentEngine()

/// A bump allocator and memory in its own core module, instantiated first so that canonical
/// options can name them before the main module exists.
let libcModuleWAT = """
    (core module $Libc
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 4096))
      (func (export "realloc") (param $old i32) (param $oldSize i32) (param $align i32) (param $size i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get $align))))
        (global.set $bump (i32.add (local.get $p) (local.get $size)))
        (if (i32.gt_u (global.get $bump) (i32.mul (memory.size) (i32.const 65536)))
          (then (drop (memory.grow (i32.add (i32.const 1)
            (i32.shr_u (i32.sub (global.get $bump) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)))))))
        (local.get $p)))
    (core instance $libc (instantiate $Libc))
    (alias core export $libc "memory" (core memory $mem))
    (alias core export $libc "realloc" (core func $realloc))
    """

extension ComponentError {
    /// For `#expect(throws:)`: matches any ComponentError with this code.
    static func expecting(_ code: Code, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> ComponentError? {
        do {
            try body()
            Issue.record("expected a \(code) error, got success", sourceLocation: sourceLocation)
            return nil
        } catch let error as ComponentError {
            #expect(error.code == code, "wrong error: \(error)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected a ComponentError(\(code)), got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }
}
