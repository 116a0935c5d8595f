import NIOCore
public import NIOEmbedded
public import XMPPClient
public import XMPPXML

/// The server side of a scripted conversation with an ``XMPPClient`` or ``XMPPComponent``, at the stanza level:
/// the stream is taken as established, and the test delivers stanzas and reads what the endpoint sends.
///
/// ```swift
/// let server = ScriptedServer()
/// try await server.connect(client, as: JID("juliet@example.com/balcony")!)
/// try await server.deliver("<iq type='get' id='1' from='example.com'><ping xmlns='urn:xmpp:ping'/></iq>")
/// let reply = try await server.nextSent()
/// ```
///
/// For exact wire bytes, test `XMPPStreamHandler` with an `EmbeddedChannel` instead; for real behaviour, use the
/// live servers.
public final class ScriptedServer: Sendable {
    /// The channel the endpoint writes to and reads from.
    public let channel: NIOAsyncTestingChannel

    /// Creates a server with a fresh channel.
    public init() {
        channel = NIOAsyncTestingChannel()
    }

    /// Connects a client: as if negotiation had bound it to a JID, with these stream features.
    ///
    /// - Parameters:
    ///   - client: The client.
    ///   - jid: The bound full JID.
    ///   - streamFeatures: The features of the established stream (roster versioning...), if any.
    public func connect(_ client: XMPPClient, as jid: JID, streamFeatures: String? = nil) async throws {
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5222)).get()
        let features = try streamFeatures.map { try XMLElement(parsing: $0) }
        try await client.connect(establishedOn: channel, boundJID: jid, streamFeatures: features)
    }

    /// Connects a component: as if its handshake for a domain had succeeded.
    ///
    /// - Parameters:
    ///   - component: The component.
    ///   - domain: Its domain.
    public func connect(_ component: XMPPComponent, as domain: JID) async throws {
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5347)).get()
        try await component.connect(establishedOn: channel, domain: domain)
    }

    /// Delivers stanzas to the endpoint, as one network read.
    ///
    /// - Parameter xml: One or more stanzas, in `jabber:client` unless they say otherwise.
    public func deliver(_ xml: String...) async throws {
        for text in xml {
            try await channel.writeInbound(try XMLElement(parsing: text, defaultNamespace: "jabber:client"))
        }
        channel.pipeline.fireChannelReadComplete()
    }

    /// Delivers elements to the endpoint, as one network read.
    ///
    /// - Parameter elements: The stanzas.
    public func deliver(_ elements: [XMLElement]) async throws {
        for element in elements {
            try await channel.writeInbound(element)
        }
        channel.pipeline.fireChannelReadComplete()
    }

    /// The next element the endpoint sends, waiting for it.
    public func nextSent() async throws -> XMLElement {
        try await channel.waitForOutboundWrite(as: XMLElement.self)
    }

    /// Closes the connection from the server's side.
    public func close() async throws {
        try await channel.close()
    }
}
