import Logging
import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix
import SASL
public import XMPPCore
import XMPPStream
import XMPPTLS

/// An XMPP client connection: connect, send and receive stanzas, make IQ requests, close.
///
/// ```swift
/// var configuration = XMPPClient.Configuration(jid: JID("juliet@example.com")!, password: password)
/// let client = XMPPClient(configuration: configuration)
/// try await client.connect()
/// try await client.send(Message(to: JID("romeo@example.net"), type: .chat, bodies: [.init(value: "Hi")]))
/// for await stanza in client.stanzas { ... }
/// ```
///
/// First cut: one connection, no reconnection or stream management yet; see the README.
public final class XMPPClient: Sendable {
    /// The settings.
    public let configuration: Configuration
    /// Every inbound stanza that is not the reply to a request, in order.
    public let stanzas: Stanzas
    /// What happens to the connection.
    public let events: AsyncStream<Event>

    private let stanzaSink: AsyncStream<[XMLElement]>.Continuation
    private let eventSink: AsyncStream<Event>.Continuation
    private let state = NIOLockedValueBox(State())
    private let group: any EventLoopGroup

    private struct State {
        var channel: (any Channel)?
        var boundJID: JID?
        var nextID = 0
        var closing = false
    }

    /// Creates a client; nothing happens until ``connect()``.
    ///
    /// - Parameters:
    ///   - configuration: The settings.
    ///   - eventLoopGroup: Where the connection runs; the shared singleton group by default.
    public init(configuration: Configuration, eventLoopGroup: (any EventLoopGroup)? = nil) {
        self.configuration = configuration
        self.group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        let (batches, sink) = AsyncStream.makeStream(of: [XMLElement].self)
        (stanzas, stanzaSink) = (Stanzas(batches: batches), sink)
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
    }

    /// The full JID the server bound, once connected.
    public var boundJID: JID? { state.withLockedValue { $0.boundJID } }

    /// Connects, secures the stream, authenticates and binds a resource.
    ///
    /// - Throws: ``XMPPClientError`` saying what failed: connecting, TLS (with the reason), authentication, binding,
    ///   a timeout.
    public func connect() async throws {
        let host = configuration.host ?? configuration.jid.domainpart
        let port = configuration.port ?? (configuration.security == .directTLS ? 5223 : 5222)
        let credentials = SASLCredentials.password(
            username: configuration.jid.localpart ?? "", password: configuration.password)
        let settings = ClientNegotiation.Settings(
            jid: configuration.jid, credentials: credentials, security: configuration.security,
            mechanismSelector: configuration.mechanismSelector)
        let tlsConfiguration = configuration.tlsConfiguration
        let configuration = self.configuration
        let sink = stanzaSink
        // Made before the channel exists, so that a negotiation that fails at once (and tears the pipeline down)
        // still reports through it.
        let established = group.any().makePromise(of: (JID, SASLMechanismName).self)
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(configuration.connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let mask = NIOLockedValueBox(false)
                    let operations = channel.pipeline.syncOperations
                    if configuration.security == .directTLS, let tlsConfiguration {
                        try operations.addHandler(TLSClientHandler(configuration: tlsConfiguration))
                    }
                    try operations.addHandler(
                        WireLogHandler(
                            inbound: configuration.wireInboundLogger, outbound: configuration.wireOutboundLogger,
                            masked: mask))
                    try operations.addHandler(
                        XMPPStreamHandler(
                            settings: settings, tlsConfiguration: tlsConfiguration, established: established,
                            negotiationTimeout: configuration.negotiationTimeout, wireMask: mask))
                    try operations.addHandler(StanzaRouter(sink: sink))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            established.fail(XMPPClientError(.connectFailed, "\(error)"))
            throw XMPPClientError(.connectFailed, "cannot connect to \(host):\(port): \(error)")
        }
        eventSink.yield(.connected(host: host, port: port))
        configuration.logger.debug("connected", metadata: ["host": "\(host)", "port": "\(port)"])
        let (jid, mechanism): (JID, SASLMechanismName)
        do {
            (jid, mechanism) = try await established.futureResult.get()
        } catch let error as XMPPClientError {
            try? await channel.closeFuture.get()
            throw error
        } catch {
            throw XMPPClientError(.connectFailed, "\(error)")
        }
        state.withLockedValue {
            $0.channel = channel
            $0.boundJID = jid
        }
        configuration.logger.info(
            "bound", metadata: ["xmpp.jid": "\(jid)", "mechanism": "\(mechanism.rawValue)"])
        eventSink.yield(.bound(jid, mechanism: mechanism.rawValue))
        let events = eventSink
        let stanzas = stanzaSink
        let client = self
        channel.closeFuture.whenComplete { result in
            let closing = client.state.withLockedValue { $0.closing }
            switch result {
            case .success: events.yield(.disconnected(reason: closing ? nil : "the connection closed"))
            case .failure(let error): events.yield(.disconnected(reason: "\(error)"))
            }
            stanzas.finish()
            events.finish()
        }
    }

    /// Sends a stanza or any other element.
    ///
    /// - Parameter element: The element.
    /// - Throws: ``XMPPClientError`` when not connected.
    public func send(_ element: XMLElement) async throws {
        guard let channel = state.withLockedValue({ $0.channel }) else {
            throw XMPPClientError(.connectionClosed, "not connected")
        }
        try await channel.writeAndFlush(element)
    }

    /// Sends a generated stanza or payload type.
    ///
    /// - Parameter value: The value.
    public func send(_ value: some XMLElementCodable) async throws {
        try await send(value.xmlElement())
    }

