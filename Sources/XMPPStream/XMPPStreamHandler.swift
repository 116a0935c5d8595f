public import NIOConcurrencyHelpers
public import NIOCore
public import SASL
public import XMPPCore
public import XMPPTLS

/// One client XMPP stream on a channel: bytes ↔ stream events with ``XMLStreamParser``, negotiation driven by
/// ``ClientNegotiation``, then stanzas as ``XMLElement``s in both directions.
///
/// Inbound it reads `ByteBuffer`s and, once the stream is established, passes each stanza on as an `XMLElement`;
/// outbound it takes `XMLElement`s and writes their serialization. Bad input from the server (malformed or
/// hostile XML, limits) is answered with the matching stream error and closes the connection; a stream error
/// from the server closes it too, and both reach ``established`` or the channel's error as an
/// ``XMPPClientError``. A graceful close sends `</stream:stream>` and waits a bounded time for the server's; a close
/// by the server (its `</stream:stream>` or a stream error) is answered with ours. Our footer goes out once, and
/// nothing after it (RFC 6120 §4.4).
public final class XMPPStreamHandler: ChannelDuplexHandler {
    /// What the handler reads.
    public typealias InboundIn = ByteBuffer
    /// What the handler passes on inbound.
    public typealias InboundOut = XMLElement
    /// What the handler is given to write.
    public typealias OutboundIn = XMLElement
    /// What the handler writes.
    public typealias OutboundOut = ByteBuffer

    /// How the handler tells a live connection from a dead one: whitespace keepalive while idle, and a probe (an
    /// `<r/>` with stream management, else a XEP-0199 ping) when nothing has been read for a while, which must be
    /// answered in time or the connection is closed as dead. A half-open TCP connection is found this way.
    public struct Liveness: Sendable, Hashable {
        /// Send a single space after this long without writing anything (RFC 6120 §4.6.1); `nil` for never.
        public var whitespaceKeepalive: TimeAmount?
        /// Probe the server after this long without reading anything; `nil` for never.
        public var readIdleTimeout: TimeAmount?
        /// How long a probe may go unanswered (nothing read at all) before the connection counts as dead.
        public var probeTimeout: TimeAmount

        /// Creates settings; the defaults are a space after 60 s of silence, a probe after 90 s without input, and
        /// 30 s for its answer.
        public init(
            whitespaceKeepalive: TimeAmount? = .seconds(60),
            readIdleTimeout: TimeAmount? = .seconds(90),
            probeTimeout: TimeAmount = .seconds(30)
        ) {
            self.whitespaceKeepalive = whitespaceKeepalive
            self.readIdleTimeout = readIdleTimeout
            self.probeTimeout = probeTimeout
        }

        /// No keepalive and no probes.
        public static let off = Liveness(whitespaceKeepalive: nil, readIdleTimeout: nil)
    }

    /// Completed when negotiation ends: with the bound JID and the SASL mechanism used, or with the failure.
    public let established: EventLoopPromise<(JID, SASLMechanismName)>

    var negotiation: any StreamNegotiating
    /// How the transport carries the XML.
    let framing: Framing
    /// The stream's stanza namespace when it is not `jabber:client` (a component's), else `nil`.
    private let foreignNamespace: String?
    private let parser: XMLStreamParser
    private let tlsConfiguration: TLSConfiguration?
    private let negotiationTimeout: TimeAmount
    private let closeTimeout: TimeAmount
    private let wireMask: NIOLockedValueBox<Bool>?
    private var header: XMLStreamHeader?
    private var serializer = XMLSerializer()
    private var isEstablished = false
    /// Stanzas that came after binding and before the stream was established (``ClientNegotiation/Action/stanzaBeforeEstablished(_:)``).
    private var heldBeforeEstablished: [XMLElement] = []
    private var negotiationCompleted = false
    private var isStarted = false
    private var pendingRestart = false
    var footerSent = false
    private var timeout: Scheduled<Void>?
    var closePromise: EventLoopPromise<Void>?
    /// Stream management's state, kept across connections (`nil`: none asked for).
    let session: StreamManagementSession?
    /// Whether stream management is on for this stream.
    var isManaged = false
    /// Stanzas to send again once the stream is established (after `<resumed/>`).
    var resend: [XMLElement] = []
    private var ackTimer: Scheduled<Void>?
    let liveness: Liveness
    var lastRead = NIODeadline.uptimeNanoseconds(0)
    var lastWrite = NIODeadline.uptimeNanoseconds(0)
    var probeSent: NIODeadline?
    var probeID: String?
    var probeCount = 0
    var readIdleTimer: Scheduled<Void>?
    var keepaliveTimer: Scheduled<Void>?
    /// The connection is dead: closed without the graceful exchange.
    var abandoned = false

