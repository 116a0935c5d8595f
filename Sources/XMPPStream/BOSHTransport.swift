import NIOConcurrencyHelpers
public import NIOCore
public import XMPPTLS

/// A BOSH connection manager's URL (XEP-0124 §1): `https://host[:port]/path`, or `http://` for plaintext on
/// loopback.
public struct BOSHURL: Sendable, Hashable, CustomStringConvertible {
    /// Whether requests use TLS (`https`).
    public var isSecure: Bool
    /// The host, without brackets for an IPv6 literal.
    public var host: String
    /// The port: the URL's, else 443 for `https` and 80 for `http`.
    public var port: Int
    /// The request target: the path and query, `/` when the URL has none.
    public var resource: String

    /// Parses a URL.
    ///
    /// - Parameter string: An `https://` or `http://` URL without user information or a fragment.
    /// - Returns: `nil` when the string is not such a URL.
    public init?(_ string: String) {
        let lowered = string.lowercased()
        let parsed: WebSocketURL?
        if lowered.hasPrefix("https://") {
            parsed = WebSocketURL("wss://" + string.dropFirst(8))
        } else if lowered.hasPrefix("http://") {
            parsed = WebSocketURL("ws://" + string.dropFirst(7))
        } else {
            parsed = nil
        }
        guard let parsed else { return nil }
        (isSecure, host, port, resource) = (parsed.isSecure, parsed.host, parsed.port, parsed.resource)
    }

    /// The value of the `Host` header.
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (isSecure ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// The URL.
    public var description: String { "\(isSecure ? "https" : "http")://\(hostHeader)\(resource)" }
}

/// A stream over BOSH (XEP-0124 1.11.2, XEP-0206 1.4): HTTP requests to a connection manager, each carrying the
/// elements written since the last one in a `<body/>` wrapper, and one request always held by the server so that it
/// can answer with what arrives for us.
///
/// The stream runs on a channel of its own (no socket): the HTTP requests go over up to
/// ``requests`` keep-alive connections, each through ``TLSClientHandler`` for `https://`. Every request has a
/// `rid` one above the last; answers are handled in `rid` order; a request whose connection fails or times out is
/// sent again, with the same `rid` and the same content, on a new connection, up to ``attempts`` times, so the
/// session survives a dropped connection. The stream's restart is a `xmpp:restart='true'` request, its close a
/// `type='terminate'` one. The negotiation sees a secure stream without channel bindings (BOSH has none: each
/// request may use another TLS connection).
public struct BOSHTransport: XMPPTransport {
    /// The connection manager.
    public var url: BOSHURL
    /// The XMPP domain (the session's `to`).
    public var domain: String
    /// TLS for `https://`; its domain should be the URL's host.
    public var tls: TLSConfiguration?
    /// The longest the server may hold a request, in seconds (`wait`).
    public var wait: Int
    /// How often a failed request is sent before the session is given up.
    public var attempts: Int

    /// Creates the transport.
    ///
    /// - Parameters:
    ///   - url: The connection manager.
    ///   - domain: The XMPP domain.
    ///   - tls: TLS for `https://`.
    ///   - wait: The longest the server may hold a request; 30 s by default.
    ///   - attempts: How often a request is sent before the session fails; 3 by default.
    public init(url: BOSHURL, domain: String, tls: TLSConfiguration?, wait: Int = 30, attempts: Int = 3) {
        self.url = url
        self.domain = domain
        self.tls = tls
        self.wait = wait
        self.attempts = attempts
    }

    /// The URL's host.
    public var host: String { url.host }
    /// The URL's port.
    public var port: Int { url.port }
    /// One element at a time: the transport wraps them in bodies.
    public var framing: XMPPStreamHandler.Framing { .elementPerMessage }
    /// The URL.
    public var description: String { url.description }
    /// At most two requests at once (`hold` 1), fewer if the server says so.
    public var requests: Int { 2 }

