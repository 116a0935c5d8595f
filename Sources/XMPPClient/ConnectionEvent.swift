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
    /// ``XMPPClient/serve()`` will connect again after this delay (attempt 1 is the first after a loss).
    case reconnecting(attempt: Int, delay: Duration)
    /// The stream was resumed (XEP-0198) on a new connection, still bound to this JID: nothing was lost, and what the
    /// server had not received was sent again.
    case resumed(JID)
    /// The stream could not be resumed and a new resource was bound (``bound(_:)`` came before): of the stanzas the
    /// server had not acknowledged, and those sent while reconnecting, in the order they were sent, these went out on
    /// the new stream (messages, subscription requests and answers) and these
    /// could not be delivered (IQs, whose requests fail to their callers, and presence that the new session
    /// supersedes). Nothing is dropped without this event.
    case reboundWithoutResumption(resent: [XMLElement], undeliverable: [XMLElement])
}
