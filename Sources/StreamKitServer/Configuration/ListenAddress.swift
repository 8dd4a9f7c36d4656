/// A literal socket address, `IPv4:port` or `[IPv6]:port`, as `server.address` requires (no host names).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The IP address as written, without brackets (`127.0.0.1`, `::1`).
    public var host: String
    /// The port, 0…65535.
    public var port: Int
    /// Whether ``host`` is an IPv6 address.
    public var isIPv6: Bool
    /// Whether the address is loopback (`127.0.0.0/8` or `::1`): only local clients can connect.
    public var isLoopback: Bool

    /// `host:port`, with brackets around IPv6 hosts.
    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses `IPv4:port` or `[IPv6]:port`; nil for anything else (host names, missing port, zone ids).
    public init?(parsing text: String) {
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let hostText = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let groups = Self.parseIPv6(hostText) else { return nil }
            host = String(hostText)
            isIPv6 = true
            isLoopback = groups == [0, 0, 0, 0, 0, 0, 0, 1]
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            let hostText = text[..<colon]
            guard let octets = Self.parseIPv4(hostText) else { return nil }
            host = String(hostText)
            isIPv6 = false
            isLoopback = octets[0] == 127
            portText = text[text.index(after: colon)...]
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit),
              let port = Int(portText), port <= 65535 else { return nil }
        self.port = port
    }

    /// Four decimal octets 0…255 without leading zeros.
    static func parseIPv4(_ text: Substring) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit),
                  part == "0" || !part.hasPrefix("0"), let value = Int(part), value <= 255 else { return nil }
            octets.append(value)
        }
        return octets
    }

    /// Eight 16-bit groups; `::` compresses zeros and the last 32 bits may be written as IPv4.
    static func parseIPv6(_ text: Substring) -> [Int]? {
        func groups(_ part: Substring, allowIPv4Tail: Bool) -> [Int]? {
            if part.isEmpty { return [] }
            var result: [Int] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowIPv4Tail, index == pieces.count - 1, piece.contains(".") {
                    guard let octets = parseIPv4(piece) else { return nil }
                    result.append(octets[0] << 8 | octets[1])
                    result.append(octets[2] << 8 | octets[3])
                } else {
                    guard !piece.isEmpty, piece.count <= 4, let value = Int(piece, radix: 16),
                          piece.allSatisfy(\.isHexDigit) else { return nil }
                    result.append(value)
                }
            }
            return result
        }

        let halves = text.components(separatedByDoubleColon: ())
        switch halves.count {
        case 1:
            guard let all = groups(text, allowIPv4Tail: true), all.count == 8 else { return nil }
            return all
        case 2:
            guard let head = groups(halves[0], allowIPv4Tail: false),
                  let tail = groups(halves[1], allowIPv4Tail: true), head.count + tail.count <= 7 else { return nil }
            return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        default:
            return nil
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isWholeNumber }
}

extension Substring {
    /// Splits at each `::` (used only to find IPv6 zero compression).
    fileprivate func components(separatedByDoubleColon: ()) -> [Substring] {
        var result: [Substring] = []
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            let next = self.index(after: index)
            if self[index] == ":", next < endIndex, self[next] == ":" {
                result.append(self[start..<index])
                start = self.index(after: next)
                index = start
            } else {
                index = next
            }
        }
        result.append(self[start..<endIndex])
        return result
    }
}
