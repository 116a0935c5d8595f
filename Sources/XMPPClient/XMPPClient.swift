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
/// One connection at a time. With stream management (on by default, when the server offers it) every stanza sent
/// is kept until the server acknowledges it; ``serve()`` reconnects after a lost connection with backoff
/// (``Configuration/reconnection``), resumes the stream when it can, sends again what the server had not received,
/// and reports what could not be delivered (``ConnectionEvent/reboundWithoutResumption(resent:undeliverable:)``).
public final class XMPPClient: XMPPEndpoint {
    /// The settings.
    public let configuration: Configuration
    /// The shared machinery; use the ``XMPPEndpoint`` methods.
    public let core: EndpointCore<XMPPClient>

    private let group: any EventLoopGroup
    private let features = NIOLockedValueBox<XMLElement?>(nil)
    private let authentication = NIOLockedValueBox<SASL2.Outcome?>(nil)
    /// Stream management's state across connections, when configured.
    private let session: StreamManagementSession?
    /// The supervisor's wait between attempts, cancelled by ``close()``.
    private let waiting = NIOLockedValueBox<Task<Void, any Error>?>(nil)

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
        if let settings = configuration.streamManagement {
            if let saved = configuration.restoredStreamManagement {
                do {
                    self.session = try StreamManagementSession(restoring: saved, settings: settings)
                } catch {
                    throw XMPPClientError(.invalidConfiguration, "the restored stream management state: \(error)")
                }
            } else {
                self.session = StreamManagementSession(settings: settings)
            }
        } else {
            self.session = nil
        }
        self.core = EndpointCore(
            logger: configuration.logger, clock: configuration.clock, requestTimeout: configuration.requestTimeout)
        try core.start(configuration.services, on: self)
    }

    /// The full JID the server bound, while connected.
    public var boundJID: JID? { core.localJID }

    /// The stream management state, to save and give back as ``Configuration/restoredStreamManagement`` after the
    /// process restarts; `nil` without stream management.
    public var streamManagementState: StreamManagementSession.SavedState? { session?.export() }

    /// How many stanzas sent the server has not acknowledged yet (0 without stream management).
    public var unacknowledgedCount: Int { session?.unacknowledgedCount ?? 0 }

    /// What SASL2 settled on the current connection (mechanism, Bind 2, FAST, what was enabled inline), when it
    /// authenticated with SASL2; also raised as an event of that type after each such login.
    public var sasl2Outcome: SASL2.Outcome? { core.channel == nil ? nil : authentication.withLockedValue { $0 } }

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
        // Resume the last stream if it was resumable; else what it left unacknowledged is handled after binding.
        let resumption = session?.resumption
        if let session, resumption == nil { session.resumptionFailed(handledByServer: nil) }
        session?.noteOutcome(nil)
        let account = configuration.jid.bare
        var token = await configuration.fastTokenStore?.token(for: account)
        for target in try await targets(resuming: resumption) {
            let batches = StanzaBatches()
            let opened: (channel: any Channel, jid: JID, mechanism: SASLMechanismName)
            do {
                do {
                    opened = try await open(target, resumption: resumption, token: token, batches: batches)
                } catch let error as XMPPClientError where error.code == .fastTokenRejected {
                    // XEP-0484 §5.1: forget the token and log in with the password, at once.
                    configuration.logger.notice(
                        "the server refused the FAST token; logging in with the password",
                        metadata: ["condition": "\(error.condition ?? "none")"])
                    await configuration.fastTokenStore?.removeToken(for: account)
                    token = nil
                    opened = try await open(target, resumption: resumption, token: nil, batches: batches)
                }
            } catch let error as XMPPClientError where error.code == .connectFailed {
                // RFC 6120 §3.2.1: a target that cannot be reached gives way to the next.
                configuration.logger.info("cannot connect", metadata: ["target": "\(target.transport)"])
                lastError = error
                continue
            }
            let (streamFeatures, outcome) =
                (try? await opened.channel.pipeline.handler(type: XMPPStreamHandler.self)
                    .map { ($0.streamFeatures, $0.sasl2Outcome) }.get()) ?? (nil, nil)
            features.withLockedValue { $0 = streamFeatures }
            authentication.withLockedValue { $0 = outcome }
            if let outcome {
                if let issued = outcome.issuedToken {
                    await configuration.fastTokenStore?.store(issued, for: account)
                }
                core.raise(outcome)
            }
            var resumed = false
            if case .resumed = session?.lastOutcome { resumed = true }
            if !resumed {
                // A new session: replies to requests of the old one will not come.
                core.failPendingRequests(
                    XMPPClientError(.connectionClosed, "the connection was lost and the stream could not be resumed"))
            }
            await core.established(
                channel: opened.channel, localJID: opened.jid, mechanism: opened.mechanism.rawValue, batches: batches,
                endpoint: self, resumed: resumed)
            if !resumed { await resendOrphans() }
            return
        }
        throw lastError ?? XMPPClientError(.connectFailed, "nowhere to connect to")
    }

    /// Opens one connection to a target and negotiates it.
    private func open(
        _ target: Target,
        resumption: StreamManagement.Resumption?,
        token: FASTToken?,
        batches: StanzaBatches
    ) async throws -> (channel: any Channel, jid: JID, mechanism: SASLMechanismName) {
        let configuration = configuration
        let security = target.security
        let carbonsInline = configuration.services.contains { ($0 as? CarbonsService)?.enablesOnConnect == true }
        let sasl2 =
            configuration.usesSASL2
            ? SASL2.Settings(
                userAgent: configuration.userAgent, bindTag: configuration.bindTag, enablesCarbons: carbonsInline,
                fastToken: token, requestsFASTToken: configuration.fastTokenStore != nil) : nil
        let settings = ClientNegotiation.Settings(
            jid: configuration.jid,
            credentials: .password(username: configuration.jid.localpart ?? "", password: configuration.password),
            security: security, mechanismSelector: configuration.mechanismSelector,
            streamManagement: configuration.streamManagement, resumption: resumption, sasl2: sasl2)
        return try await core.open(
            transport: target.transport, negotiation: ClientNegotiation(settings: settings),
            tlsConfiguration: configuration.tlsConfiguration(for: security),
            timeouts: (configuration.connectTimeout, configuration.negotiationTimeout),
            wireLoggers: (configuration.wireInboundLogger, configuration.wireOutboundLogger),
            parserConfiguration: configuration.parserConfiguration, group: group, sink: batches,
            streamManagement: session, liveness: configuration.liveness)
    }

    /// After a stream that could not be resumed: sends again what is safe to (``Resend``), fails the callers of the
    /// IQ requests among the rest, and reports both.
    private func resendOrphans() async {
        guard let orphans = session?.takeOrphans(), !orphans.isEmpty else { return }
        var resent: [XMLElement] = []
        var undeliverable: [XMLElement] = []
        for stanza in orphans {
            if Resend.isSafe(stanza) {
                do {
                    try await core.send(stanza)
                    resent.append(stanza)
                } catch {
                    undeliverable.append(stanza)
                }
            } else {
                undeliverable.append(stanza)
                if let id = stanza["id"], stanza["type"] == "get" || stanza["type"] == "set" {
                    core.failRequest(
                        id: id, XMPPClientError(.connectionClosed, "the request was lost with the connection"))
                }
            }
        }
        configuration.logger.notice(
            "the stream could not be resumed",
            metadata: ["resent": "\(resent.count)", "undeliverable": "\(undeliverable.count)"])
        core.raise(ConnectionEvent.reboundWithoutResumption(resent: resent, undeliverable: undeliverable))
    }

    /// Where to connect, in order: the configured host, or the domain's SRV targets, or the domain. To resume a
    /// stream whose server named a location, that location first (unless a host is configured, which always wins).
    private func targets(resuming resumption: StreamManagement.Resumption? = nil) async throws -> [Target] {
        let configuration = configuration
        let security = configuration.security
        var webSocket: WebSocketURL?
        switch configuration.transport {
        case .tcp: break
        case .bosh(let url):
            guard url.isSecure || security == .insecurePlaintext else {
                throw XMPPClientError(
                    .invalidConfiguration,
                    "\(url) carries no TLS: use https://, or security .insecurePlaintext for a loopback test server")
            }
            let tls = url.isSecure ? TLSConfiguration(domain: url.host, trustRoots: configuration.trustRoots) : nil
            let transport = BOSHTransport(url: url, domain: configuration.jid.domainpart, tls: tls)
            return [Target(transport, url.isSecure ? .directTLS : .insecurePlaintext)]
        case .webSocket(let url): webSocket = url
        case .discoveredWebSocket(let port):
            let meta = try await HostMeta.lookUp(
                domain: configuration.jid.domainpart, port: port, trustRoots: configuration.trustRoots, group: group,
                timeout: configuration.connectTimeout)
            guard let url = meta.webSocketURLs.first else {
                throw XMPPClientError(
                    .connectFailed, "the host-meta of \(configuration.jid.domainpart) lists no wss:// endpoint")
            }
            configuration.logger.debug("host-meta", metadata: ["webSocket": "\(url)"])
            webSocket = url
        }
        if let url = webSocket {
            guard url.isSecure || security == .insecurePlaintext else {
                throw XMPPClientError(
                    .invalidConfiguration,
                    "\(url) carries no TLS: use wss://, or security .insecurePlaintext for a loopback test server")
            }
            let tls = url.isSecure ? TLSConfiguration(domain: url.host, trustRoots: configuration.trustRoots) : nil
            return [Target(WebSocketTransport(url: url, tls: tls), url.isSecure ? .directTLS : .insecurePlaintext)]
        }
        let defaultPort = security == .directTLS ? 5223 : 5222
        if let host = configuration.host {
            return [Target(host: host, port: configuration.port ?? defaultPort, security, configuration)]
        }
        if let location = resumption?.location.flatMap({ Self.hostAndPort($0, defaultPort: defaultPort) }) {
            return [Target(host: location.host, port: location.port, security, configuration)]
                + (try await discoveredTargets())
        }
        return try await discoveredTargets()
    }

    /// Somewhere to connect, and how the negotiation secures it.
    struct Target {
        var transport: any XMPPTransport
        var security: ClientNegotiation.TransportSecurity

        init(_ transport: any XMPPTransport, _ security: ClientNegotiation.TransportSecurity) {
            self.transport = transport
            self.security = security
        }

        /// A TCP target: TLS from the first byte with direct TLS.
        init(host: String, port: Int, _ security: ClientNegotiation.TransportSecurity, _ configuration: Configuration) {
            let tls = security == .directTLS ? configuration.tlsConfiguration(for: .directTLS) : nil
            self.init(TCPTransport(host: host, port: port, directTLS: tls), security)
        }
    }

    /// `host`, `host:port` or `[v6]:port`, as XEP-0198's `location` gives it.
    static func hostAndPort(_ text: String, defaultPort: Int) -> (host: String, port: Int)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host, defaultPort) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port) else { return nil }
            return (host, port)
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return text.isEmpty ? nil : (text, defaultPort)
        case 2:
            guard !parts[0].isEmpty, let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
            return (String(parts[0]), port)
        default: return nil
        }
    }

    private func discoveredTargets() async throws -> [Target] {
        let configuration = configuration
        let security = configuration.security
        let defaultPort = security == .directTLS ? 5223 : 5222
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
        let usable = found.compactMap { target -> Target? in
            switch (target.isDirectTLS, security) {
            case (true, .insecurePlaintext), (false, .directTLS): nil
            case (true, _): Target(host: target.host, port: target.port, .directTLS, configuration)
            case (false, _): Target(host: target.host, port: target.port, security, configuration)
            }
        }
        if usable.isEmpty {
            return [Target(host: domain, port: configuration.port ?? defaultPort, security, configuration)]
        }
        return usable
    }

    /// Closes the stream gracefully (`</stream:stream>`, then a bounded wait for the server's) and the connection,
    /// and cancels scheduled work. Unavailable presence is implied by the close (RFC 6121 §4.6).
    ///
    /// With stream management, it first asks the server to acknowledge what it has not yet (`<r/>`) and waits for the
    /// answer, up to `acknowledgementTimeout`; what is still unacknowledged then is returned, not dropped unseen.
    ///
    /// - Parameter acknowledgementTimeout: How long to wait for the server's last `<a/>`.
    /// - Returns: The stanzas the server did not acknowledge before the stream closed (the server may have handled
    ///   them or not: it did not say); empty without stream management.
    @discardableResult
    public func close(acknowledgementTimeout: Duration = .seconds(2)) async -> [XMLElement] {
        waiting.withLockedValue { $0 }?.cancel()
        if let session, let channel = core.channel, session.unacknowledgedCount > 0,
            session.withState({ $0.isEnabled })
        {
            session.withState { $0.requested() }
            try? await channel.writeAndFlush(StreamManagement.requestElement)
            let deadline = ContinuousClock.now + acknowledgementTimeout
            while session.unacknowledgedCount > 0, core.channel != nil, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        await core.close()
        // The stream ended on the server too: nothing is left to resume.
        let unacknowledged = session?.end() ?? []
        if !unacknowledged.isEmpty {
            configuration.logger.notice(
                "closed with stanzas the server had not acknowledged", metadata: ["count": "\(unacknowledged.count)"])
        }
        return unacknowledged
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

    /// Connects and serves until ``close()`` or cancellation, reconnecting after every lost connection as
    /// ``Configuration/reconnection`` says; cancelled, it closes the stream cleanly and returns.
    ///
    /// Between connections it waits the policy's delay (``ConnectionEvent/reconnecting(attempt:delay:)``), then
    /// resumes the stream (``ConnectionEvent/resumed(_:)``) or binds anew and reports what could not be sent again
    /// (``ConnectionEvent/reboundWithoutResumption(resent:undeliverable:)``). Meanwhile ``send(_:)`` queues and
    /// requests wait for their replies. Failures that another attempt would repeat are thrown at once
    /// (``ReconnectionPolicy/isFatal(_:)``). With ``ReconnectionPolicy/never``, it serves one connection.
    ///
    /// In a swift-service-lifecycle `ServiceGroup`, import `XMPPServiceLifecycle`: its `run()` is this method with
    /// graceful shutdown as the cancellation.
    ///
    /// - Throws: A fatal failure (a wrong password, a certificate that does not verify, a `conflict`...), or the last
    ///   failure once ``ReconnectionPolicy/maximumAttempts`` attempts in a row have failed. Stanzas the server had not
    ///   acknowledged by then stay counted in ``unacknowledgedCount`` and in ``streamManagementState``.
    public func serve() async throws {
        let policy = configuration.reconnection
        guard policy.isEnabled else {
            try await core.serve(connecting: connect)
            return
        }
        let core = self.core
        core.hold(session)
        core.beginServing()
        defer {
            core.hold(nil)
            core.failPendingRequests()
            core.raise(ServingEnded())
        }
        var attempt = 0
        while !Task.isCancelled && !core.isClosing {
            do {
                try await connect()
                attempt = 0
            } catch {
                if Task.isCancelled || core.isClosing { return }
                attempt += 1
                if ReconnectionPolicy.isFatal(error) || policy.maximumAttempts.map({ attempt > $0 }) == true {
                    throw error
                }
                guard try await pause(before: attempt, policy: policy) else { return }
                continue
            }
            do {
                try await core.runUntilClosed()
                return
            } catch {
                let reason = core.connectionError ?? error
                if ReconnectionPolicy.isFatal(reason) { throw reason }
                attempt = 1
                guard try await pause(before: attempt, policy: policy) else { return }
            }
        }
    }

    /// Waits the backoff delay before an attempt, on the configured clock; `false` when closed or cancelled meanwhile.
    private func pause(before attempt: Int, policy: ReconnectionPolicy) async throws -> Bool {
        let delay = policy.delay(attempt: attempt)
        configuration.logger.info("reconnecting", metadata: ["attempt": "\(attempt)", "delay": "\(delay)"])
        core.raise(ConnectionEvent.reconnecting(attempt: attempt, delay: delay))
        let clock = configuration.clock
        let task = Task { try await clock.sleep(for: delay) }
        waiting.withLockedValue { $0 = task }
        defer { waiting.withLockedValue { $0 = nil } }
        if core.isClosing { task.cancel() }
        do {
            try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        } catch {
            return false
        }
        return !Task.isCancelled && !core.isClosing
    }

    func setEstablished(features streamFeatures: XMLElement?) {
        features.withLockedValue { $0 = streamFeatures }
    }
}