    /// Creates the handler.
    ///
    /// - Parameters:
    ///   - settings: The account and negotiation policy.
    ///   - tlsConfiguration: TLS settings for STARTTLS and direct TLS (`nil` only with insecure plaintext).
    ///   - established: Completed when negotiation ends.
    ///   - negotiationTimeout: How long negotiation may take.
    ///   - closeTimeout: How long a graceful close waits for the server's `</stream:stream>`.
    ///   - wireMask: The wire log's SASL switch, if a ``WireLogHandler`` is in the pipeline.
    ///   - parserConfiguration: The parser's limits.
    public convenience init(
        settings: ClientNegotiation.Settings,
        tlsConfiguration: TLSConfiguration?,
        established: EventLoopPromise<(JID, SASLMechanismName)>,
        negotiationTimeout: TimeAmount = .seconds(30),
        closeTimeout: TimeAmount = .seconds(3),
        wireMask: NIOLockedValueBox<Bool>? = nil,
        parserConfiguration: XMLStreamParser.Configuration = .xmppStream,
        streamManagement: StreamManagementSession? = nil,
        liveness: Liveness = .off,
        framing: Framing = .xmlStream
    ) {
        self.init(
            negotiation: ClientNegotiation(settings: settings), tlsConfiguration: tlsConfiguration,
            established: established, negotiationTimeout: negotiationTimeout, closeTimeout: closeTimeout,
            wireMask: wireMask, parserConfiguration: parserConfiguration, streamManagement: streamManagement,
            liveness: liveness, framing: framing)
    }

    /// Creates the handler for any negotiation, such as a component's ``ComponentNegotiation``.
    ///
    /// - Parameters:
    ///   - negotiation: The negotiation's state machine.
    ///   - tlsConfiguration: TLS settings for STARTTLS (`nil` when the negotiation never starts TLS).
    ///   - established: Completed when negotiation ends.
    ///   - negotiationTimeout: How long negotiation may take.
    ///   - closeTimeout: How long a graceful close waits for the server's `</stream:stream>`.
    ///   - wireMask: The wire log's masking switch, if a ``WireLogHandler`` is in the pipeline.
    ///   - parserConfiguration: The parser's limits.
    ///   - streamManagement: Where stream management keeps its state between connections, when the negotiation
    ///     enables or resumes it.
    ///   - liveness: Keepalive and dead-peer detection once established.
    ///   - framing: How the transport carries the XML: one document (TCP), or one element per message (WebSocket).
    public init(
        negotiation: some StreamNegotiating,
        tlsConfiguration: TLSConfiguration?,
        established: EventLoopPromise<(JID, SASLMechanismName)>,
        negotiationTimeout: TimeAmount = .seconds(30),
        closeTimeout: TimeAmount = .seconds(3),
        wireMask: NIOLockedValueBox<Bool>? = nil,
        parserConfiguration: XMLStreamParser.Configuration = .xmppStream,
        streamManagement: StreamManagementSession? = nil,
        liveness: Liveness = .off,
        framing: Framing = .xmlStream
    ) {
        self.framing = framing
        self.session = streamManagement
        self.liveness = liveness
        self.negotiation = negotiation
        self.foreignNamespace =
            negotiation.stanzaNamespace == JabberClient.namespace ? nil : negotiation.stanzaNamespace
        self.parser = XMLStreamParser(configuration: parserConfiguration)
        self.tlsConfiguration = tlsConfiguration
        self.established = established
        self.negotiationTimeout = negotiationTimeout
        self.closeTimeout = closeTimeout
        self.wireMask = wireMask
    }

