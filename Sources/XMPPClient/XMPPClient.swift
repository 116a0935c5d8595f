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
        try core.start(configuration.services, on: self)
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
        var lastError: (any Error)?
        for (host, port, security) in try await targets() {
            let settings = ClientNegotiation.Settings(
                jid: configuration.jid,
                credentials: .password(username: configuration.jid.localpart ?? "", password: configuration.password),
                security: security, mechanismSelector: configuration.mechanismSelector)
            let batches = StanzaBatches()
            let opened: (channel: any Channel, jid: JID, mechanism: SASLMechanismName)
            do {
                opened = try await core.open(
                    host: host, port: port, negotiation: ClientNegotiation(settings: settings),
                    tlsConfiguration: configuration.tlsConfiguration(for: security),
                    timeouts: (configuration.connectTimeout, configuration.negotiationTimeout),
                    wireLoggers: (configuration.wireInboundLogger, configuration.wireOutboundLogger),
                    parserConfiguration: configuration.parserConfiguration, group: group, sink: batches)
            } catch let error as XMPPClientError where error.code == .connectFailed {
                // RFC 6120 §3.2.1: a target that cannot be reached gives way to the next.
                configuration.logger.info("cannot connect", metadata: ["host": "\(host)", "port": "\(port)"])
                lastError = error
                continue
            }
            let streamFeatures = try? await opened.channel.pipeline.handler(type: XMPPStreamHandler.self)
                .map(\.streamFeatures).get()
            features.withLockedValue { $0 = streamFeatures }
            await core.established(
                channel: opened.channel, localJID: opened.jid, mechanism: opened.mechanism.rawValue, batches: batches,
                endpoint: self)
            return
        }
        throw lastError ?? XMPPClientError(.connectFailed, "nowhere to connect to")
    }

    /// Where to connect, in order: the configured host, or the domain's SRV targets, or the domain.
    private func targets() async throws -> [(host: String, port: Int, security: ClientNegotiation.TransportSecurity)] {
        let configuration = configuration
        let security = configuration.security
        let defaultPort = security == .directTLS ? 5223 : 5222
        if let host = configuration.host {
            return [(host, configuration.port ?? defaultPort, security)]
        }
        let domain = configuration.jid.domainpart
        let resolver = SRVResolver(nameserver: configuration.dnsServer)
        // The resolver blocks for its timeouts: off the event loops and the cooperative pool.
        let found: [SRVResolver.Target]
        do {
            found = try await NIOThreadPool.singleton.runIfActive { try resolver.clientTargets(for: domain) }
        } catch let error as SRVLookupError where error.code == .serviceNotAvailable {
            throw XMPPClientError(.connectFailed, "\(error)")
        } catch {
            configuration.logger.info("SRV lookup failed; connecting to the domain", metadata: ["error": "\(error)"])
            found = []
        }
        // Direct TLS targets need TLS allowed; STARTTLS targets are not for a client told to use direct TLS.
        let usable = found.compactMap { target -> (String, Int, ClientNegotiation.TransportSecurity)? in
            switch (target.isDirectTLS, security) {
            case (true, .insecurePlaintext), (false, .directTLS): nil
            case (true, _): (target.host, target.port, .directTLS)
            case (false, _): (target.host, target.port, security)
            }
        }
        if usable.isEmpty {
            return [(domain, configuration.port ?? defaultPort, security)]
        }
        return usable
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

    /// Connects and serves until the connection ends or the task is cancelled; cancelled, it closes the stream
    /// cleanly and returns.
    ///
    /// In a swift-service-lifecycle `ServiceGroup`, import `XMPPServiceLifecycle`: its `run()` is this method with
    /// graceful shutdown as the cancellation.
    ///
    /// - Throws: What ``connect()`` throws (unless the task was cancelled meanwhile), or ``XMPPClientError``
    ///   (`connectionClosed`) when the connection ends without ``close()``.
    public func serve() async throws {
        try await core.serve(connecting: connect)
    }

    func setEstablished(features streamFeatures: XMLElement?) {
        features.withLockedValue { $0 = streamFeatures }
    }
}
