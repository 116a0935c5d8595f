public import XMPPCore

/// What happens to an endpoint's connection, in order: raised on every ``XMPPClient`` and ``XMPPComponent`` and
/// observed like any other event (``XMPPEndpoint/events(of:)``, ``XMPPEndpoint/observe(_:_:)``).
public enum ConnectionEvent: Sendable, Hashable {
    /// The TCP connection is up.
    case connected(host: String, port: Int)
    /// TLS is established, with this version and cipher suite; the channel bindings it offers for SASL -PLUS.
    case secured(tlsVersion: String, cipherSuite: String, channelBindings: [String])
    /// Authentication succeeded with this SASL mechanism (or the component handshake).
    case authenticated(mechanism: String)
    /// The stream is ready: the client is bound to this full JID, or the component serves this domain.
    case bound(JID)
    /// The connection ended; `reason` is `nil` for a close the application asked for.
    case disconnected(reason: String?)
}
