public import Logging
import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix
import XMPPBaseExtensions
public import XMPPCore
public import XMPPStream
import XMPPTLS

/// An external component (XEP-0114): connects to a server's component port, authenticates with the shared secret,
/// and then serves every address of its domain, with the same handlers, IQ responders, events, filters and
/// services as ``XMPPClient`` (``XMPPEndpoint``).
///
/// Stanzas are presented in `jabber:client`, so the same generated types serve; the stream writes them in
/// `jabber:component:accept`. A component must set `from` on what it sends (the server does not stamp it).
///
/// ```swift
/// let component = try XMPPComponent(configuration: .init(
///     domain: JID("echo.example.com")!, secret: secret, host: "127.0.0.1", port: 5347))
/// component.onMessage { message, component in
///     try await component.send(message.reply(body: message.body ?? ""))
/// }
/// try await component.serve()
/// ```
public final class XMPPComponent: XMPPEndpoint {
    /// A component's settings.
    public struct Configuration: Sendable {
        /// The component's domain, as configured on the server.
        public var domain: JID
        /// The shared secret. Never logged; only its hash with the stream id is sent.
        public var secret: String
        /// The server's host.
        public var host: String
        /// The component port (5347 is usual).
        public var port: Int
        /// Plaintext (the default, as XEP-0114 has no TLS of its own) or direct TLS.
        public var security: ClientNegotiation.TransportSecurity
        /// Whose certificates are trusted with direct TLS.
        public var trust: XMPPClient.Configuration.Trust
        /// Plaintext is refused unless the host is a loopback address; set this to allow it over a network.
        public var allowPlaintextBeyondLoopback: Bool
        /// How long connecting may take.
        public var connectTimeout: TimeAmount
        /// How long the handshake may take.
        public var negotiationTimeout: TimeAmount
        /// How long requests wait for a reply by default.
        public var requestTimeout: Duration
        /// Lifecycle messages.
        public var logger: Logger
        /// The XML console, received (`xmpp.wire.inbound`, trace level).
        public var wireInboundLogger: Logger
        /// The XML console, sent (`xmpp.wire.outbound`, trace level).
        public var wireOutboundLogger: Logger
        /// Limits on what the server may send.
        public var parserConfiguration: XMLStreamParser.Configuration
        /// The services; disco (as a `component/generic` identity) and ping by default.
        public var services: [any XMPPService]
        /// The clock for scheduled work and event timeouts.
        public var clock: any Clock<Duration>

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - domain: The component's domain.
        ///   - secret: The shared secret.
        ///   - host: The server's host.
        ///   - port: The component port.
        public init(domain: JID, secret: String, host: String, port: Int = 5347) {
            self.domain = domain
            self.secret = secret
            self.host = host
            self.port = port
            self.security = .insecurePlaintext
            self.trust = .system
            self.allowPlaintextBeyondLoopback = false
            self.connectTimeout = .seconds(10)
            self.negotiationTimeout = .seconds(30)
            self.requestTimeout = .seconds(30)
            self.logger = Logger(label: "xmpp.client")
            self.wireInboundLogger = Logger(label: "xmpp.wire.inbound")
            self.wireOutboundLogger = Logger(label: "xmpp.wire.outbound")
            self.parserConfiguration = .xmppStream
            self.services = [
                DiscoService(identity: DiscoInfo.Identity(category: "component", type: "generic")), PingService(),
            ]
            self.clock = ContinuousClock()
        }
    }

    /// The settings.
    public let configuration: Configuration
    /// The shared machinery; use the ``XMPPEndpoint`` methods.
    public let core: EndpointCore<XMPPComponent>
    private let group: any EventLoopGroup

    /// Creates a component and attaches its services.
    ///
    /// - Parameters:
    ///   - configuration: The settings.
    ///   - eventLoopGroup: Where the connection runs; the shared singleton group by default.
    /// - Throws: ``XMPPClientError`` (`invalidConfiguration`) for unusable services or settings.
    public init(configuration: Configuration, eventLoopGroup: (any EventLoopGroup)? = nil) throws {
        guard configuration.security != .startTLS else {
            throw XMPPClientError(
                .invalidConfiguration, "XEP-0114 has no STARTTLS: use plaintext on loopback or direct TLS")
        }
        self.configuration = configuration
        self.group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        self.core = EndpointCore(
            logger: configuration.logger, clock: configuration.clock, requestTimeout: configuration.requestTimeout)
        try core.start(configuration.services, on: self)
    }

    /// Connects and performs the handshake.
    ///
    /// - Throws: ``XMPPClientError``: `invalidConfiguration` for plaintext beyond loopback, `authenticationFailed`
    ///   when the server refuses the secret, or what connecting throws.
    public func connect() async throws {
        guard core.channel == nil else {
            throw XMPPClientError(.invalidConfiguration, "already connected; close() first")
        }
        let configuration = configuration
        if configuration.security == .insecurePlaintext && !configuration.allowPlaintextBeyondLoopback
            && !Self.isLoopback(configuration.host)
        {
            throw XMPPClientError(
                .invalidConfiguration,
                "refusing a plaintext component connection to \(configuration.host), which is not a loopback address")
        }
        let tls: TLSConfiguration? =
            configuration.security == .directTLS
            ? .directTLS(
                domain: configuration.host,
                trustRoots: {
                    switch configuration.trust {
                    case .system: .systemDefault
                    case .caFile(let path): .caFile(path)
                    }
                }()) : nil
        let batches = StanzaBatches()
        let (channel, jid, mechanism) = try await core.open(
            transport: TCPTransport(host: configuration.host, port: configuration.port, directTLS: tls),
            negotiation: ComponentNegotiation(
                domain: configuration.domain, secret: configuration.secret, security: configuration.security),
            tlsConfiguration: tls, timeouts: (configuration.connectTimeout, configuration.negotiationTimeout),
            wireLoggers: (configuration.wireInboundLogger, configuration.wireOutboundLogger),
            parserConfiguration: configuration.parserConfiguration, group: group, sink: batches)
        await core.established(
            channel: channel, localJID: jid, mechanism: mechanism.rawValue, batches: batches, endpoint: self)
    }

    /// Closes the stream gracefully and the connection, and cancels scheduled work.
    public func close() async {
        await core.close()
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

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
