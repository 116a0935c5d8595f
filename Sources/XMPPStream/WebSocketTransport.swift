public import NIOCore
import NIOHTTP1
import NIOWebSocket
public import XMPPTLS

/// A stream over WebSocket (RFC 7395): an HTTP/1.1 upgrade with the `xmpp` subprotocol, then one element per text
/// message. `wss://` runs over ``TLSClientHandler`` with the certificate verified for the URL's host.
///
/// The negotiation sees a connection that is already secure (as with direct TLS, and with the channel bindings of
/// the TLS connection under the upgrade); it never starts TLS. A `ws://` URL carries no TLS and is for
/// ``ClientNegotiation/TransportSecurity/insecurePlaintext`` on loopback only.
public struct WebSocketTransport: SocketTransport {
    /// Where the server takes WebSocket connections.
    public var url: WebSocketURL
    /// TLS for `wss://` (its domain is the URL's host); `nil` only for `ws://`.
    public var tls: TLSConfiguration?
    /// The largest message accepted from the server, in bytes; the parser's limits apply within it as well.
    public var maxMessageSize: Int

    /// Creates the transport.
    ///
    /// - Parameters:
    ///   - url: The WebSocket endpoint.
    ///   - tls: TLS for `wss://`; its `domain` should be the URL's host, and ALPN is set to `http/1.1`.
    ///   - maxMessageSize: The largest message accepted; 1 MiB by default.
    public init(url: WebSocketURL, tls: TLSConfiguration?, maxMessageSize: Int = 1 << 20) {
        self.url = url
        self.tls = tls
        self.maxMessageSize = maxMessageSize
    }

    /// The URL's host.
    public var host: String { url.host }
    /// The URL's port.
    public var port: Int { url.port }
    /// One element per message.
    public var framing: XMPPStreamHandler.Framing { .elementPerMessage }
    /// The URL.
    public var description: String { url.description }

    /// Adds TLS (for `wss`), the HTTP client and the upgrade; the stream's handlers go on once the server has
    /// switched to WebSocket with the `xmpp` subprotocol.
    public func install(
        on channel: any Channel,
        ready: @escaping @Sendable (any Channel) throws -> Void,
        failed: @escaping @Sendable (any Error) -> Void
    ) throws {
        let operations = channel.pipeline.syncOperations
        if url.isSecure {
            guard var tls else { throw XMPPClientError(.invalidConfiguration, "wss:// needs a TLS configuration") }
            tls.applicationProtocols = ["http/1.1"]
            try operations.addHandler(TLSClientHandler(configuration: tls))
        }
        let maxMessageSize = maxMessageSize
        let url = url
        let upgrader = NIOWebSocketClientUpgrader(
            maxFrameSize: maxMessageSize, automaticErrorHandling: true
        ) { channel, response in
            channel.eventLoop.makeCompletedFuture {
                // RFC 7395 §3.2: the server must have chosen the xmpp subprotocol.
                let protocols = response.headers[canonicalForm: "sec-websocket-protocol"].map { $0.lowercased() }
                guard protocols == ["xmpp"] else {
                    throw XMPPClientError(
                        .connectFailed,
                        "\(url) switched to WebSocket without the xmpp subprotocol "
                            + "(Sec-WebSocket-Protocol: \(protocols.joined(separator: ", ")))")
                }
                let operations = channel.pipeline.syncOperations
                let requester = try operations.handler(type: WebSocketUpgradeRequest.self)
                requester.upgraded = true
                operations.removeHandler(requester, promise: nil)
                try operations.addHandler(
                    NIOWebSocketFrameAggregator(
                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1024,
                        maxAccumulatedFrameSize: maxMessageSize))
                try operations.addHandler(WebSocketMessageHandler())
                try ready(channel)
            }.flatMapErrorThrowing { error in
                failed(error)
                channel.close(promise: nil)
                throw error
            }
        }
        try operations.addHTTPClientHandlers(
            leftOverBytesStrategy: .forwardBytes,
            withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
        try operations.addHandler(WebSocketUpgradeRequest(url: url, failed: failed))
    }
}

/// Sends the upgrade request once the connection is up, and fails the transport when the server answers anything
/// but the switch (a 404, a redirect) or the connection ends first.
final class WebSocketUpgradeRequest: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let url: WebSocketURL
    private let failed: @Sendable (any Error) -> Void
    private var sent = false
    private var done = false
    /// Set when the upgrade has happened: this handler is on its way out and reports nothing more.
    var upgraded = false

