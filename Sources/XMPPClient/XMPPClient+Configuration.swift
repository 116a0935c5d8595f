public import Logging
public import NIOCore
public import SASL
public import XMPPCore
public import XMPPStream
import XMPPTLS

extension XMPPClient {
    /// Every setting of a client, with secure defaults.
    public struct Configuration: Sendable {
        /// How the client reaches its server.
        public enum Transport: Sendable, Hashable {
            /// A TCP connection to ``Configuration/host`` and ``Configuration/port``, or to the domain's SRV
            /// targets (RFC 6120 §3.2), with STARTTLS or direct TLS as ``Configuration/security`` says.
            case tcp
            /// A WebSocket connection (RFC 7395) to the URL: `wss://`, with the certificate verified for the URL's
            /// host against ``Configuration/trust``. A `ws://` URL is refused unless ``Configuration/security`` is
            /// ``ClientNegotiation/TransportSecurity/insecurePlaintext`` (loopback tests).
            case webSocket(WebSocketURL)
            /// A WebSocket connection to the first `wss://` endpoint the domain's host-meta lists (XEP-0156),
            /// fetched from `https://domain:port/.well-known/host-meta` (else `host-meta.json`) with the certificate
            /// verified for the domain; the endpoint's certificate is then verified for its own host.
            case discoveredWebSocket(httpsPort: Int = 443)
            /// BOSH (XEP-0124, XEP-0206) with the connection manager at the URL: `https://`, verified for the
            /// URL's host; `http://` only with ``Configuration/security`` set to
            /// ``ClientNegotiation/TransportSecurity/insecurePlaintext``.
            case bosh(BOSHURL)
        }

        /// Where the certificates that may sign the server's certificate come from.
        public enum Trust: Sendable, Hashable {
            /// The system's trust store. The default.
            case system
            /// The CA certificates in a PEM file (for a private server's self-signed certificate).
            case caFile(String)
        }

