public import NIOCore

/// A channel handler that runs a TLS client over the system OpenSSL: it encrypts outbound `ByteBuffer`s and
/// decrypts inbound ones, for direct TLS (XEP-0368) and for STARTTLS (RFC 6120 §5).
///
/// Put it at the network end of the pipeline. The handshake starts as soon as the channel is active: when the
/// handler is added to a channel that is already active (the STARTTLS upgrade of a live connection, after the
/// server's `<proceed/>`), it starts right away; otherwise on `channelActive`. Writes made before the handshake
/// completes are held and sent, in order, once it has.
///
/// Once the server is verified (see ``TLSConfiguration`` for the rules), the handler fires a
/// ``TLSHandshakeCompleted`` user event, then passes decrypted data on. On a failure it fires a ``TLSError``
/// (`errorCaught`), fails pending writes and closes the channel. Renegotiation requested by a TLS 1.2 server and
/// TLS 1.3 key updates are handled inside OpenSSL; writes wait while a renegotiation is in progress.
///
/// Closing (`close(mode: .all)`) sends close_notify, then waits up to ``TLSConfiguration/closeTimeout`` for the
/// server's before closing the connection. The server's close_notify is the clean end of the stream: the handler
/// answers with its own and closes the channel, and handlers after it see `channelInactive`. A connection that
/// ends without close_notify is reported as ``TLSError/Code/unexpectedEOF`` before `channelInactive`.
///
/// Channel bindings for SASL `-PLUS` mechanisms come from ``channelBinding(_:)`` or from the event.
public final class TLSClientHandler: ChannelDuplexHandler, RemovableChannelHandler {
    /// Ciphertext from the network.
    public typealias InboundIn = ByteBuffer
    /// Decrypted application data.
    public typealias InboundOut = ByteBuffer
    /// Application data to encrypt.
    public typealias OutboundIn = ByteBuffer
    /// Ciphertext for the network.
    public typealias OutboundOut = ByteBuffer

    private enum State {
        /// Added, the channel not active yet.
        case idle
        /// ClientHello sent, handshake in progress.
        case handshaking
        /// Handshake done; data flows.
        case active
        /// Our close_notify sent; waiting for the peer's (or the timeout) to close the channel.
        case closing
        /// Our close_notify sent after `close(mode: .output)`; reads continue until the peer's close_notify.
        case outputClosed
        /// Closed, failed, or removed: nothing more is encrypted or decrypted.
        case closed
    }

    private let connection: SSLConnection
    private let closeTimeout: TimeAmount
    private var state = State.idle
    /// Writes not yet encrypted, in order, with the number of them that have been flushed.
    private var pendingWrites = CircularBuffer<(data: ByteBuffer, promise: EventLoopPromise<Void>?)>()
    private var flushedWriteCount = 0
    private var closePromise: EventLoopPromise<Void>?
    private var closeTimer: Scheduled<Void>?
    private var receivedCloseNotify = false
    private var eventLoop: (any EventLoop)?
    private var completed: TLSHandshakeCompleted?

    /// Creates a handler with its own OpenSSL context.
    ///
    /// - Parameter configuration: The trust roots, expected domain, versions and ALPN protocols.
    /// - Throws: ``TLSError`` with ``TLSError/Code/invalidConfiguration`` when the configuration cannot be used
    ///   (an unreadable CA file, an invalid domain or ALPN name).
    public convenience init(configuration: TLSConfiguration) throws(TLSError) {
        try self.init(context: TLSClientContext(configuration: configuration))
    }

    /// Creates a handler on a shared context.
    ///
    /// - Parameter context: The OpenSSL context, with the configuration to apply.
    /// - Throws: ``TLSError`` with ``TLSError/Code/invalidConfiguration`` when the domain or an ALPN name cannot
    ///   be used.
    public init(context: TLSClientContext) throws(TLSError) {
        self.connection = try SSLConnection(context: context)
        self.closeTimeout = context.configuration.closeTimeout
    }

    /// The summary of the completed handshake, or `nil` before it completes. Call on the channel's event loop.
    public var handshakeCompleted: TLSHandshakeCompleted? {
        eventLoop?.preconditionInEventLoop()
        return completed
    }

    /// The channel binding data of a type (RFC 5929, RFC 9266), or `nil` when that type is not available on this
    /// connection or the handshake has not completed.
    ///
    /// `tls-unique` is available under TLS 1.2 only, `tls-exporter` under TLS 1.3 (and TLS 1.2 with the extended
    /// master secret), `tls-server-end-point` whenever the server's certificate names a hash. Call on the
    /// channel's event loop.
    ///
    /// - Parameter type: The kind of binding.
    /// - Returns: The bytes to put in the SASL channel binding, or `nil`.
    public func channelBinding(_ type: ChannelBindingType) -> [UInt8]? {
        eventLoop?.preconditionInEventLoop()
        guard completed != nil else { return nil }
        return connection.channelBinding(type)
    }