    init(url: WebSocketURL, failed: @escaping @Sendable (any Error) -> Void) {
        self.url = url
        self.failed = failed
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendRequest(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendRequest(context: context)
        context.fireChannelActive()
    }

    private func sendRequest(context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.hostHeader)
        headers.add(name: "Sec-WebSocket-Protocol", value: "xmpp")
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.resource, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Only a response that is not the upgrade reaches this handler.
        if case .head(let head) = unwrapInboundIn(data) {
            fail(
                context: context,
                XMPPClientError(
                    .connectFailed,
                    "\(url) answered \(head.status.code) \(head.status.reasonPhrase) instead of switching to WebSocket")
            )
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tls = error as? TLSError {
            // The stream handler is not there yet: report TLS failures the way it would.
            fail(context: context, XMPPClientError(.tlsFailed, "\(tls)", condition: tls.code.rawValue))
        } else {
            fail(context: context, XMPPClientError(.connectFailed, "WebSocket upgrade at \(url) failed: \(error)"))
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context: context, XMPPClientError(.connectFailed, "\(url) closed the connection before the upgrade"))
        context.fireChannelInactive()
    }

    private func fail(context: ChannelHandlerContext, _ error: XMPPClientError) {
        guard !done, !upgraded else { return }
        done = true
        failed(error)
        context.close(promise: nil)
    }
}

/// WebSocket messages ↔ the stream handler's buffers: each text message is one buffer inbound, each buffer one
/// masked text message outbound (RFC 6455 §5.3: a client masks every frame). A buffer of only whitespace (the
/// stream's keepalive) goes out as a ping frame instead, RFC 7395 §3.4 having no whitespace keepalives. Pings are
/// answered; a binary message is a protocol violation (RFC 7395 §3.3.3) and closes the connection with 1003.
final class WebSocketMessageHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    private var closeSent = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            context.fireChannelRead(wrapInboundOut(frame.unmaskedData))
        case .ping:
            guard !closeSent else { return }
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .connectionClose:
            // The server ends the connection (after its <close/>, or without one): answer and close.
            sendClose(context: context, code: .normalClosure)
            context.close(promise: nil)
        case .binary:
            context.fireErrorCaught(
                XMPPClientError(.badInput, "the server sent a binary WebSocket message (RFC 7395 allows text only)"))
            sendClose(context: context, code: .unacceptableData)
            context.close(promise: nil)
        default:
            break
        }
    }

    /// After the closing handshake the server closes the TCP connection (RFC 6455 §7.1.1), often without TLS
    /// close_notify: that end is the expected one, not a failure.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closeSent, let tls = error as? TLSError, tls.code == .unexpectedEOF { return }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        guard !closeSent else {
            promise?.fail(XMPPClientError(.connectionClosed, "the WebSocket is closing"))
            return
        }
        let isKeepalive = buffer.readableBytesView.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        let frame = WebSocketFrame(
            fin: true, opcode: isKeepalive ? .ping : .text, maskKey: .random(),
            data: isKeepalive ? context.channel.allocator.buffer(capacity: 0) : buffer)
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all { sendClose(context: context, code: .normalClosure) }
        context.close(mode: mode, promise: promise)
    }

    private func sendClose(context: ChannelHandlerContext, code: WebSocketErrorCode) {
        guard !closeSent, context.channel.isActive else { return }
        closeSent = true
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }
}
