import StreamKitCore
import StreamKitScheduling

/// The packets a pacer holds, oldest first, each with its duration in stream time.
///
/// A FIFO, so taking the oldest is O(1) however large `buffer_size` is, and a released packet's
/// memory is freed at once.
struct PacedQueue {
    struct Entry {
        var packet: Packet
        var durationUs: UInt64
    }

    private var entries = FIFO<Entry>()

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    var first: Entry? { entries.first }

    mutating func append(_ packet: Packet, durationUs: UInt64) {
        entries.push(Entry(packet: packet, durationUs: durationUs))
    }

    mutating func removeFirst() {
        _ = entries.pop()
    }
}