    /// The `<stream:features/>` of the established stream (read on the channel's event loop), if the server sent any.
    public var streamFeatures: XMLElement? { negotiation.streamFeatures }

    /// What SASL2 settled (read on the channel's event loop), when the stream authenticated with it.
    public var sasl2Outcome: SASL2.Outcome? { (negotiation as? ClientNegotiation)?.sasl2Outcome }

    // MARK: - Lifecycle

    /// Starts negotiation when added to a channel that is already active.
    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { begin(context: context) }
    }

    /// Starts negotiation when the connection comes up.
    public func channelActive(context: ChannelHandlerContext) {
        begin(context: context)
        context.fireChannelActive()
    }

    private func begin(context: ChannelHandlerContext) {
        guard !isStarted else { return }
        isStarted = true
        timeout = context.eventLoop.assumeIsolated().scheduleTask(in: negotiationTimeout) { [self] in
            guard !isEstablished else { return }
            failNegotiation(context: context, XMPPClientError(.timeout, "stream negotiation took too long"))
        }
        // With direct TLS, the stream opens once the handshake completes (see userInboundEventTriggered), unless
        // it completed before this handler was added (below a WebSocket upgrade).
        if negotiation.security != .directTLS {
            perform(negotiation.start(channelBindings: []), context: context)
        } else if let tls = try? context.pipeline.syncOperations.handler(type: TLSClientHandler.self),
            let completed = tls.handshakeCompleted
        {
            perform(negotiation.start(channelBindings: Self.bindings(completed)), context: context)
        }
    }

    /// Reacts to the TLS handshake completing.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompleted {
            let bindings = Self.bindings(completed)
            if negotiation.security == .directTLS && header == nil {
                perform(negotiation.start(channelBindings: bindings), context: context)
            } else {
                perform(negotiation.tlsEstablished(channelBindings: bindings), context: context)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private static func bindings(_ completed: TLSHandshakeCompleted) -> [SASLChannelBinding] {
        completed.channelBindings.map {
            SASLChannelBinding(kind: SASLChannelBinding.Kind(rawValue: $0.key.rawValue), data: $0.value)
        }
    }

    /// Fails a pending negotiation when the connection goes away.
    public func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
        ackTimer?.cancel()
        readIdleTimer?.cancel()
        keepaliveTimer?.cancel()
        if !isEstablished {
            completeNegotiation(
                .failure(XMPPClientError(.connectionClosed, "the connection closed during negotiation")))
        }
        closePromise?.succeed()
        closePromise = nil
        context.fireChannelInactive()
    }

    /// Turns TLS and connection errors into XMPPClientError for the negotiation.
    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tls = error as? TLSError {
            failNegotiation(
                context: context, XMPPClientError(.tlsFailed, "\(tls)", condition: tls.code.rawValue),
                closeStream: false)
        } else if !isEstablished {
            failNegotiation(context: context, XMPPClientError(.connectFailed, "\(error)"), closeStream: false)
        }
        context.fireErrorCaught(error)
    }

    // MARK: - Inbound

    /// Handles data from the peer.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if liveness.readIdleTimeout != nil {
            // Anything at all from the server answers a probe.
            lastRead = context.eventLoop.now
            probeSent = nil
        }
        while buffer.readableBytes > 0 {
            var actions: [ClientNegotiation.Action] = []
            var stanzas: [XMLElement] = []
            var closed = false
            var streamReady = isEstablished
            var managed = isManaged
            var answerRequested = false
            var managementFailure: StreamManagement.Failure?
            var badHeader: String?
            let consumed: Int
            let framed = framing == .elementPerMessage
            let contentNamespace = negotiation.stanzaNamespace
            do {
                consumed = try parser.parse(buffer) { event in
                    var event = event
                    if framed, case .element(let element) = event {
                        // RFC 7395: the framing elements stand for the stream's header and footer.
                        if element.name == StreamFraming.open {
                            event = .streamOpened(
                                StreamFraming.header(for: element, contentNamespace: contentNamespace))
                        } else if element.name == StreamFraming.close {
                            event = StreamFraming.event(for: element)
                        }
                    }
                    if streamReady {
                        switch event {
                        case .element(let element):
                            if managed && element.name.namespace == StreamManagement.namespace {
                                // Nonzas: answered or applied here, never passed on.
                                switch element.name.localName {
                                case "r":
                                    answerRequested = true
                                case "a":
                                    do throws(StreamManagement.Failure) {
                                        if let h = try StreamManagement.count(in: element) {
                                            try session?.withState { state throws(StreamManagement.Failure) in
                                                _ = try state.acknowledge(h)
                                            }
                                        }
                                    } catch {
                                        managementFailure = error
                                        return .stop
                                    }
                                default:
                                    break
                                }
                                return .continue
                            }
                            if managed { session?.withState { $0.receivedStanza() } }
                            if let foreign = foreignNamespace {
                                stanzas.append(element.renamingNamespace(foreign, to: JabberClient.namespace))
                            } else {
                                stanzas.append(element)
                            }
                        case .streamClosed: closed = true
                        case .streamOpened: break
                        }
                        return .continue
                    }
                    if case .streamOpened(let header) = event, let problem = headerProblem(header) {
                        badHeader = problem
                        return .stop
                    }
                    let new = negotiation.received(event)
                    actions += new
                    for (index, action) in new.enumerated() {
                        switch action {
                        case .openStream, .startTLS:
                            // The stream restarts or TLS starts: the rest belongs to what follows.
                            return .stop
                        case .streamManagement(let outcome):
                            // Applied at once: stanzas later in this read are counted on the managed stream.
                            do throws(StreamManagement.Failure) {
                                managed = try applyStreamManagement(outcome, actions: new[(index + 1)...])
                            } catch {
                                managementFailure = error
                                return .stop
                            }
                        case .established:
                            streamReady = true
                        case .stanzaBeforeEstablished(let element):
                            heldBeforeEstablished.append(element)
                        default:
                            break
                        }
                    }
                    return .continue
                }
            } catch let error as XMLStreamError {
                // What came before the bad input is handled as if it had arrived in an earlier read.
                perform(actions, context: context)
                guard deliver(stanzas, context: context) else { return }
                return streamError(context: context, condition: error.condition.rawValue, message: error.message)
            } catch {
                return streamError(context: context, condition: "internal-server-error", message: "\(error)")
            }
            if let badHeader {
                return streamError(context: context, condition: "invalid-namespace", message: badHeader)
            }
            if let managementFailure {
                perform(actions.filter { if case .established = $0 { false } else { true } }, context: context)
                guard deliver(stanzas, context: context) else { return }
                return handledCountTooHigh(managementFailure, context: context)
            }
            buffer.moveReaderIndex(forwardBy: min(consumed, buffer.readableBytes))
            perform(actions, context: context)
            if isEstablished, !heldBeforeEstablished.isEmpty {
                // What the server routed before the stream was established goes first.
                stanzas = heldBeforeEstablished + stanzas
                heldBeforeEstablished = []
            }
            if answerRequested, context.channel.isActive, let answer = session?.withState({ $0.answerElement }) {
                // However many <r/> came in this read, one <a/> answers them all.
                writeNow(answer, context: context)
            }
            guard deliver(stanzas, context: context) else { return }
            if closed {
                closeAfterPeer(context: context)
                return
            }
            if !context.channel.isActive || pendingRestart { break }
            if consumed == 0 && actions.isEmpty && stanzas.isEmpty { break }
        }
    }

    /// Passes stanzas on; a stream error among them ends the stream instead. Returns whether the stream goes on.
    private func deliver(_ stanzas: [XMLElement], context: ChannelHandlerContext) -> Bool {
        for stanza in stanzas {
            if stanza.name == Streams.Error.qualifiedName {
                context.fireErrorCaught(ClientNegotiation.streamError(stanza))
                sendFooter(context: context)
                context.close(promise: nil)
                return false
            }
            if let probeID, stanza.name == IQ.qualifiedName, stanza["id"] == probeID, stanza["type"] != "get",
                stanza["type"] != "set"
            {
                // The answer to our liveness ping (an error reply proves life as well as a result).
                self.probeID = nil
                continue
            }
            context.fireChannelRead(wrapInboundOut(stanza))
        }
        return true
    }

    // MARK: - Outbound

    /// Handles data to the peer.
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var element = unwrapOutboundIn(data)
        if let foreign = foreignNamespace {
            element = element.renamingNamespace(JabberClient.namespace, to: foreign)
        }
        guard isEstablished, context.channel.isActive, !footerSent else {
            promise?.fail(XMPPClientError(.connectionClosed, "the stream is not established"))
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 256)
        serializer.write(element, into: &buffer)
        var promise = promise
        if isManaged, let session, StreamManagement.isStanza(element) {
            // Once queued, the stanza is stream management's to deliver (or to report): the write has succeeded.
            promise?.succeed()
            promise = nil
            // Kept until the server acknowledges it; <r/> after every N stanzas, or a while after the last one.
            if session.withState({ $0.sending(element) }) {
                if framing == .elementPerMessage {
                    // One element per message: the request goes in a message of its own.
                    context.write(wrapOutboundOut(buffer), promise: nil)
                    buffer = context.channel.allocator.buffer(capacity: 32)
                }
                serializer.write(StreamManagement.requestElement, into: &buffer)
                ackTimer?.cancel()
                ackTimer = nil
            } else if ackTimer == nil {
                let delay = TimeAmount.milliseconds(Int64(session.withState { $0.settings.requestAfterMilliseconds }))
                ackTimer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
                    ackTimer = nil
                    guard context.channel.isActive, !footerSent, session.unacknowledgedCount > 0 else { return }
                    session.withState { $0.requested() }
                    writeNow(StreamManagement.requestElement, context: context)
                }
            }
        }
        lastWrite = context.eventLoop.now
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    /// Writes and flushes an element of our own (a nonza, a probe, a stanza sent again).
    func writeNow(_ element: XMLElement, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        serializer.write(element, into: &buffer)
        lastWrite = context.eventLoop.now
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// Closes gracefully: our stream footer, a bounded wait for the peer's, then the connection.
    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all, header != nil, !footerSent, !abandoned, context.channel.isActive, closePromise == nil
        else {
            context.close(mode: mode, promise: promise)
            return
        }
        // Graceful: our last acknowledgement and our footer, then wait (bounded) for the server's before closing.
        sendFooter(context: context, after: isManaged ? session?.withState { $0.answerElement } : nil)
        let waiting = context.eventLoop.makePromise(of: Void.self)
        closePromise = waiting
        let timer = context.eventLoop.scheduleTask(in: closeTimeout) { waiting.succeed() }
        waiting.futureResult.assumeIsolated().whenComplete { _ in
            timer.cancel()
            // The connection may be gone already (the server closed it, or negotiation failed meanwhile): the close
            // asked for has happened then.
            if context.channel.isActive {
                context.close(mode: .all, promise: promise)
            } else {
                promise?.succeed()
            }
        }
    }

    /// Writes our `</stream:stream>` unless it was written already; nothing may follow it.
    func sendFooter(context: ChannelHandlerContext, after element: XMLElement? = nil) {
        guard let header, !footerSent, context.channel.isActive else { return }
        footerSent = true
        var buffer = context.channel.allocator.buffer(capacity: 128)
        if let element { serializer.write(element, into: &buffer) }
        if framing == .elementPerMessage {
            if element != nil {
                context.write(wrapOutboundOut(buffer), promise: nil)
                buffer = context.channel.allocator.buffer(capacity: 64)
            }
            serializer.write(XMLElement(StreamFraming.close), into: &buffer)
        } else {
            XMLSerializer.writeStreamFooter(for: header, into: &buffer)
        }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    // MARK: - Actions

    private func perform(_ actions: [ClientNegotiation.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .openStream(let header):
                self.header = header
                parser.reset()
                pendingRestart = false
                var buffer = context.channel.allocator.buffer(capacity: 256)
                if framing == .elementPerMessage {
                    // Every element stands alone, with its namespaces declared.
                    serializer = XMLSerializer()
                    let root = StreamFraming.syntheticRoot(
                        contentNamespace: negotiation.stanzaNamespace, allocator: context.channel.allocator)
                    do {
                        _ = try parser.parse(root) { _ in .continue }
                    } catch {
                        return failNegotiation(context: context, XMPPClientError(.badInput, "\(error)"))
                    }
                    serializer.write(StreamFraming.openElement(for: header), into: &buffer)
                } else {
                    serializer = XMLSerializer(scopeOf: header)
                    XMLSerializer.writeStreamHeader(header, into: &buffer)
                }
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            case .send(let element):
                var buffer = context.channel.allocator.buffer(capacity: 256)
                serializer.write(element, into: &buffer)
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            case .startTLS:
                guard let tlsConfiguration else {
                    return failNegotiation(context: context, XMPPClientError(.tlsFailed, "no TLS configuration"))
                }
                pendingRestart = true
                do {
                    try context.pipeline.syncOperations.addHandler(
                        TLSClientHandler(configuration: tlsConfiguration), position: .first)
                } catch {
                    return failNegotiation(context: context, XMPPClientError(.tlsFailed, "\(error)"))
                }
            case .maskWire(let on):
                wireMask?.withLockedValue { $0 = on }
            case .authenticated(let mechanism):
                context.fireUserInboundEventTriggered(StreamAuthenticated(mechanism: mechanism))
            case .streamManagement(let outcome):
                context.fireUserInboundEventTriggered(StreamManagementNegotiated(outcome: outcome))
            case .established(let jid, let mechanism):
                isEstablished = true
                timeout?.cancel()
                // Stanzas the server had not acknowledged before the stream was resumed go first, in order.
                let stanzas = resend
                resend = []
                for stanza in stanzas { writeNow(stanza, context: context) }
                if !stanzas.isEmpty { writeNow(StreamManagement.requestElement, context: context) }
                startLiveness(context: context)
                completeNegotiation(.success((jid, mechanism)))
            case .stanzaBeforeEstablished:
                break  // held as it was read, delivered after `established`
            case .fail(let error):
                failNegotiation(context: context, error)
            }
        }
    }

    /// Completes ``established`` once: the first outcome wins (a failure is often followed by the close it causes).
    private func completeNegotiation(_ result: Result<(JID, SASLMechanismName), any Error>) {
        guard !negotiationCompleted else { return }
        negotiationCompleted = true
        established.completeWith(result)
    }

    private func failNegotiation(context: ChannelHandlerContext, _ error: XMPPClientError, closeStream: Bool = true) {
        timeout?.cancel()
        completeNegotiation(.failure(error))
        if closeStream { sendFooter(context: context) }
        context.close(promise: nil)
    }

    /// Answers bad input with a stream error (RFC 6120 §4.9) and closes.
    func streamError(
        context: ChannelHandlerContext,
        condition: String,
        message: String,
        application: XMLElement? = nil
    ) {
        let error = XMPPClientError(
            .badInput, "the server sent bad input (\(condition)): \(message)", condition: condition)
        var children: [XMLNode] = [
            .element(XMLElement(XMLName(namespace: StreamErrors.namespace, localName: condition)))
        ]
        if let application { children.append(.element(application)) }
        let streamError = XMLElement(Streams.Error.qualifiedName, children: children)
        sendFooter(context: context, after: streamError)
        if !isEstablished { completeNegotiation(.failure(error)) } else { context.fireErrorCaught(error) }
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension XMPPStreamHandler: Sendable {}
