/// Channel-binding data from the TLS layer: the type and its bytes (RFC 5056, RFC 5929, RFC 9266).
///
/// The TLS layer produces it after the handshake; `-PLUS` SCRAM mechanisms send it, base64-encoded together with
/// the GS2 header, in the `c=` attribute so that the server can check that both ends see the same TLS channel.
public struct SASLChannelBinding: Sendable, Hashable, CustomStringConvertible {
    /// A channel-binding type, as registered with IANA and as XEP-0440 advertises it.
    public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
        /// The registered name, for example `tls-exporter`.
        public let rawValue: String

        /// Wraps a channel-binding type name.
        ///
        /// - Parameter rawValue: The name, for example `tls-unique`.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// Wraps a channel-binding type name written as a string literal.
        ///
        /// - Parameter value: The name, for example `"tls-exporter"`.
        public init(stringLiteral value: String) {
            self.rawValue = value
        }

        /// `tls-unique` (RFC 5929 §3): the first Finished message of the latest handshake; TLS 1.2 and older
        /// only.
        public static let tlsUnique = Kind(rawValue: "tls-unique")
        /// `tls-server-end-point` (RFC 5929 §4): a hash of the server's certificate.
        public static let tlsServerEndPoint = Kind(rawValue: "tls-server-end-point")
        /// `tls-exporter` (RFC 9266): 32 bytes of exported keying material; the binding for TLS 1.3.
        public static let tlsExporter = Kind(rawValue: "tls-exporter")

        /// The registered name.
        public var description: String { rawValue }
    }

    /// The channel-binding type.
    public var kind: Kind

    /// The channel-binding data for ``kind``, exactly as the TLS layer produced it.
    public var data: [UInt8]

    /// Pairs channel-binding data with its type.
    ///
    /// - Parameters:
    ///   - kind: The type, for example ``Kind/tlsExporter``.
    ///   - data: The bytes the TLS layer produced for that type.
    public init(kind: Kind, data: [UInt8]) {
        self.kind = kind
        self.data = data
    }

    /// The type and the length of the data, for example `tls-exporter (32 bytes)`.
    public var description: String { "\(kind) (\(data.count) bytes)" }
}

/// How a SCRAM exchange uses channel binding: the GS2 channel-binding flag (RFC 5801 §4, RFC 5802 §6).
///
/// RFC 5802 closes this set, so it is a plain enum.
public enum SASLChannelBindingFlag: Sendable, Hashable {
    /// `n`: the client does not support channel binding on this connection (no TLS, or no binding available).
    case notSupported
    /// `y`: the client supports channel binding but the server offered no `-PLUS` mechanism. A server that does
    /// support channel binding then fails the exchange, which exposes a stripped `-PLUS` offer (downgrade
    /// protection).
    case notOfferedByServer
    /// `p=<type>`: bind to this channel; only with a `-PLUS` mechanism.
    case bound(SASLChannelBinding)
}
