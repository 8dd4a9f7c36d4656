import CJavaScriptCore
import Dispatch
import Logging
import StreamKitCore

/// One `core::script` node's JavaScript: its own context group (so its own VM, heap and time
/// limit), driven only from its own serial queue, never from Swift's cooperative pool.
///
/// Time: a per-entry watchdog (`JSContextGroupSetExecutionTimeLimit`) fires every `pollSeconds` (1 ms)
/// of CPU while JavaScript runs; its callback stops the script once the packet's wall-clock
/// deadline has passed or the VM's heap (`JSGetMemoryUsageStatistics().heapSize`, ArrayBuffer
/// and string storage included as extra memory) is over the memory limit. The heap is also read
/// every few packets between calls; a heap still over the limit after a full collection means the
/// script keeps that memory reachable, so the context is thrown away and the script started again.
///
/// `@unchecked Sendable`: every stored property that is not a `let` of a Sendable type, and every
/// JavaScriptCore call, is used only on `queue` (each entry point hops onto it).
final class ScriptRuntime: @unchecked Sendable {
    struct Configuration: Sendable {
        var nodeID: String
        var source: String
        /// `params.vars` as JSON, the script's frozen global `vars`.
        var varsJSON: String = "{}"
        var timeout: Duration
        var memoryLimitBytes: Int
        var secretHeaders: [SecretHeader]
        var settings: ScriptSettings
    }

    /// A `headers` mapping with its secret resolved.
    struct SecretHeader: Sendable {
        var header: String
        var template: String
        var secretName: String
        var value: ScriptSettings.SecretValue
        var allowedURLs: [String]
    }

    enum StopReason { case timeout, memory }

    let configuration: Configuration
    let queue: DispatchQueue
    let logger: Logger
    /// For telemetry and counters; nil when the runtime runs outside a pipeline (benchmarks).
    let node: NodeContext?
    let pollSeconds: Double

    var group: JSContextGroupRef?
    var context: JSGlobalContextRef?
    var globalClass: JSClassRef?
    var runHelper: JSObjectRef?
    var makeResponse: JSObjectRef?
    var pendingMarker: JSValueRef?
    var processFunction: JSObjectRef?
    var bridge = PacketBridge()

    var deadlineNanos: UInt64 = .max
    var stopReason: StopReason?
    var nextToken: UInt64 = 0
    var pending: [UInt64: PendingCall] = [:]
    var fetches: [UInt64: (resolve: JSObjectRef, reject: JSObjectRef)] = [:]
    var nextFetchID: UInt64 = 0
    var spans: [String: (type: String, start: ContinuousClock.Instant)] = [:]
    var nextSpanID: UInt64 = 0
    /// The VM's heap at the last exact reading, and the process's resident memory then.
    var lastHeapBytes: Double = 0
    var residentAtLastReading = 0
    var lastExactReading = ContinuousClock.now
    var closed = false
    /// Set when the heap stays over the limit: the context is replaced once the current batch ends.
    var restartNeeded = false

    /// Longest time between two exact heap readings while the runtime is busy.
    static let exactReadingInterval: Duration = .seconds(10)

    private init(configuration: Configuration, node: NodeContext?) {
        self.configuration = configuration
        self.node = node
        self.queue = DispatchQueue(label: "streamkit.script.\(configuration.nodeID)")
        var logger = configuration.settings.logger
        logger[metadataKey: "sk.node.id"] = "\(configuration.nodeID)"
        if let session = node?.sessionID { logger[metadataKey: "sk.session.id"] = "\(session)" }
        self.logger = logger
        let timeout = configuration.timeout.seconds
        self.pollSeconds = max(0.0005, min(0.001, timeout / 4))
    }

    /// Makes the context on the runtime's queue and runs the script's top level.
    /// - Throws: ``ScriptError`` when the top level throws or defines no `process` function.
    static func start(configuration: Configuration, node: NodeContext?) async throws -> ScriptRuntime {
        let runtime = ScriptRuntime(configuration: configuration, node: node)
        try await runtime.onQueue { try runtime.setUp() }
        return runtime
    }

    /// Runs `work` on the runtime's queue.
    func onQueue<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Releases the context (waits for the queue). Later fetch completions are ignored.
    func close() async {
        _ = try? await onQueue { self.tearDown(); self.closed = true }
    }

    // MARK: Set-up and tear-down (on the queue)

