import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StreamKitCore

/// A headless Chromium driven through chromedriver's W3C WebDriver endpoint (plain HTTP + JSON).
///
/// Missing browser or driver is an error, never a skip: `make test` installs the Debian
/// packages `chromium` and `chromium-driver`, and CI must notice when they are gone.
final class WebDriver: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The element reference key defined by the W3C spec.
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"
    static let driverPaths = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
    static let browserPaths = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"]

    private let process: Process
    let base: String
    let session: String

    private init(process: Process, base: String, session: String) {
        self.process = process
        self.base = base
        self.session = session
    }

    /// Starts chromedriver on a free loopback port and opens a headless browser window.
    /// `browserArguments` are added to Chromium's command line (e.g. a file for the fake microphone).
    static func start(width: Int = 1280, height: Int = 800, browserArguments: [String] = []) async throws -> WebDriver {
        guard let driver = driverPaths.first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
              let browser = browserPaths.first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw Failure(description: "chromium and chromedriver are required for the UI tests: apt-get install chromium chromium-driver (make test installs them)")
        }
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: driver)
        process.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let base = "http://127.0.0.1:\(port)"
        // chromedriver takes a moment to listen.
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await call(base, .GET, "/status"))?["ready"]?.boolValue == true
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard ready else {
            kill(process.processIdentifier, SIGKILL)
            throw Failure(description: "chromedriver did not become ready on port \(port)")
        }
        let arguments: [JSONValue] = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", .string("--window-size=\(width),\(height)"),
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required",
        ] + browserArguments.map { JSONValue.string($0) }
        let capabilities: JSONValue = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": ["binary": .string(browser), "args": .array(arguments)],
                    "goog:loggingPrefs": ["browser": "ALL"],
                ],
            ],
        ]
        do {
            let reply = try await call(base, .POST, "/session", capabilities, timeout: .seconds(60))
            guard let session = reply["value"]?["sessionId"]?.stringValue else {
                throw Failure(description: "no WebDriver session: \(reply.jsonString())")
            }
            return WebDriver(process: process, base: base, session: session)
        } catch {
            kill(process.processIdentifier, SIGKILL)
            throw error
        }
    }

    /// Closes the browser and stops chromedriver.
    func quit() async {
        _ = try? await Self.call(base, .DELETE, "/session/\(session)")
        // chromedriver may ignore SIGTERM while it tears down; SIGKILL cannot be ignored, and
        // the browser went with the session above.
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    // MARK: Commands

    func navigate(_ url: String) async throws {
        _ = try await command(.POST, "url", ["url": .string(url)])
    }

    /// Runs `script` (a function body; `arguments[n]` are the args) and returns its value.
    @discardableResult
    func execute(_ script: String, _ arguments: [JSONValue] = []) async throws -> JSONValue {
        try await command(.POST, "execute/sync", ["script": .string(script), "args": .array(arguments)])
    }

    /// The first element matching a CSS selector.
    func element(_ selector: String) async throws -> String {
        let value = try await command(.POST, "element", ["using": "css selector", "value": .string(selector)])
        guard let id = value[Self.elementKey]?.stringValue else { throw Failure(description: "no element \(selector)") }
        return id
    }

    func click(_ selector: String) async throws {
        let id = try await element(selector)
        _ = try await command(.POST, "element/\(id)/click", [:])
    }

    func type(_ selector: String, _ text: String) async throws {
        let id = try await element(selector)
        _ = try await command(.POST, "element/\(id)/value", ["text": .string(text)])
    }

    /// Keys by their W3C WebDriver code points (the spec's "normalised key value" table).
    enum Key: String {
        case backspace = "\u{E003}", tab = "\u{E004}", enter = "\u{E007}", shift = "\u{E008}", control = "\u{E009}"
        case escape = "\u{E00C}", space = "\u{E00D}", left = "\u{E012}", up = "\u{E013}", right = "\u{E014}", down = "\u{E015}"
        case delete = "\u{E017}"
    }

    /// Presses one key on whatever has focus, holding `modifiers` down around it (real key events).
    func press(_ key: Key, modifiers: [Key] = []) async throws {
        try await keyActions(modifiers.map(\.rawValue) + [key.rawValue], release: modifiers.map(\.rawValue))
    }

    /// Presses a character key with modifiers held (`press("a", modifiers: [.control])` is Ctrl+A).
    func press(_ character: Character, modifiers: [Key]) async throws {
        try await keyActions(modifiers.map(\.rawValue) + [String(character)], release: modifiers.map(\.rawValue))
    }

    /// Types `text` into whatever has focus, one real key press per character.
    func typeKeys(_ text: String) async throws {
        var steps: [JSONValue] = []
        for character in text {
            steps.append(["type": "keyDown", "value": .string(String(character))])
            steps.append(["type": "keyUp", "value": .string(String(character))])
        }
        try await keyboard(steps)
    }

    /// Key down for each of `down` in order, then key up for the last one and for `release` in reverse.
    private func keyActions(_ down: [String], release: [String]) async throws {
        var steps: [JSONValue] = down.map { ["type": "keyDown", "value": .string($0)] }
        if let last = down.last { steps.append(["type": "keyUp", "value": .string(last)]) }
        for key in release.reversed() { steps.append(["type": "keyUp", "value": .string(key)]) }
        try await keyboard(steps)
    }

    /// Performs key actions on the keyboard input source.
    private func keyboard(_ steps: [JSONValue]) async throws {
        _ = try await command(.POST, "actions", ["actions": [["type": "key", "id": "keyboard", "actions": .array(steps)]]])
    }

    func setWindow(width: Int, height: Int) async throws {
        _ = try await command(.POST, "window/rect", ["width": .number(Double(width)), "height": .number(Double(height))])
    }

    /// A PNG of the viewport.
    func screenshot() async throws -> Data {
        let value = try await command(.GET, "screenshot", nil)
        guard let text = value.stringValue, let data = Data(base64Encoded: text) else { throw Failure(description: "no screenshot") }
        return data
    }

    /// The browser console since the last call (chromedriver's log extension).
    func consoleLog() async throws -> [(level: String, message: String)] {
        let value = try await command(.POST, "se/log", ["type": "browser"])
        return (value.arrayValue ?? []).map { ($0["level"]?.stringValue ?? "", $0["message"]?.stringValue ?? "") }
    }

    /// Polls `script` (which returns a value) until `accept` is true, or fails with what it last saw.
    @discardableResult
    func wait(
        _ what: String, timeout: Duration = .seconds(20), script: String,
        until accept: (JSONValue) -> Bool = { $0.boolValue == true }
    ) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        var last: JSONValue = nil
        while ContinuousClock.now < deadline {
            last = try await execute(script)
            if accept(last) { return last }
            try await Task.sleep(for: .milliseconds(150))
        }
        throw Failure(description: "timed out waiting for \(what); last value: \(last.jsonString())")
    }

    private func command(_ method: HTTPMethod, _ path: String, _ body: JSONValue?) async throws -> JSONValue {
        let reply = try await Self.call(base, method, "/session/\(session)/\(path)", body)
        return reply["value"] ?? nil
    }

    private static func call(_ base: String, _ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil, timeout: TimeAmount = .seconds(30)) async throws -> JSONValue {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.jsonString()))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let json = try JSONValue.parse(String(buffer: bytes))
        if response.status.code >= 400 {
            let error = json["value"]?["message"]?.stringValue ?? json.jsonString()
            throw Failure(description: "WebDriver \(method.rawValue) \(path): \(error.prefix(500))")
        }
        // `/status` answers with its payload under `value` too.
        return path == "/status" ? (json["value"] ?? nil) : json
    }

    /// A port nobody listens on right now (bind to 0, read it, close).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
