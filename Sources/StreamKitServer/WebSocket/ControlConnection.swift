import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import StreamKitCore
import StreamKitEngine

/// One WebSocket client of the control plane.
///
/// Three tasks share the connection: the request loop (reads messages, handles requests one at a
/// time, so responses come back in request order), the event pump (reads the server's event bus,
/// filtered to what the role may see), and the writer, the only task that writes to the socket. The
/// request loop and the pump hand their messages to the writer through a bounded ``ControlOutbox``.
///
/// A client that stops reading only ever stalls itself: its writer waits on the socket, its outbox
/// fills, the pump stops pulling, and the event bus (which never waits for anyone) drops this
/// subscriber's oldest events. When the pump catches up it tells the client how many it lost with
/// `{"event":"eventsdropped","count":n}`.
struct ControlConnection: Sendable {
    let handler: ControlRequestHandler
    let options: ControlPlane.Options
    let logger: Logger

    /// Largest frame the writer sends; longer messages are fragmented so clients with small frame
    /// limits (16 KiB is a common default) can still read large responses such as `nodeslisted`.
    static let outboundFrameBytes = 16 * 1024

    /// How the request loop ended.
    private enum Ending {
        /// The client closed, or the transport failed: stop at once.
        case closed
        /// We queued a final message and a Close frame: let the writer send them first.
        case flushAndClose
    }

    /// What finished first while waiting for the writer to flush.
    private enum Finished {
        case writer
        case other
    }

    /// Serves the connection until the client goes away (or breaks the protocol's size limit).
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        // Subscribe before anything else so no event published after the upgrade is missed.
        let subscription = handler.sessions.events.subscribe()
        let outbox = ControlOutbox(capacity: options.outboundQueueCapacity)
        let caller = handler.caller
        let logger = self.logger

        await withTaskGroup(of: Finished.self) { group in
            group.addTask {
                await Self.write(outbox, to: outbound, logger: logger)
                return .writer
            }
            group.addTask {
                await Self.pumpEvents(subscription, into: outbox, caller: caller)
                return .other
            }
            let ending = await readRequests(inbound, outbox: outbox)
            subscription.cancel()
            if ending == .flushAndClose {
                group.addTask {
                    try? await Task.sleep(for: options.flushTimeout)
                    return .other
                }
                while let finished = await group.next(), finished != .writer {}
            }
            outbox.finish()
            group.cancelAll()
        }
    }

    // MARK: Reading

    private func readRequests(_ inbound: WebSocketInboundStream, outbox: ControlOutbox) async -> Ending {
        var iterator = inbound.makeAsyncIterator()
        var message = ByteBuffer()
        var messageIsText: Bool?
        let limit = options.maxMessageBytes
        while true {
            let next: WebSocketDataFrame?
            do {
                next = try await iterator.next()
            } catch {
                logger.debug("control connection read failed", metadata: ["error": "\(error)"])
                return .closed
            }
            guard var frame = next else { return .closed }
            switch frame.opcode {
            case .text, .binary:
                guard messageIsText == nil else {
                    // A new message inside a fragmented one is a protocol violation.
                    await outbox.push(.close(code: .protocolError, reason: "unexpected data frame inside a fragmented message"))
                    return .flushAndClose
                }
                messageIsText = frame.opcode == .text
                message.clear()
            case .continuation:
                guard messageIsText != nil else {
                    await outbox.push(.close(code: .protocolError, reason: "continuation frame without a message"))
                    return .flushAndClose
                }
            }
            let isText = messageIsText ?? false
            if message.readableBytes + frame.data.readableBytes > limit {
                if isText {
                    let error = ControlCodec.error("WebSocket message too large (max \(limit) bytes)")
                    await outbox.push(.text(ControlCodec.response(error, correlationID: nil)))
                }
                await outbox.push(.close(code: .messageTooLarge, reason: nil))
                return .flushAndClose
            }
            message.writeBuffer(&frame.data)
            guard frame.fin else { continue }
            messageIsText = nil
            // Binary messages carry nothing in this protocol; they are ignored.
            guard isText else { continue }
            let text = String(validating: message.readableBytesView, as: UTF8.self)
            guard await handle(text, outbox: outbox) else { return .closed }
        }
    }

    /// Handles one text message; false when the outbox is gone (the connection is ending).
    private func handle(_ text: String?, outbox: ControlOutbox) async -> Bool {
        let request: ControlRequest
        do throws(ControlDecodingError) {
            guard let text else { throw ControlDecodingError("message is not valid UTF-8") }
            request = try ControlCodec.decode(text)
        } catch {
            let payload = ControlCodec.error("Invalid JSON: \(error.message)")
            return await outbox.push(.text(ControlCodec.response(payload, correlationID: nil)))
        }
        guard let payload = await handler.handle(request.action) else { return true }
        return await outbox.push(.text(ControlCodec.response(payload, correlationID: request.correlationID)))
    }

    // MARK: Events

    private static func pumpEvents(_ subscription: EventSubscription<ServerEvent>, into outbox: ControlOutbox, caller: Caller) async {
        for await item in subscription {
            let payload: JSONValue?
            switch item {
            case .event(let event):
                payload = ControlEvents.isVisible(event, to: caller) ? ControlEvents.payload(for: event) : nil
            case .dropped(let count):
                payload = ControlEvents.dropped(count)
            }
            guard let payload else { continue }
            guard await outbox.push(.text(ControlCodec.event(payload))) else { return }
        }
    }

    // MARK: Writing

    private static func write(_ outbox: ControlOutbox, to outbound: WebSocketOutboundWriter, logger: Logger) async {
        while let item = await outbox.next() {
            do {
                switch item {
                case .text(let text):
                    try await send(text, to: outbound)
                case .close(let code, let reason):
                    try await outbound.close(code, reason: reason)
                    outbox.finish()
                    return
                }
            } catch {
                logger.debug("control connection write failed", metadata: ["error": "\(error)"])
                outbox.finish()
                return
            }
        }
    }

    /// Sends one text message, fragmented into frames of at most ``outboundFrameBytes``.
    private static func send(_ text: String, to outbound: WebSocketOutboundWriter) async throws {
        var buffer = ByteBuffer(string: text)
        guard buffer.readableBytes > outboundFrameBytes else {
            try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: buffer)))
            return
        }
        var opcode = WebSocketOpcode.text
        while let slice = buffer.readSlice(length: min(outboundFrameBytes, buffer.readableBytes)) {
            let last = buffer.readableBytes == 0
            try await outbound.write(.custom(WebSocketFrame(fin: last, opcode: opcode, data: slice)))
            opcode = .continuation
            if last { break }
        }
    }
}
