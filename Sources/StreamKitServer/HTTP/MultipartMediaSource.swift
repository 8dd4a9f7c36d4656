import StreamKitCore
import StreamKitEngine
import Synchronization

/// The `media` part as the run's input: each read pulls the next chunk from the request.
final class MultipartMediaSource: ByteSource {
    private let stream: MultipartStream
    let contentType: String?
    /// Why reading the request failed, if it did: the run's failure then names this, not the node.
    let failure = Mutex<(any Error)?>(nil)

    init(stream: MultipartStream, contentType: String?) {
        self.stream = stream
        self.contentType = contentType
    }

    func read() async throws -> [UInt8]? {
        do {
            return try await readEvent()
        } catch {
            failure.withLock { $0 = error }
            throw error
        }
    }

    private func readEvent() async throws -> [UInt8]? {
        while let event = try await ProcessRoute.nextEvent(stream) {
            switch event {
            case .body(let bytes): return bytes
            case .partEnded: return nil
            case .partStarted: return nil
            }
        }
        return nil
    }
}