    /// Creates the session's channel and adds the stream's handlers; the first request goes out when the stream
    /// opens.
    public func connect(
        group: any EventLoopGroup,
        timeout: TimeAmount,
        ready: @escaping @Sendable (any Channel) throws -> Void,
        failed: @escaping @Sendable (any Error) -> Void
    ) async throws -> any Channel {
        if url.isSecure, tls == nil {
            throw XMPPClientError(.invalidConfiguration, "https:// needs a TLS configuration")
        }
        let loop = group.any()
        let transport = self
        return try await loop.submit {
            let channel = BOSHChannel(eventLoop: loop, transport: transport, connectTimeout: timeout)
            try ready(channel)
            channel.activate()
            return channel as any Channel
        }.get()
    }
}

/// The channel a BOSH stream runs on: its pipeline is the stream's (wire log, stream handler, router), its writes
/// go to the ``BOSHSession``, and what the session receives is read into the pipeline. It has no socket and no
/// address. Everything happens on its event loop.
final class BOSHChannel: Channel, ChannelCore, @unchecked Sendable {
    let eventLoop: any EventLoop
    let allocator = ByteBufferAllocator()
    private let closePromise: EventLoopPromise<Void>
    private var _pipeline: ChannelPipeline!
    private var session: BOSHSession!
    private let active = NIOLockedValueBox(false)
    private var isOpen = true

    init(eventLoop: any EventLoop, transport: BOSHTransport, connectTimeout: TimeAmount) {
        self.eventLoop = eventLoop
        self.closePromise = eventLoop.makePromise()
        self._pipeline = ChannelPipeline(channel: self)
        self.session = BOSHSession(channel: self, transport: transport, connectTimeout: connectTimeout)
    }

    var pipeline: ChannelPipeline { _pipeline }
    var closeFuture: EventLoopFuture<Void> { closePromise.futureResult }
    var localAddress: SocketAddress? { nil }
    var remoteAddress: SocketAddress? { nil }
    var parent: (any Channel)? { nil }
    var isWritable: Bool { true }
    var isActive: Bool { active.withLockedValue { $0 } }
    var _channelCore: any ChannelCore { self }

    func setOption<Option: ChannelOption>(_ option: Option, value: Option.Value) -> EventLoopFuture<Void> {
        eventLoop.makeSucceededVoidFuture()
    }

    func getOption<Option: ChannelOption>(_ option: Option) -> EventLoopFuture<Option.Value> {
        eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
    }

    /// Registered and active: the stream handler opens the stream (at once, or when the session reports TLS).
    func activate() {
        pipeline.syncOperations.fireChannelRegistered()
        active.withLockedValue { $0 = true }
        pipeline.syncOperations.fireChannelActive()
        session.start()
    }

    // MARK: - What the session reports

    /// Bytes for the stream handler: one element, or a framing element standing for the stream's header or footer.
    func deliver(_ buffer: ByteBuffer) {
        guard isOpen else { return }
        pipeline.syncOperations.fireChannelRead(NIOAny(buffer))
    }

    func deliveredAll() {
        guard isOpen else { return }
        pipeline.syncOperations.fireChannelReadComplete()
    }

    func fireEvent(_ event: Any) {
        guard isOpen else { return }
        pipeline.syncOperations.fireUserInboundEventTriggered(event)
    }

    /// The session failed: the error goes up the pipeline, then the channel closes.
    func fail(_ error: any Error) {
        guard isOpen else { return }
        pipeline.syncOperations.fireErrorCaught(error)
        close0(error: error, mode: .all, promise: nil)
    }

    // MARK: - ChannelCore

    func localAddress0() throws -> SocketAddress { throw ChannelError.operationUnsupported }
    func remoteAddress0() throws -> SocketAddress { throw ChannelError.operationUnsupported }
    func register0(promise: EventLoopPromise<Void>?) { promise?.succeed() }
    func registerAlreadyConfigured0(promise: EventLoopPromise<Void>?) { promise?.succeed() }
    func bind0(to: SocketAddress, promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }
    func connect0(to: SocketAddress, promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    func write0(_ data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard isOpen else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        session.enqueue(unwrapData(data, as: ByteBuffer.self))
        // Queued for the next request: from here, delivery is the session's (and stream management's) to report.
        promise?.succeed()
    }

    func flush0() { session.pump() }
    func read0() {}

    func close0(error: any Error, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard isOpen else {
            promise?.fail(ChannelError.alreadyClosed)
            return
        }
        isOpen = false
        active.withLockedValue { $0 = false }
        session.shutDown()
        promise?.succeed()
        pipeline.syncOperations.fireChannelInactive()
        pipeline.syncOperations.fireChannelUnregistered()
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.execute {
            let channel = loopBound.value
            channel.removeHandlers(pipeline: channel.pipeline)
            channel.closePromise.succeed()
        }
    }

    func triggerUserOutboundEvent0(_ event: Any, promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    func channelRead0(_ data: NIOAny) {}
    func errorCaught0(error: any Error) {}
}
