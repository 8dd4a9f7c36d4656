import StreamKitCore

extension NodeContext {
    /// The next packet, for a node whose parameters cannot change while it runs: a parameter
    /// update is refused with `refusal`, and ended pins and timeouts are passed over (the node
    /// only cares about the end of all its inputs). Nil when every input has ended or the node
    /// must stop.
    func nextPacket(refusingUpdates refusal: @autoclosure () -> String) async -> Packet? {
        while let input = await next() {
            switch input {
            case .packet(_, let packet):
                return packet
            case .paramsUpdate(let update):
                update.reject(refusal())
            case .inputClosed, .timeout:
                continue
            }
        }
        return nil
    }
}

extension NodeContext {
    /// Reads packets in batches, for a node whose parameters cannot change while it runs and
    /// whose work is cheaper per packet in bulk (a codec on the blocking queue): after each wait
    /// for input, what is already queued is taken too, until `batched()` reaches `batchSize`;
    /// then `flush` does the work. Parameter updates are refused with `refusal`.
    func readInBatches(
        refusingUpdates refusal: @autoclosure () -> String,
        batched: () -> Int,
        take: (Packet) async throws -> Void,
        flush: () async throws -> Void
    ) async throws {
        func handle(_ input: NodeInput) async throws {
            switch input {
            case .packet(_, let packet): try await take(packet)
            case .paramsUpdate(let update): update.reject(refusal())
            case .inputClosed, .timeout: break
            }
        }
        while let input = await next() {
            try await handle(input)
            while batched() < batchSize, let more = nextIfReady() {
                try await handle(more)
            }
            try await flush()
        }
    }
}
