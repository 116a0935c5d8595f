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

    /// Completed when negotiation ends: with the bound JID and the SASL mechanism used, or with the failure.
    public let established: EventLoopPromise<(JID, SASLMechanismName)>

    private var negotiation: any StreamNegotiating
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
    private var negotiationCompleted = false
    private var isStarted = false
    private var pendingRestart = false
    private var footerSent = false
    private var timeout: Scheduled<Void>?
    private var closePromise: EventLoopPromise<Void>?

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
        parserConfiguration: XMLStreamParser.Configuration = .xmppStream
    ) {
        self.init(
            negotiation: ClientNegotiation(settings: settings), tlsConfiguration: tlsConfiguration,
            established: established, negotiationTimeout: negotiationTimeout, closeTimeout: closeTimeout,
            wireMask: wireMask, parserConfiguration: parserConfiguration)
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
    public init(
        negotiation: some StreamNegotiating,
        tlsConfiguration: TLSConfiguration?,
        established: EventLoopPromise<(JID, SASLMechanismName)>,
        negotiationTimeout: TimeAmount = .seconds(30),
        closeTimeout: TimeAmount = .seconds(3),
        wireMask: NIOLockedValueBox<Bool>? = nil,
        parserConfiguration: XMLStreamParser.Configuration = .xmppStream
    ) {
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
        // With direct TLS, the stream opens once the handshake completes (see userInboundEventTriggered).
        if negotiation.security != .directTLS {
            perform(negotiation.start(channelBindings: []), context: context)
        }
    }

    /// Reacts to the TLS handshake completing.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompleted {
            let bindings = completed.channelBindings.map {
                SASLChannelBinding(kind: SASLChannelBinding.Kind(rawValue: $0.key.rawValue), data: $0.value)
            }
            if negotiation.security == .directTLS && header == nil {
                perform(negotiation.start(channelBindings: bindings), context: context)
            } else {
                perform(negotiation.tlsEstablished(channelBindings: bindings), context: context)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Fails a pending negotiation when the connection goes away.
    public func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
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
            failNegotiation(context: context, XMPPClientError(.tlsFailed, "\(tls)"), closeStream: false)
        } else if !isEstablished {
            failNegotiation(context: context, XMPPClientError(.connectFailed, "\(error)"), closeStream: false)
        }
        context.fireErrorCaught(error)
    }

    // MARK: - Inbound

    /// Handles data from the peer.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        while buffer.readableBytes > 0 {
            var actions: [ClientNegotiation.Action] = []
            var stanzas: [XMLElement] = []
            var closed = false
            var streamReady = isEstablished
            let consumed: Int
            do {
                consumed = try parser.parse(buffer) { event in
                    if streamReady {
                        switch event {
                        case .element(let element):
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
                    let new = negotiation.received(event)
                    actions += new
                    for action in new {
                        switch action {
                        case .openStream, .startTLS:
                            // The stream restarts or TLS starts: the rest belongs to what follows.
                            return .stop
                        case .established:
                            streamReady = true
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
            buffer.moveReaderIndex(forwardBy: min(consumed, buffer.readableBytes))
            perform(actions, context: context)
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
                context.fireErrorCaught(XMPPClientError(.streamError, ClientNegotiation.describeStreamError(stanza)))
                sendFooter(context: context)
                context.close(promise: nil)
                return false
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
        guard isEstablished else {
            promise?.fail(XMPPClientError(.connectionClosed, "the stream is not established"))
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 256)
        serializer.write(element, into: &buffer)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    /// Closes gracefully: our stream footer, a bounded wait for the peer's, then the connection.
    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all, header != nil, !footerSent, context.channel.isActive, closePromise == nil else {
            context.close(mode: mode, promise: promise)
            return
        }
        // Graceful: our footer, then wait (bounded) for the server's before closing the connection.
        sendFooter(context: context)
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
    private func sendFooter(context: ChannelHandlerContext, after element: XMLElement? = nil) {
        guard let header, !footerSent, context.channel.isActive else { return }
        footerSent = true
        var buffer = context.channel.allocator.buffer(capacity: 128)
        if let element { serializer.write(element, into: &buffer) }
        XMLSerializer.writeStreamFooter(for: header, into: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    // MARK: - Actions

    private func perform(_ actions: [ClientNegotiation.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .openStream(let header):
                self.header = header
                serializer = XMLSerializer(scopeOf: header)
                parser.reset()
                pendingRestart = false
                var buffer = context.channel.allocator.buffer(capacity: 256)
                XMLSerializer.writeStreamHeader(header, into: &buffer)
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
            case .established(let jid, let mechanism):
                isEstablished = true
                timeout?.cancel()
                completeNegotiation(.success((jid, mechanism)))
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
    private func streamError(context: ChannelHandlerContext, condition: String, message: String) {
        let error = XMPPClientError(.badInput, "the server sent bad XML (\(condition)): \(message)")
        let streamError = XMLElement(
            Streams.Error.qualifiedName,
            children: [.element(XMLElement(XMLName(namespace: StreamErrors.namespace, localName: condition)))])
        sendFooter(context: context, after: streamError)
        if !isEstablished { completeNegotiation(.failure(error)) } else { context.fireErrorCaught(error) }
        context.close(promise: nil)
    }

    private func closeAfterPeer(context: ChannelHandlerContext) {
        if let closePromise {
            closePromise.succeed()
            self.closePromise = nil
        } else {
            sendFooter(context: context)
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension XMPPStreamHandler: Sendable {}