    /// The channel binding types available on this connection, strongest first; empty before the handshake
    /// completes. Call on the channel's event loop.
    public var availableChannelBindings: [ChannelBindingType] {
        ChannelBindingType.all.filter { channelBinding($0) != nil }
    }

    // MARK: - Lifecycle

    /// Starts the handshake if the channel is already active (STARTTLS).
    public func handlerAdded(context: ChannelHandlerContext) {
        eventLoop = context.eventLoop
        if context.channel.isActive {
            startHandshake(context: context)
        }
    }

    /// Fails what is pending and stops the close timer.
    public func handlerRemoved(context: ChannelHandlerContext) {
        closeTimer?.cancel()
        closeTimer = nil
        state = .closed
        failPendingWrites(ChannelError.ioOnClosedChannel)
        closePromise?.fail(ChannelError.ioOnClosedChannel)
        closePromise = nil
    }

    /// Starts the handshake, then passes the event on.
    public func channelActive(context: ChannelHandlerContext) {
        startHandshake(context: context)
        context.fireChannelActive()
    }

    /// Reports a connection that ended without close_notify, completes a pending close, then passes the event on.
    public func channelInactive(context: ChannelHandlerContext) {
        closeTimer?.cancel()
        closeTimer = nil
        let previous = state
        state = .closed
        switch previous {
        case .handshaking:
            context.fireErrorCaught(TLSError(.unexpectedEOF, "the connection ended during the TLS handshake"))
        case .active, .outputClosed:
            if !receivedCloseNotify {
                context.fireErrorCaught(TLSError(.unexpectedEOF, "the connection ended without TLS close_notify"))
            }
        case .idle, .closing, .closed:
            break
        }
        failPendingWrites(ChannelError.ioOnClosedChannel)
        closePromise?.succeed()
        closePromise = nil
        context.fireChannelInactive()
    }

