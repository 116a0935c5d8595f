public import SASL
public import XMPPCore

/// A stream negotiation as a state machine: what ``XMPPStreamHandler`` drives until the stream is established.
///
/// ``ClientNegotiation`` is the client's (RFC 6120); ``ComponentNegotiation`` is an external component's
/// (XEP-0114). Each input returns the actions the connection must take, in order.
public protocol StreamNegotiating: Sendable {
    /// How the connection is protected.
    var security: ClientNegotiation.TransportSecurity { get }
    /// The namespace of the stream's stanzas (`jabber:client`, or `jabber:component:accept`). Stanzas in another
    /// namespace than `jabber:client` are presented as `jabber:client` ones, so that the same generated types
    /// serve, and written back in the stream's namespace.
    var stanzaNamespace: String { get }
    /// The `<stream:features/>` the server sent last, if it sends any.
    var streamFeatures: XMLElement? { get }

    /// The connection is open (and, for direct TLS, secured with these channel bindings): open the stream.
    ///
    /// - Parameter channelBindings: The channel bindings of a direct TLS connection.
    mutating func start(channelBindings: [SASLChannelBinding]) -> [ClientNegotiation.Action]
    /// TLS was established after STARTTLS's `<proceed/>`.
    ///
    /// - Parameter channelBindings: The connection's channel bindings.
    mutating func tlsEstablished(channelBindings: [SASLChannelBinding]) -> [ClientNegotiation.Action]
    /// Handles what the server sent.
    ///
    /// - Parameter event: A stream event.
    mutating func received(_ event: XMLStreamEvent) -> [ClientNegotiation.Action]
}

extension StreamNegotiating {
    /// `jabber:client`.
    public var stanzaNamespace: String { JabberClient.namespace }
}