    /// Sends an IQ request and waits for its reply, matched by id and sender.
    ///
    /// A reply from anyone but the addressee (or the account's server for IQs without `to`) is not taken for the
    /// reply. An `error` reply throws the stanza error.
    ///
    /// - Parameters:
    ///   - iq: A `get` or `set`; an id is assigned when it has none.
    ///   - timeout: How long to wait; the configuration's `requestTimeout` when `nil`.
    /// - Returns: The `result`.
    /// - Throws: ``StanzaErrorReply`` for an error reply, ``XMPPClientError`` for a timeout or a closed connection.
    public func request(_ iq: IQ, timeout: Duration? = nil) async throws -> IQ {
        guard let channel = state.withLockedValue({ $0.channel }) else {
            throw XMPPClientError(.connectionClosed, "not connected")
        }
        var iq = iq
        if iq.id.isEmpty {
            iq.id = state.withLockedValue {
                $0.nextID += 1
                return "q\($0.nextID)"
            }
        }
        let bound = boundJID
        let expected: [JID?] =
            if let to = iq.to { [to] } else { [nil, bound?.bare, bound.flatMap { try? JID(parsing: $0.domainpart) }] }
        let promise = channel.eventLoop.makePromise(of: XMLElement.self)
        let id = iq.id
        try await channel.pipeline.handler(type: StanzaRouter.self).flatMapThrowing { router in
            router.expect(id: id, from: expected, promise: promise)
        }.get()
        let wait = timeout ?? configuration.requestTimeout
        let timer = channel.eventLoop.scheduleTask(
            in: .nanoseconds(
                Int64(wait.components.seconds) * 1_000_000_000 + Int64(wait.components.attoseconds / 1_000_000_000))
        ) {
            promise.fail(XMPPClientError(.timeout, "no reply to iq '\(id)' within \(wait)"))
        }
        try await channel.writeAndFlush(iq.xmlElement())
        let reply: XMLElement
        do {
            reply = try await promise.futureResult.get()
            timer.cancel()
        } catch {
            timer.cancel()
            throw error
        }
        let answer = try IQ(xml: reply)
        if answer.type == .error {
            throw StanzaErrorReply(iq: answer)
        }
        return answer
    }

    /// Closes the stream gracefully (`</stream:stream>`, then a bounded wait for the server's) and the connection.
    public func close() async {
        guard
            let channel = state.withLockedValue({ state -> (any Channel)? in
                state.closing = true
                return state.channel
            })
        else { return }
        try? await channel.close()
    }
}

extension XMPPClient {
    /// The inbound stanzas that are not replies to requests, in order.
    ///
    /// Stanzas arrive in batches (all those of one network read) and are handed out one by one, so a busy stream
    /// costs one task switch per read rather than per stanza.
    public struct Stanzas: AsyncSequence, Sendable {
        /// Each element is one stanza.
        public typealias Element = XMLElement
        let batches: AsyncStream<[XMLElement]>

        /// Iterates over the stanzas.
        public func makeAsyncIterator() -> Iterator {
            Iterator(batches: batches.makeAsyncIterator())
        }

        /// Hands out the stanzas of each batch in order.
        public struct Iterator: AsyncIteratorProtocol {
            var batches: AsyncStream<[XMLElement]>.Iterator
            var current: [XMLElement] = []
            var index = 0

            /// The next stanza, or `nil` once the connection has closed.
            public mutating func next() async -> XMLElement? {
                while index == current.count {
                    guard let batch = await batches.next() else { return nil }
                    current = batch
                    index = 0
                }
                defer { index += 1 }
                return current[index]
            }
        }
    }
}

/// An IQ request answered with an error: the stanza error as the server sent it.
public struct StanzaErrorReply: Error, CustomStringConvertible, Sendable {
    /// The `error` IQ.
    public let iq: IQ

    /// The condition, such as `service-unavailable`.
    public var condition: String {
        iq.error.map { "\($0.condition)" } ?? "unknown"
    }

    /// A readable form.
    public var description: String {
        "the request failed with a stanza error: \(condition)"
            + (iq.error?.text.map { " (\($0.value))" } ?? "")
    }
}

/// The last handler of a client pipeline: completes waiting IQ requests with their replies and passes every other
/// stanza to the client's inbound sequence.
final class StanzaRouter: ChannelInboundHandler {
    typealias InboundIn = XMLElement

    private struct Waiting {
        var from: [JID?]
        var promise: EventLoopPromise<XMLElement>
    }

    private let sink: AsyncStream<[XMLElement]>.Continuation
    /// The stanzas of the current read, handed over together when the read completes: one hop to the consumer's
    /// task per read instead of per stanza.
    private var batch: [XMLElement] = []
    private var waiting: [String: Waiting] = [:]

    init(sink: AsyncStream<[XMLElement]>.Continuation) {
        self.sink = sink
    }

    func expect(id: String, from: [JID?], promise: EventLoopPromise<XMLElement>) {
        waiting[id] = Waiting(from: from, promise: promise)
        promise.futureResult.assumeIsolated().whenComplete { [weak self] _ in
            self?.waiting[id] = nil
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let stanza = unwrapInboundIn(data)
        if stanza.name == IQ.qualifiedName, let type = stanza["type"], type == "result" || type == "error",
            let id = stanza["id"], let request = waiting[id]
        {
            let sender = stanza["from"].flatMap { try? JID(parsing: $0) }
            if request.from.contains(sender) {
                waiting[id] = nil
                request.promise.succeed(stanza)
                return
            }
        }
        batch.append(stanza)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !batch.isEmpty {
            sink.yield(batch)
            batch = []
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        for request in waiting.values {
            request.promise.fail(XMPPClientError(.connectionClosed, "the connection closed before the reply"))
        }
        waiting = [:]
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension StanzaRouter: Sendable {}