    /// Treats a half-closed input (`ChannelEvent.inputClosed`) without close_notify as an unexpected EOF.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed, !receivedCloseNotify {
            switch state {
            case .handshaking, .active, .outputClosed:
                fail(context: context, TLSError(.unexpectedEOF, "the server closed its side without close_notify"))
            case .idle, .closing, .closed:
                break
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: - Inbound

    /// Decrypts ciphertext from the network and advances the handshake.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        switch state {
        case .idle, .closed:
            return
        case .handshaking:
            connection.receive(buffer)
            advanceHandshake(context: context)
        case .active, .closing, .outputClosed:
            connection.receive(buffer)
            readApplicationData(context: context)
        }
    }

    /// Passes the read burst's end on.
    public func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
    }

    // MARK: - Outbound

    /// Holds application data until the next flush.
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch state {
        case .idle, .handshaking, .active:
            pendingWrites.append((unwrapOutboundIn(data), promise))
        case .closing, .outputClosed, .closed:
            promise?.fail(ChannelError.outputClosed)
        }
    }

    /// Encrypts and sends the writes held so far (after the handshake, if it is still running).
    public func flush(context: ChannelHandlerContext) {
        flushedWriteCount = pendingWrites.count
        if case .active = state {
            encryptPendingWrites(context: context)
        }
    }

    /// Sends close_notify and closes the connection once the server answers (or after the close timeout).
    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .input {
            context.close(mode: mode, promise: promise)
            return
        }
        switch state {
        case .active, .outputClosed:
            // Writes not flushed yet are dropped, as a plain channel would.
            encryptPendingWrites(context: context)
            failPendingWrites(ChannelError.outputClosed)
            let wasOutputClosed: Bool
            if case .outputClosed = state { wasOutputClosed = true } else { wasOutputClosed = false }
            if !wasOutputClosed {
                connection.shutdown()
                sendOutput(context: context)
            }
            if mode == .output {
                state = .outputClosed
                context.close(mode: .output, promise: promise)
                return
            }
            state = .closing
            closePromise = promise
            closeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: closeTimeout) { [self] in
                finishClose(context: context)
            }
            context.read()
        case .closing:
            if let promise {
                if let closePromise {
                    closePromise.futureResult.cascade(to: promise)
                } else {
                    closePromise = promise
                }
            }
        case .idle, .handshaking, .closed:
            state = .closed
            failPendingWrites(ChannelError.ioOnClosedChannel)
            context.close(mode: mode, promise: promise)
        }
    }

    // MARK: - Internals

    private func startHandshake(context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        state = .handshaking
        advanceHandshake(context: context)
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        switch connection.handshake() {
        case .done:
            state = .active
            sendOutput(context: context)
            let event = connection.handshakeCompleted()
            completed = event
            context.fireUserInboundEventTriggered(event)
            guard case .active = state else { return }
            encryptPendingWrites(context: context)
            // Data (or TLS 1.3 tickets) may have arrived with the server's last flight.
            readApplicationData(context: context)
        case .wantRead, .closed:
            sendOutput(context: context)
            context.read()
        case .failed(let error):
            // The alert, if OpenSSL produced one, goes out before the connection closes.
            sendOutput(context: context)
            fail(context: context, error)
        }
    }

    private func readApplicationData(context: ChannelHandlerContext) {
        readLoop: while true {
            switch state {
            case .active, .closing, .outputClosed: break
            case .idle, .handshaking, .closed: break readLoop
            }
            var buffer = context.channel.allocator.buffer(capacity: 16_384)
            switch connection.read(into: &buffer) {
            case .done:
                context.fireChannelRead(wrapInboundOut(buffer))
            case .wantRead:
                break readLoop
            case .closed:
                receivedCloseNotify = true
                peerClosed(context: context)
                return
            case .failed(let error):
                sendOutput(context: context)
                fail(context: context, error)
                return
            }
        }
        // Reading may have produced handshake messages (renegotiation, key update) and may have finished a
        // renegotiation that held writes back.
        sendOutput(context: context)
        if case .active = state, flushedWriteCount > 0 {
            encryptPendingWrites(context: context)
        }
    }

    /// Encrypts the flushed writes and sends the ciphertext; stops early while a renegotiation needs input.
    private func encryptPendingWrites(context: ChannelHandlerContext) {
        var promises: [EventLoopPromise<Void>] = []
        while flushedWriteCount > 0, let write = pendingWrites.first {
            switch connection.write(write.data) {
            case .done:
                pendingWrites.removeFirst()
                flushedWriteCount -= 1
                if let promise = write.promise { promises.append(promise) }
            case .wantRead:
                context.read()
                sendOutput(context: context, completing: promises)
                return
            case .closed:
                sendOutput(context: context, completing: promises)
                fail(context: context, ChannelError.outputClosed)
                return
            case .failed(let error):
                sendOutput(context: context, completing: promises)
                fail(context: context, error)
                return
            }
        }
        sendOutput(context: context, completing: promises)
    }

    /// Writes and flushes whatever ciphertext OpenSSL has produced, completing `promises` with that write.
    private func sendOutput(context: ChannelHandlerContext, completing promises: [EventLoopPromise<Void>] = []) {
        let output = connection.takeOutput(allocator: context.channel.allocator)
        guard output != nil || !promises.isEmpty else { return }
        var promise: EventLoopPromise<Void>?
        if promises.count == 1 {
            promise = promises[0]
        } else if promises.count > 1 {
            let combined = context.eventLoop.makePromise(of: Void.self)
            for other in promises { combined.futureResult.cascade(to: other) }
            promise = combined
        }
        context.writeAndFlush(
            wrapOutboundOut(output ?? context.channel.allocator.buffer(capacity: 0)), promise: promise)
    }

    /// The server sent close_notify: the end of the stream.
    private func peerClosed(context: ChannelHandlerContext) {
        switch state {
        case .closing:
            finishClose(context: context)
        case .active, .outputClosed:
            if case .active = state {
                connection.shutdown()
                sendOutput(context: context)
            }
            state = .closed
            failPendingWrites(ChannelError.outputClosed)
            context.close(promise: nil)
        case .idle, .handshaking, .closed:
            break
        }
    }

    /// Closes the channel after our close_notify, completing the pending close.
    /// ``AbandonConnection``: closes at once, without close_notify or waiting for the peer's.
    public func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is AbandonConnection else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        closeTimer?.cancel()
        closeTimer = nil
        state = .closed
        failPendingWrites(ChannelError.outputClosed)
        let pending = closePromise
        closePromise = nil
        context.close(promise: pending)
        promise?.succeed()
    }

    private func finishClose(context: ChannelHandlerContext) {
        closeTimer?.cancel()
        closeTimer = nil
        state = .closed
        let promise = closePromise
        closePromise = nil
        context.close(promise: promise)
    }

    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        state = .closed
        failPendingWrites(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func failPendingWrites(_ error: any Error) {
        let writes = pendingWrites
        pendingWrites.removeAll()
        flushedWriteCount = 0
        for write in writes {
            write.promise?.fail(error)
        }
    }
}

@available(*, unavailable)
extension TLSClientHandler: Sendable {}

/// An outbound user event: the connection is dead (its peer stopped answering), so close it now, without TLS's
/// close_notify exchange, which would only wait for its timeout.
public struct AbandonConnection: Sendable, Hashable {
    /// The event.
    public init() {}
}
