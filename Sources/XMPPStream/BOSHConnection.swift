import NIOCore
import NIOHTTP1
import XMPPTLS

/// One HTTP/1.1 connection of a BOSH session: a POST at a time, its answer collected (at most 1 MiB) and handed to
/// the session on the event loop. A request that gets no answer in time, or whose connection ends first, fails.
final class BOSHConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    struct Answer {
        var status: HTTPResponseStatus
        var body: [UInt8]
        var keepAlive: Bool
    }

    static let maximumBody = 1 << 20

    private let url: BOSHURL
    private var context: ChannelHandlerContext?
    private var pending: ((Result<Answer, any Error>) -> Void)?
    private var timer: Scheduled<Void>?
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var closed = false
    /// Called once when the connection has closed.
    var onClose: (() -> Void)?
    /// Called when the TLS handshake completes.
    var onSecured: ((TLSHandshakeCompleted) -> Void)?
    /// The handshake, once it has completed.
    private(set) var securedWith: TLSHandshakeCompleted?

    init(url: BOSHURL) {
        self.url = url
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Sends a body; `completion` gets the answer or the failure, on the event loop.
    func post(_ body: String, timeout: TimeAmount, completion: @escaping (Result<Answer, any Error>) -> Void) {
        guard let context, !closed, pending == nil else {
            completion(.failure(XMPPClientError(.connectionClosed, "the BOSH connection is closed")))
            return
        }
        pending = completion
        head = nil
        self.body = []
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.hostHeader)
        headers.add(name: "Content-Type", value: "text/xml; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        let request = HTTPRequestHead(version: .http1_1, method: .POST, uri: url.resource, headers: headers)
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            finish(.failure(XMPPClientError(.timeout, "no answer from \(url) in time")))
            close()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= Self.maximumBody else {
                finish(.failure(XMPPClientError(.badInput, "a BOSH answer from \(url) is over 1 MiB")))
                return close()
            }
            body += buffer.readableBytesView
        case .end:
            guard let head else { return }
            finish(.success(Answer(status: head.status, body: body, keepAlive: head.isKeepAlive)))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompleted {
            securedWith = completed
            onSecured?(completed)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        close()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(XMPPClientError(.connectionClosed, "the BOSH connection to \(url) closed")))
        closed = true
        onClose?()
        onClose = nil
        context.fireChannelInactive()
    }

    private func finish(_ result: Result<Answer, any Error>) {
        timer?.cancel()
        timer = nil
        guard let pending else { return }
        self.pending = nil
        pending(result)
    }

    func close() {
        guard !closed, let context else { return }
        closed = true
        context.close(promise: nil)
    }
}
