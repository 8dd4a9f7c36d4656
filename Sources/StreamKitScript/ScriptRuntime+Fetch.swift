import AsyncHTTPClient
import CJavaScriptCore
import NIOCore
import NIOHTTP1
import StreamKitCore

/// A fetch the script asked for, checked and with secret headers added.
struct FetchRequest: Sendable {
    var url: String
    var method: String
    var headers: [(String, String)]
    var body: String?
}

/// What came back.
struct FetchResponse: Sendable {
    var status: Int
    var statusText: String
    var url: String
    var headers: [(String, String)]
    var body: String
}

extension ScriptRuntime {
    /// `fetchNative(url, method, headersJSON, body)`: checks the request against the allowlist, adds
    /// the node's secret headers and returns a promise settled on this queue when the response is in.
    func startFetch(_ arguments: [JSValueRef?], in context: JSContextRef) -> JSValueRef? {
        var resolve: JSObjectRef?
        var reject: JSObjectRef?
        guard let promise = JSObjectMakeDeferredPromise(context, &resolve, &reject, nil), let resolve, let reject else {
            return JSValueMakeUndefined(context)
        }
        let url = arguments.count > 0 ? JSC.stringValue(arguments[0], in: context) ?? "" : ""
        let method = arguments.count > 1 ? JSC.stringValue(arguments[1], in: context) ?? "GET" : "GET"
        let headersJSON = arguments.count > 2 ? JSC.stringValue(arguments[2], in: context) ?? "[]" : "[]"
        let body = arguments.count > 3 ? JSC.stringValue(arguments[3], in: context) : nil

        let request: FetchRequest
        switch checkedRequest(url: url, method: method, headersJSON: headersJSON, body: body) {
        case .success(let checked): request = checked
        case .failure(let error):
            var values: [JSValueRef?] = [JSC.error("fetch: \(error.description)", in: context)]
            _ = values.withUnsafeMutableBufferPointer { JSObjectCallAsFunction(context, reject, nil, 1, $0.baseAddress, nil) }
            return promise
        }
        JSValueProtect(context, resolve)
        JSValueProtect(context, reject)
        nextFetchID &+= 1
        let id = nextFetchID
        fetches[id] = (resolve, reject)
        let settings = configuration.settings
        Task {
            let result: Result<FetchResponse, ScriptError>
            do {
                result = .success(try await Self.perform(request, settings: settings))
            } catch let error as ScriptError {
                result = .failure(error)
            } catch is TimeLimitExceeded {
                result = .failure(ScriptError("\(request.method) \(request.url) took longer than \(Int(settings.fetchTimeout.seconds)) s"))
            } catch {
                result = .failure(ScriptError("\(request.method) \(request.url) failed: \(Self.describe(error))"))
            }
            self.queue.async { self.finishFetch(id: id, result) }
        }
        return promise
    }

    /// Allowlist, URL and header checks, then the secret headers.
    private func checkedRequest(url: String, method: String, headersJSON: String, body: String?) -> Result<FetchRequest, ScriptError> {
        let settings = configuration.settings
        if let problem = OutboundHTTP.checkURL(url) { return .failure(ScriptError(problem)) }
        guard Self.methods.contains(method) else { return .failure(ScriptError("unknown method '\(method)'")) }
        guard settings.fetchAllowlist.contains(where: { $0.allows(method: method, url: url) }) else {
            return .failure(ScriptError("\(method) \(url) is not allowed: \(settings.allowlistDescription)"))
        }
        var headers: [(String, String)] = []
        if let list = (try? JSONValue.parse(headersJSON))?.arrayValue {
            for pair in list {
                guard let name = pair.arrayValue?.first?.stringValue, let value = pair.arrayValue?.last?.stringValue else { continue }
                guard Self.isHeaderName(name), !value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                    return .failure(ScriptError("invalid header '\(name)'"))
                }
                headers.append((name, value))
            }
        }
        for secret in configuration.secretHeaders {
            if !secret.allowedURLs.isEmpty, !secret.allowedURLs.contains(where: { Wildcard.matches($0, url) }) {
                return .failure(ScriptError("secret '\(secret.secretName)' may not be sent to \(url) (script.secrets.\(secret.secretName).allowed_fetch_urls)"))
            }
            headers.removeAll { $0.0.lowercased() == secret.header.lowercased() }
            headers.append((secret.header, secret.template.replacingOccurrences(of: "{}", with: secret.value.text)))
        }
        return .success(FetchRequest(url: url, method: method, headers: headers, body: body))
    }

    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// Does the HTTP exchange (never on the runtime's queue): a slot, the request, the body up to the cap.
    static func perform(_ request: FetchRequest, settings: ScriptSettings) async throws -> FetchResponse {
        try await withTimeLimit(settings.fetchTimeout) {
            try await OutboundHTTP.fetchSlots.acquire()
            defer { OutboundHTTP.fetchSlots.release() }
            var outbound = HTTPClientRequest(url: request.url)
            outbound.method = HTTPMethod(rawValue: request.method)
            for (name, value) in request.headers { outbound.headers.add(name: name, value: value) }
            if let body = request.body { outbound.body = .bytes(ByteBuffer(string: body)) }
            let response = try await OutboundHTTP.client.execute(outbound, timeout: .nanoseconds(Int64(settings.fetchTimeout.seconds * 1e9)))
            var body = ByteBuffer()
            for try await chunk in response.body {
                guard body.readableBytes + chunk.readableBytes <= settings.maxFetchResponseBytes else {
                    throw ScriptError("the response from \(request.url) is larger than \(settings.maxFetchResponseBytes) bytes")
                }
                var chunk = chunk
                body.writeBuffer(&chunk)
            }
            return FetchResponse(
                status: Int(response.status.code), statusText: response.status.reasonPhrase, url: request.url,
                headers: response.headers.map { ($0.name.lowercased(), $0.value) },
                body: String(decoding: body.readableBytesView, as: UTF8.self)
            )
        }
    }

    /// An error's text with nothing of the request in it but what the script already knows.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return error.shortDescription }
        return String(describing: type(of: error))
    }

    /// Settles a fetch's promise (on the queue).
    private func finishFetch(id: UInt64, _ result: Result<FetchResponse, ScriptError>) {
        guard !closed, let context, let fetch = fetches.removeValue(forKey: id) else { return }
        defer {
            JSValueUnprotect(context, fetch.resolve)
            JSValueUnprotect(context, fetch.reject)
        }
        armDeadline()
        switch result {
        case .success(let response):
            guard let makeResponse else { return }
            let pairs = JSONValue.array(response.headers.map { .array([.string($0.0), .string($0.1)]) }).jsonString()
            var arguments: [JSValueRef?] = [
                JSValueMakeNumber(context, Double(response.status)), JSC.value(response.statusText, in: context),
                JSC.value(response.url, in: context), JSC.parseJSON(pairs, in: context), JSC.value(response.body, in: context),
            ]
            var exception: JSValueRef?
            let value = arguments.withUnsafeMutableBufferPointer {
                JSObjectCallAsFunction(context, makeResponse, nil, 5, $0.baseAddress, &exception)
            }
            var resolved: [JSValueRef?] = [value]
            _ = resolved.withUnsafeMutableBufferPointer { JSObjectCallAsFunction(context, fetch.resolve, nil, 1, $0.baseAddress, nil) }
        case .failure(let error):
            var values: [JSValueRef?] = [JSC.error("fetch: \(error.description)", in: context)]
            _ = values.withUnsafeMutableBufferPointer { JSObjectCallAsFunction(context, fetch.reject, nil, 1, $0.baseAddress, nil) }
        }
    }
}