    private func setUp() throws {
        JSCEngineOptions.apply()
        guard let group = JSContextGroupCreate() else { throw ScriptError("cannot create a JavaScript context group") }
        self.group = group
        var definition = kJSClassDefinitionEmpty
        globalClass = JSClassCreate(&definition)
        guard let context = JSGlobalContextCreateInGroup(group, globalClass) else { throw ScriptError("cannot create a JavaScript context") }
        self.context = context
        JSObjectSetPrivate(JSContextGetGlobalObject(context), Unmanaged.passUnretained(self).toOpaque())
        JSContextGroupSetExecutionTimeLimit(group, pollSeconds, scriptWatchdog, Unmanaged.passUnretained(self).toOpaque())

        // Globals: evaluate the bootstrap and call it with the native functions.
        guard let natives = JSObjectMake(context, nil, nil), let global = JSContextGetGlobalObject(context) else {
            throw ScriptError("cannot create the script's globals")
        }
        for (name, function) in Self.natives {
            let jsName = JSC.string(name)
            defer { JSStringRelease(jsName) }
            JSC.setProperty(natives, jsName, JSObjectMakeFunctionWithCallback(context, jsName, function), in: context)
        }
        armDeadline()
        let bootstrap = try evaluate(Bootstrap.source, name: "streamkit-bootstrap.js")
        guard let bootstrapFunction = JSValueToObject(context, bootstrap, nil) else { throw ScriptError("the script bootstrap did not evaluate to a function") }
        var arguments: [JSValueRef?] = [natives]
        var exception: JSValueRef?
        let helpers = arguments.withUnsafeMutableBufferPointer {
            JSObjectCallAsFunction(context, bootstrapFunction, nil, 1, $0.baseAddress, &exception)
        }
        if let exception { throw ScriptError("script bootstrap failed: \(JSC.describeException(exception, in: context))") }
        guard let helpers, let list = JSValueToObject(context, helpers, nil) else { throw ScriptError("the script bootstrap returned nothing") }
        runHelper = protectedObject(JSObjectGetPropertyAtIndex(context, list, 0, nil))
        makeResponse = protectedObject(JSObjectGetPropertyAtIndex(context, list, 1, nil))
        pendingMarker = JSObjectGetPropertyAtIndex(context, list, 2, nil)
        if let pendingMarker { JSValueProtect(context, pendingMarker) }

        // `vars`, then the user's script.
        if let vars = JSC.parseJSON(configuration.varsJSON, in: context), let object = JSValueToObject(context, vars, nil) {
            let name = JSC.string("vars")
            defer { JSStringRelease(name) }
            _ = try evaluate("Object.freeze", name: "streamkit-vars.js").flatMap { JSValueToObject(context, $0, nil) }.map { freeze in
                var arguments: [JSValueRef?] = [object]
                _ = arguments.withUnsafeMutableBufferPointer { JSObjectCallAsFunction(context, freeze, nil, 1, $0.baseAddress, nil) }
            }
            JSObjectSetProperty(context, global, name, object, JSPropertyAttributes(kJSPropertyAttributeReadOnly | kJSPropertyAttributeDontDelete), nil)
        }
        // The top level may take a little longer than a packet (building tables, compiling).
        armDeadline(atLeast: .seconds(1))
        _ = try evaluate(configuration.source, name: "script.js")
        let processName = JSC.string("process")
        defer { JSStringRelease(processName) }
        guard let process = JSC.property(global, processName, in: context),
              let function = JSValueToObject(context, process, nil), JSObjectIsFunction(context, function) else {
            throw ScriptError("the script must define a function process(packet)")
        }
        processFunction = function
        JSValueProtect(context, function)
        readHeap(context)
    }

    private func protectedObject(_ value: JSValueRef?) -> JSObjectRef? {
        guard let context, let value, let object = JSValueToObject(context, value, nil) else { return nil }
        JSValueProtect(context, object)
        return object
    }

    private func tearDown() {
        guard let context else { return }
        for call in pending.values { call.complete(.failed("the script context was stopped")) }
        pending.removeAll()
        for fetch in fetches.values {
            JSValueUnprotect(context, fetch.resolve)
            JSValueUnprotect(context, fetch.reject)
        }
        fetches.removeAll()
        for value in [runHelper, makeResponse, pendingMarker, processFunction] {
            if let value { JSValueUnprotect(context, value) }
        }
        runHelper = nil
        makeResponse = nil
        pendingMarker = nil
        processFunction = nil
        JSObjectSetPrivate(JSContextGetGlobalObject(context), nil)
        JSGlobalContextRelease(context)
        self.context = nil
        if let group {
            JSContextGroupClearExecutionTimeLimit(group)
            JSContextGroupRelease(group)
        }
        group = nil
        if let globalClass { JSClassRelease(globalClass) }
        globalClass = nil
    }

