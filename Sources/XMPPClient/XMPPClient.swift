import Logging
import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix
import SASL
public import XMPPCore
import XMPPStream
import XMPPTLS

/// An XMPP client: connects an account, and offers handlers, IQ responders, events, filters, scheduled work and
/// services (``XMPPEndpoint``), with roster and presence built in as services.
///
/// ```swift
/// var configuration = XMPPClient.Configuration(jid: JID("juliet@example.com")!, password: password)
/// configuration.services = [DiscoService(), PingService(), RosterService(), PresenceService()]
/// let client = try XMPPClient(configuration: configuration)
/// client.onMessage(.message(.chat)) { message, client in
///     try await client.send(message.reply(body: message.body ?? ""))
/// }
/// try await client.withConnection { client in
///     try await client.send(Message.chat(to: JID("romeo@example.net")!, body: "Hi"))
/// }
/// ```
///
/// One connection at a time; reconnection and stream management are not built yet.
public final class XMPPClient: XMPPEndpoint {
    /// The settings.
    public let configuration: Configuration
    /// The shared machinery; use the ``XMPPEndpoint`` methods.
    public let core: EndpointCore<XMPPClient>

    private let group: any EventLoopGroup
    private let features = NIOLockedValueBox<XMLElement?>(nil)

    /// Creates a client and attaches its services; nothing goes on the network until ``connect()``.
    ///
    /// - Parameters:
    ///   - configuration: The settings.
    ///   - eventLoopGroup: Where the connection runs; the shared singleton group by default.
    /// - Throws: ``XMPPClientError`` (`invalidConfiguration`) when a service's dependency is missing or services
    ///   depend on each other in a cycle.
    public init(configuration: Configuration, eventLoopGroup: (any EventLoopGroup)? = nil) throws {
        self.configuration = configuration
        self.group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        self.core = EndpointCore(
            logger: configuration.logger, clock: configuration.clock, requestTimeout: configuration.requestTimeout)
        let services = try ServiceOrder.resolve(configuration.services)
        core.setServices(services)
        for service in services {
            try service.attach(to: self)
        }
    }

    /// The full JID the server bound, while connected.
    public var boundJID: JID? { core.localJID }

    /// The `<stream:features/>` of the current stream (roster versioning, pre-approval...), while connected.
    public var streamFeatures: XMLElement? { core.channel == nil ? nil : features.withLockedValue { $0 } }

    /// Connects, secures the stream, authenticates, binds a resource, then lets each service do its connection
    /// work (the roster fetch, initial presence) before returning.
    ///
    /// - Throws: ``XMPPClientError`` saying what failed: connecting, TLS (with the reason), authentication, binding,
    ///   a timeout.
    public func connect() async throws {
        guard core.channel == nil else {
            throw XMPPClientError(.invalidConfiguration, "already connected; close() first")
        }
        let configuration = configuration
        let host = configuration.host ?? configuration.jid.domainpart
        let port = configuration.port ?? (configuration.security == .directTLS ? 5223 : 5222)
        let settings = ClientNegotiation.Settings(
            jid: configuration.jid,
            credentials: .password(username: configuration.jid.localpart ?? "", password: configuration.password),
            security: configuration.security, mechanismSelector: configuration.mechanismSelector)
        let batches = StanzaBatches()
        let (channel, jid, mechanism) = try await core.open(
            host: host, port: port, negotiation: ClientNegotiation(settings: settings),
            tlsConfiguration: configuration.tlsConfiguration,
            timeouts: (configuration.connectTimeout, configuration.negotiationTimeout),
            wireLoggers: (configuration.wireInboundLogger, configuration.wireOutboundLogger),
            parserConfiguration: configuration.parserConfiguration, group: group, sink: batches)
        let streamFeatures = try? await channel.pipeline.handler(type: XMPPStreamHandler.self).map(\.streamFeatures)
            .get()
        features.withLockedValue { $0 = streamFeatures }
        await core.established(
            channel: channel, localJID: jid, mechanism: mechanism.rawValue, batches: batches, endpoint: self)
    }

    /// Closes the stream gracefully (`</stream:stream>`, then a bounded wait for the server's) and the connection,
    /// and cancels scheduled work. Unavailable presence is implied by the close (RFC 6121 §4.6).
    public func close() async {
        await core.close()
    }

    /// Connects, runs a body, then sends unavailable presence and closes cleanly, also when the body throws.
    ///
    /// - Parameter body: What to do while connected.
    /// - Returns: What the body returns.
    /// - Throws: What connecting or the body throws.
    public func withConnection<Result: Sendable>(
        _ body: (XMPPClient) async throws -> Result
    ) async throws -> Result {
        try await connect()
        let result: Result
        do {
            result = try await body(self)
        } catch {
            try? await send(Presence(type: .unavailable))
            await close()
            throw error
        }
        try? await send(Presence(type: .unavailable))
        await close()
        return result
    }

    /// Connects and stays connected until the connection ends, or until the task is cancelled or a `ServiceGroup`
    /// shuts down gracefully (then it closes cleanly and returns).
    ///
    /// - Throws: What ``connect()`` throws, or ``XMPPClientError`` (`connectionClosed`) when the connection ends
    ///   without ``close()``.
    public func run() async throws {
        try await connect()
        try await core.runUntilClosed()
    }

    func setEstablished(features streamFeatures: XMLElement?) {
        features.withLockedValue { $0 = streamFeatures }
    }
}
