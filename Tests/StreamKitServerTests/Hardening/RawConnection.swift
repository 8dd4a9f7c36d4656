import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a test server, for clients no HTTP library would be: ones that send half a
/// request, never read, or reset the connection. Every blocking call runs on a Dispatch thread, never on
/// the cooperative pool the server's handlers share.
final class RawConnection: @unchecked Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Connects to 127.0.0.1:`port`.
    static func open(port: Int) async throws -> RawConnection {
        try await Self.blocking {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket() failed: \(errno)") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 else {
                Glibc.close(fd)
                throw Failure(description: "connect() failed: \(errno)")
            }
            return RawConnection(descriptor: fd)
        }
    }

    /// Sends all of `bytes`; false when the peer closed the connection first, or when `timeout` passed
    /// with the peer not reading.
    @discardableResult
    func send(_ bytes: [UInt8], timeout: Duration = .seconds(10)) async -> Bool {
        let fd = descriptor
        let seconds = Int(timeout.components.seconds)
        return (try? await Self.blocking {
            var wait = timeval(tv_sec: seconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }) ?? false
    }

    /// Reads until the peer closes, `limit` bytes arrive, or `timeout` passes with nothing new.
    /// Returns what arrived and whether the peer closed.
    func read(limit: Int = 1 << 20, timeout: Duration = .seconds(10)) async -> (bytes: [UInt8], closed: Bool) {
        let fd = descriptor
        let seconds = Int(timeout.components.seconds)
        return (try? await Self.blocking {
            var wait = timeval(tv_sec: seconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while received.count < limit {
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count == 0 { return (received, true) }
                if count < 0 { return (received, errno != EAGAIN && errno != EWOULDBLOCK) }
                received += chunk[..<count]
            }
            return (received, false)
        }) ?? ([], true)
    }

    /// Reads the response head (up to the blank line), or what arrived before the peer closed.
    func readHead(timeout: Duration = .seconds(10)) async -> String {
        let fd = descriptor
        let seconds = Int(timeout.components.seconds)
        let bytes: [UInt8] = (try? await Self.blocking {
            var wait = timeval(tv_sec: seconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            var received: [UInt8] = []
            var byte: UInt8 = 0
            while !received.ends(with: Array("\r\n\r\n".utf8)) {
                guard recv(fd, &byte, 1, 0) == 1 else { break }
                received.append(byte)
            }
            return received
        }) ?? []
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Closes with a TCP reset (SO_LINGER 0), as a crashed client or a middlebox does.
    func reset() {
        var linger = linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        Glibc.close(descriptor)
    }

    /// Closes normally.
    func close() {
        Glibc.close(descriptor)
    }

    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}

/// This process's resident memory in bytes (the test server runs in it), from /proc.
func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let digits = line.filter(\.isNumber)
        return (Int(digits) ?? 0) * 1024
    }
    return 0
}