    /// Evaluates source text; a thrown exception becomes a ``ScriptError`` naming the line.
    private func evaluate(_ source: String, name: String) throws -> JSValueRef? {
        guard let context else { throw ScriptError("the script context is closed") }
        let script = JSC.string(source)
        let url = JSC.string(name)
        defer { JSStringRelease(script); JSStringRelease(url) }
        stopReason = nil
        var exception: JSValueRef?
        let value = JSEvaluateScript(context, script, nil, url, 1, &exception)
        if let exception {
            throw ScriptError(stopMessage() ?? JSC.describeException(exception, in: context))
        }
        return value
    }

    // MARK: Time and memory

    /// Starts the wall-clock budget of one entry into JavaScript.
    func armDeadline(atLeast minimum: Duration = .zero) {
        let nanos = UInt64(max(0, max(configuration.timeout, minimum).seconds) * 1e9)
        deadlineNanos = DispatchTime.now().uptimeNanoseconds &+ nanos
        stopReason = nil
    }

    /// Called by the watchdog while JavaScript runs (on the queue, inside the VM).
    fileprivate func shouldTerminate(_ context: JSContextRef?) -> Bool {
        if let group {
            // This JavaScriptCore calls the callback once per armed limit: arm it again.
            JSContextGroupSetExecutionTimeLimit(group, pollSeconds, scriptWatchdog, Unmanaged.passUnretained(self).toOpaque())
        }
        if DispatchTime.now().uptimeNanoseconds >= deadlineNanos {
            stopReason = .timeout
            return true
        }
        if let context, isOverMemoryLimit(context) {
            stopReason = .memory
            return true
        }
        return false
    }

    /// The VM's heap size in bytes (exact, but it walks the heap: see ``ResidentMemory``).
    private func heapBytes(_ context: JSContextRef) -> Double {
        guard let statistics = JSGetMemoryUsageStatistics(context) else { return 0 }
        let name = JSC.string("heapSize")
        defer { JSStringRelease(name) }
        guard let value = JSC.property(statistics, name, in: context) else { return 0 }
        return JSValueToNumber(context, value, nil)
    }

    /// Takes an exact reading of the heap (and notes the process's resident memory with it).
    @discardableResult
    private func readHeap(_ context: JSContextRef) -> Double {
        lastHeapBytes = heapBytes(context)
        residentAtLastReading = ResidentMemory.bytes() ?? 0
        lastExactReading = .now
        return lastHeapBytes
    }

    /// Whether the heap is over the limit. Cheap unless it may be: the heap can only have grown by as much as
    /// the whole process's resident memory did since the last exact reading, so the exact reading is taken
    /// only when that bound passes the limit (or after ``exactReadingInterval``).
    private func isOverMemoryLimit(_ context: JSContextRef) -> Bool {
        let limit = Double(configuration.memoryLimitBytes)
        if let resident = ResidentMemory.bytes() {
            let bound = lastHeapBytes + Double(max(0, resident - residentAtLastReading))
            if bound <= limit && ContinuousClock.now - lastExactReading < Self.exactReadingInterval { return false }
        }
        return readHeap(context) > limit
    }

    /// What to say about a stopped script, nil when it was not stopped by the runtime.
    private func stopMessage() -> String? {
        switch stopReason {
        case .timeout: "timed out after \(Int(configuration.timeout.seconds * 1000)) ms (timeout_ms)"
        case .memory: "went over its memory limit of \(configuration.memoryLimitBytes >> 20) MiB (memory_limit_mb)"
        case nil: nil
        }
    }

    /// After a call stopped for memory, or when the heap may be over the limit: collect, and start the script
    /// again when its heap stays over the limit.
    private func enforceMemoryLimit(force: Bool) {
        guard let context else { return }
        guard force || isOverMemoryLimit(context) else { return }
        JSSynchronousGarbageCollectForDebugging(context)
        let after = readHeap(context)
        let limit = Double(configuration.memoryLimitBytes)
        guard after > limit else { return }
        logger.warning("script keeps more than its memory limit reachable: its context is stopped and the script started again", metadata: [
            "heap_mib": "\(Int(after) >> 20)", "limit_mib": "\(configuration.memoryLimitBytes >> 20)",
        ])
        node?.emitTelemetry("script.restarted", data: ["reason": "memory_limit", "heap_bytes": .number(after)])
        restartNeeded = true
    }

