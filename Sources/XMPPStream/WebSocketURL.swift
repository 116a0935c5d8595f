/// A WebSocket endpoint (RFC 6455 §3): `wss://host[:port][/path][?query]`, or `ws://` for plaintext on loopback.
public struct WebSocketURL: Sendable, Hashable, CustomStringConvertible {
    /// Whether the connection uses TLS (`wss`).
    public var isSecure: Bool
    /// The host, without brackets for an IPv6 literal.
    public var host: String
    /// The port: the URL's, else 443 for `wss` and 80 for `ws`.
    public var port: Int
    /// The request target: the path and query, `/` when the URL has none.
    public var resource: String

    /// Parses a URL.
    ///
    /// - Parameter string: `wss://` or `ws://` URL, without user information or a fragment (RFC 6455 §3).
    /// - Returns: `nil` when the string is not such a URL.
    public init?(_ string: String) {
        let lowered = string.lowercased()
        let rest: Substring
        if lowered.hasPrefix("wss://") {
            isSecure = true
            rest = string.dropFirst(6)
        } else if lowered.hasPrefix("ws://") {
            isSecure = false
            rest = string.dropFirst(5)
        } else {
            return nil
        }
        guard !rest.contains("#"), rest.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else { return nil }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var hostPart = authority
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { return nil }
        host = String(hostPart)
        if let portPart {
            guard let port = Int(portPart), (1...65535).contains(port), portPart.allSatisfy(\.isNumber) else {
                return nil
            }
            self.port = port
        } else {
            port = isSecure ? 443 : 80
        }
        let target = rest[authorityEnd...]
        resource = target.isEmpty ? "/" : (target.hasPrefix("?") ? "/" + target : String(target))
    }

    /// The value of the `Host` header: the host, and the port when it is not the scheme's default.
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (isSecure ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// The URL.
    public var description: String { "\(isSecure ? "wss" : "ws")://\(hostHeader)\(resource)" }
}