        /// The account. With a resource, that resource is asked for at bind time; without, the server picks one.
        public var jid: JID
        /// The password, given to SASL only. Never logged.
        public var password: String
        /// The host to connect to. When `nil`, the domain's SRV records say where (`_xmpps-client` for direct TLS and
        /// `_xmpp-client`, RFC 6120 §3.2.1 and XEP-0368), tried in order; without records, the JID's domain. TLS
        /// always verifies the JID's domain, never the SRV target.
        public var host: String?
        /// The port; 5222, or 5223 with direct TLS, when `nil`.
        public var port: Int?
        /// The DNS server for SRV lookups; the system's resolver configuration when `nil`.
        public var dnsServer: SRVResolver.Nameserver?
        /// How the connection is protected: STARTTLS required (default), direct TLS, or (tests only) plaintext.
        public var security: ClientNegotiation.TransportSecurity
        /// How to reach the server: TCP (``host`` and ``port``, else the domain's SRV records), the default, or
        /// WebSocket (RFC 7395) at a URL.
        public var transport: Transport
        /// Whose certificates are trusted.
        public var trust: Trust
        /// Which SASL mechanisms may be chosen (PLAIN never without TLS unless its insecure switch is set; set
        /// ``SASLMechanismSelector/requiresChannelBinding`` to accept only mechanisms bound to the TLS channel).
        public var mechanismSelector: SASLMechanismSelector
        /// Authenticate with SASL2 (XEP-0388) when the server offers it after TLS: Bind 2 (XEP-0386) binds the
        /// resource and enables stream management and carbons in the same exchange, and FAST (XEP-0484) tokens log
        /// in next time in one round trip without the password. On by default; RFC 6120 SASL otherwise, and also
        /// when only RFC 6120 SASL can bind to the channel.
        public var usesSASL2: Bool
        /// Who is connecting, for SASL2: give a stable UUID v4 for the installation (the server keys FAST tokens and
        /// stable resources to it); a random one per configuration by default. Clients of one account connected at
        /// the same time need different ids: a server may bind the same resource for the same id, and end the
        /// earlier session (XEP-0386 §3).
        public var userAgent: SASL2.UserAgent
        /// The Bind 2 tag: the prefix of the resource the server assigns when ``jid`` has no resource (it is
        /// visible to contacts). `swift-xmpp` by default.
        public var bindTag: String
        /// Where FAST tokens are kept between logins; in memory by default (reconnections then log in without the
        /// password). `nil` asks for no token.
        public var fastTokenStore: (any FASTTokenStore)?
        /// How long connecting may take.
        public var connectTimeout: TimeAmount
        /// How long stream negotiation (TLS, SASL, bind) may take.
        public var negotiationTimeout: TimeAmount
        /// How long ``XMPPClient/request(_:timeout:)`` waits for a reply by default.
        public var requestTimeout: Duration
        /// Lifecycle messages (`xmpp.client`).
        public var logger: Logger
        /// The XML console: raw XML received, at trace level (`xmpp.wire.inbound`).
        public var wireInboundLogger: Logger
        /// The XML console: raw XML sent, at trace level (`xmpp.wire.outbound`).
        public var wireOutboundLogger: Logger
        /// Limits on what the server may send: stanza size, depth, attributes, name lengths (RFC 6120 §13.12).
        public var parserConfiguration: XMLStreamParser.Configuration
        /// The services, in any order: the client orders them by their dependencies. Disco and ping by default.
        public var services: [any XMPPService]
        /// The clock for scheduled work and event timeouts (a test clock in tests).
        public var clock: any Clock<Duration>
        /// Stream management (XEP-0198): acknowledgements, and resumption after a lost connection. On by default (used
        /// when the server offers it); `nil` for none.
        public var streamManagement: StreamManagement.Settings?
        /// A stream management state saved by an earlier process (``XMPPClient/streamManagementState``), to resume its
        /// stream on the first connection.
        public var restoredStreamManagement: StreamManagementSession.SavedState?
        /// When ``XMPPClient/serve()`` reconnects after losing its connection. On by default.
        public var reconnection: ReconnectionPolicy
        /// Whitespace keepalive and dead-peer detection: a space after 60 s without writing, a probe after 90 s without
        /// reading (an `<r/>`, or a ping without stream management), the connection closed as dead when the probe
        /// goes unanswered for 30 s.
        public var liveness: XMPPStreamHandler.Liveness

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - jid: The account.
        ///   - password: The password.
        public init(jid: JID, password: String) {
            self.jid = jid
            self.password = password
            self.host = nil
            self.port = nil
            self.dnsServer = nil
            self.security = .startTLS
            self.trust = .system
            self.mechanismSelector = SASLMechanismSelector()
            self.usesSASL2 = true
            self.transport = .tcp
            self.userAgent = SASL2.UserAgent()
            self.bindTag = "swift-xmpp"
            self.fastTokenStore = InMemoryFASTTokenStore()
            self.connectTimeout = .seconds(10)
            self.negotiationTimeout = .seconds(30)
            self.requestTimeout = .seconds(30)
            self.logger = Logger(label: "xmpp.client")
            self.wireInboundLogger = Logger(label: "xmpp.wire.inbound")
            self.wireOutboundLogger = Logger(label: "xmpp.wire.outbound")
            self.parserConfiguration = .xmppStream
            self.services = [DiscoService(), PingService()]
            self.clock = ContinuousClock()
            self.streamManagement = StreamManagement.Settings()
            self.restoredStreamManagement = nil
            self.reconnection = ReconnectionPolicy()
            self.liveness = XMPPStreamHandler.Liveness()
        }

        var tlsConfiguration: TLSConfiguration? { tlsConfiguration(for: security) }

        var trustRoots: TLSConfiguration.TrustRoots {
            switch trust {
            case .system: .systemDefault
            case .caFile(let path): .caFile(path)
            }
        }

        func tlsConfiguration(for security: ClientNegotiation.TransportSecurity) -> TLSConfiguration? {
            let roots = trustRoots
            switch security {
            case .startTLS: return TLSConfiguration(domain: jid.domainpart, trustRoots: roots)
            case .directTLS: return .directTLS(domain: jid.domainpart, trustRoots: roots)
            case .insecurePlaintext: return nil
            }
        }
    }
}