    /// Throws the context away and runs the script afresh (outside any JSLock of the old context).
    private func restart() {
        restartNeeded = false
        tearDown()
        do {
            try setUp()
        } catch {
            logger.error("script could not be started again", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Calls

    /// One step of processing: a finished call, or one whose promise is still pending.
    enum Step: Sendable {
        case done(CallOutcome)
        case pending(PendingCall)
    }

    /// Calls `process` for each packet in order, stopping after the first one whose promise is pending.
    func process(_ packets: [Packet]) async throws -> [Step] {
        try await onQueue {
            var steps: [Step] = []
            steps.reserveCapacity(packets.count)
            // One lock for the batch: each call inside skips taking it, and promise jobs run on the final
            // unlock (so a pending call, always the last of the batch, settles then, or later).
            guard let context = self.context else { return packets.isEmpty ? [] : [self.call(packets[0])] }
            JSLock(context)
            for packet in packets {
                let step = self.call(packet)
                steps.append(step)
                if case .pending = step { break }
                if self.restartNeeded { break }
            }
            // Once per batch: cheap unless resident memory grew enough for the heap to be over the limit.
            if !self.restartNeeded { self.enforceMemoryLimit(force: false) }
            JSUnlock(context)
            if self.restartNeeded { self.restart() }
            return steps
        }
    }

    private func call(_ packet: Packet) -> Step {
        guard let context, let runHelper, let processFunction else {
            if closed { return .done(.failed("the script context is closed")) }
            return .done(.failed("the script is not running (it could not be started again)"))
        }
        let token = nextToken
        nextToken &+= 1
        let call = PendingCall(token: token, original: packet)
        pending[token] = call
        armDeadline()
        var exception: JSValueRef?
        var arguments: [JSValueRef?] = [processFunction, bridge.makeValue(packet, in: context), JSValueMakeNumber(context, Double(token))]
        let value = arguments.withUnsafeMutableBufferPointer {
            JSObjectCallAsFunction(context, runHelper, nil, 3, $0.baseAddress, &exception)
        }
        if let exception {
            pending[token] = nil
            let message = stopMessage() ?? JSC.describeException(exception, in: context)
            if stopReason == .memory { enforceMemoryLimit(force: true) }
            return .done(.failed(message))
        }
        if let value, let pendingMarker, JSValueIsStrictEqual(context, value, pendingMarker) {
            return .pending(call)
        }
        pending[token] = nil
        return .done(.result(bridge.result(from: value, original: packet, in: context)))
    }

    /// `settle(token, ok, value)`: a `process` promise settled.
    fileprivate func settle(token: UInt64, fulfilled: Bool, value: JSValueRef?, in context: JSContextRef) {
        guard let call = pending.removeValue(forKey: token) else { return }
        if fulfilled {
            call.complete(.result(bridge.result(from: value, original: call.original, in: context)))
        } else {
            let message = value.map { JSC.describeException($0, in: context) } ?? "rejected"
            call.complete(.failed(stopMessage() ?? message))
        }
    }

    /// Forgets a pending call whose deadline passed (its late result is ignored).
    func abandon(_ call: PendingCall) {
        queue.async { self.pending[call.token] = nil }
    }
}

/// A script that could not start, or a problem found in one.
struct ScriptError: Error, CustomStringConvertible, Sendable {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// The watchdog callback: `info` is the runtime (unretained; the runtime outlives its group).
private let scriptWatchdog: JSShouldTerminateCallback = { context, info in
    guard let info else { return true }
    return Unmanaged<ScriptRuntime>.fromOpaque(info).takeUnretainedValue().shouldTerminate(context)
}

// MARK: - Native functions

extension ScriptRuntime {
    /// The runtime behind a context (the private data of its global object).
    static func runtime(of context: JSContextRef?) -> ScriptRuntime? {
        guard let context, let global = JSContextGetGlobalObject(context),
              let pointer = JSObjectGetPrivate(global) else { return nil }
        return Unmanaged<ScriptRuntime>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Arguments as a Swift array.
    static func arguments(_ count: Int, _ pointer: UnsafePointer<JSValueRef?>?) -> [JSValueRef?] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    static let natives: [(String, JSObjectCallAsFunctionCallback)] = [
        ("log", { context, _, _, count, arguments, _ in
            guard let context, let runtime = ScriptRuntime.runtime(of: context) else { return nil }
            let values = ScriptRuntime.arguments(count, arguments)
            let level = JSC.stringValue(values.first ?? nil, in: context) ?? "info"
            let text = values.count > 1 ? JSC.swiftString(values[1], in: context) ?? "" : ""
            runtime.console(level: level, text)
            return JSValueMakeUndefined(context)
        }),
        ("emit", { context, _, _, count, arguments, _ in
            guard let context, let runtime = ScriptRuntime.runtime(of: context) else { return nil }
            let values = ScriptRuntime.arguments(count, arguments)
            runtime.emit(type: JSC.stringValue(values.first ?? nil, in: context) ?? "script.event",
                         data: values.count > 1 ? JSC.stringValue(values[1], in: context) : nil)
            return JSValueMakeUndefined(context)
        }),
        ("startSpan", { context, _, _, count, arguments, _ in
            guard let context, let runtime = ScriptRuntime.runtime(of: context) else { return nil }
            let values = ScriptRuntime.arguments(count, arguments)
            let id = runtime.startSpan(type: JSC.stringValue(values.first ?? nil, in: context) ?? "script.span",
                                       data: values.count > 1 ? JSC.stringValue(values[1], in: context) : nil)
            return JSC.value(id, in: context)
        }),
        ("endSpan", { context, _, _, count, arguments, _ in
            guard let context, let runtime = ScriptRuntime.runtime(of: context) else { return nil }
            let values = ScriptRuntime.arguments(count, arguments)
            runtime.endSpan(id: JSC.stringValue(values.first ?? nil, in: context) ?? "",
                            data: values.count > 1 ? JSC.stringValue(values[1], in: context) : nil)
            return JSValueMakeUndefined(context)
        }),
        ("settle", { context, _, _, count, arguments, _ in
            guard let context, let runtime = ScriptRuntime.runtime(of: context) else { return nil }
            let values = ScriptRuntime.arguments(count, arguments)
            guard values.count >= 3, let token = values[0] else { return JSValueMakeUndefined(context) }
            runtime.settle(token: UInt64(max(0, JSValueToNumber(context, token, nil))),
                           fulfilled: JSValueToBoolean(context, values[1]), value: values[2], in: context)
            return JSValueMakeUndefined(context)
        }),
        ("fetchNative", { context, _, _, count, arguments, _ in
            guard let context, let runtime = ScriptRuntime.runtime(of: context) else { return nil }
            return runtime.startFetch(ScriptRuntime.arguments(count, arguments), in: context)
        }),
    ]

    func console(level: String, _ text: String) {
        let metadata: Logger.Metadata = ["sk.script.console": "\(level)"]
        switch level {
        case "error": logger.error("\(text)", metadata: metadata)
        case "warn": logger.warning("\(text)", metadata: metadata)
        case "debug": logger.debug("\(text)", metadata: metadata)
        default: logger.info("\(text)", metadata: metadata)
        }
    }

    private func jsonObject(_ text: String?) -> JSONObject {
        guard let text, let value = try? JSONValue.parse(text) else { return [:] }
        if let object = value.objectValue { return object }
        return ["value": value]
    }

    func emit(type: String, data: String?) {
        node?.emitTelemetry(type, data: jsonObject(data))
    }

    func startSpan(type: String, data: String?) -> String {
        nextSpanID &+= 1
        let id = "\(configuration.nodeID)-span-\(nextSpanID)"
        spans[id] = (type, .now)
        var body = jsonObject(data)
        body["span_id"] = .string(id)
        node?.emitTelemetry("\(type).start", data: body, correlationID: id)
        return id
    }

    func endSpan(id: String, data: String?) {
        guard let span = spans.removeValue(forKey: id) else {
            logger.debug("telemetry.endSpan with an unknown span id", metadata: ["span": "\(id)"])
            return
        }
        var body = jsonObject(data)
        body["span_id"] = .string(id)
        body["latency_ms"] = .number((ContinuousClock.now - span.start).seconds * 1000)
        node?.emitTelemetry(span.type, data: body, correlationID: id)
    }
}
