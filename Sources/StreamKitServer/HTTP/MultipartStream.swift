import Foundation
import Hummingbird
import MultipartKit

/// Reads a `multipart/form-data` request body part by part as it arrives, without buffering it
/// whole: the media part of a oneshot request flows into the pipeline chunk by chunk.
///
/// MultipartKit's parser is push-based (callbacks per header, body chunk, part end); this actor
/// pulls request body buffers only when the consumer wants more, so a slow pipeline slows the upload.
actor MultipartStream {
    enum Event {
        case partStarted(name: String?, filename: String?, contentType: String?)
        case body([UInt8])
        case partEnded
    }

    enum Failure: Error {
        case tooLarge(limit: Int)
        case tooManyParts(limit: Int)
        case malformed(String)
    }

    private var iterator: RequestBody.AsyncIterator
    private let parser: MultipartParser
    private var pending: [Event] = []
    private var headers: [(String, String)] = []
    private var finished = false
    private var received = 0
    private var parts = 0
    private let maxBytes: Int
    private let maxParts: Int

    init(body: RequestBody, boundary: String, maxBytes: Int, maxParts: Int) {
        iterator = body.makeAsyncIterator()
        parser = MultipartParser(boundary: boundary)
        self.maxBytes = maxBytes
        self.maxParts = maxParts
    }

    /// The boundary of a `multipart/form-data` content type, or nil when it has none.
    static func boundary(of contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    /// The next event, or nil at the end of the body.
    func next() async throws -> Event? {
        if pending.isEmpty { try await fill() }
        guard !pending.isEmpty else { return nil }
        return pending.removeFirst()
    }

    private func fill() async throws {
        installCallbacks()
        while pending.isEmpty, !finished {
            // Iterating with this actor's isolation keeps the (non-Sendable) iterator on the actor.
            // (Actor properties cannot be mutated across a suspension, so copy out and back.)
            var iterator = self.iterator
            let next = try await iterator.next(isolation: self)
            self.iterator = iterator
            guard let buffer = next else {
                finished = true
                break
            }
            received += buffer.readableBytes
            if received > maxBytes { throw Failure.tooLarge(limit: maxBytes) }
            do {
                try parser.execute(buffer)
            } catch {
                throw Failure.malformed("\(error)")
            }
            if parts > maxParts { throw Failure.tooManyParts(limit: maxParts) }
        }
    }

    private var callbacksInstalled = false

    /// The parser's callbacks run synchronously inside `execute`, on this actor.
    private func installCallbacks() {
        guard !callbacksInstalled else { return }
        callbacksInstalled = true
        parser.onHeader = { [unowned self] name, value in
            self.assumeIsolated { $0.headers.append((name, value)) }
        }
        parser.onBody = { [unowned self] buffer in
            let bytes = Array(buffer.readableBytesView)
            self.assumeIsolated { stream in
                stream.startPartIfNeeded()
                stream.appendBody(bytes)
            }
        }
        parser.onPartComplete = { [unowned self] in
            self.assumeIsolated { stream in
                stream.startPartIfNeeded()
                stream.pending.append(.partEnded)
                stream.partOpen = false
            }
        }
    }

    private var partOpen = false

    /// The parser reports a body in pieces split at every CR byte (it may start a boundary), so
    /// binary media arrives in ~256-byte scraps; joining consecutive pieces gives one chunk per
    /// network read instead of hundreds of tiny packets.
    private func appendBody(_ bytes: [UInt8]) {
        if case .body(var previous)? = pending.last {
            // Drop the queued copy first so `previous` is the only reference and grows in place.
            pending.removeLast()
            previous.append(contentsOf: bytes)
            pending.append(.body(previous))
        } else {
            pending.append(.body(bytes))
        }
    }

    private func startPartIfNeeded() {
        guard !partOpen else { return }
        partOpen = true
        parts += 1
        var name: String?
        var filename: String?
        var contentType: String?
        for (header, value) in headers {
            switch header.lowercased() {
            case "content-disposition":
                name = Self.parameter("name", in: value)
                filename = Self.parameter("filename", in: value)
            case "content-type":
                contentType = value
            default:
                break
            }
        }
        headers.removeAll()
        pending.append(.partStarted(name: name, filename: filename, contentType: contentType))
    }

    static func parameter(_ key: String, in header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == key {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
