import NIOCore
import NIOHTTP1
import NIOPosix
import XMPPCore
import XMPPTLS

/// The client side of one BOSH session (XEP-0124, XEP-0206), on its channel's event loop: what the stream writes
/// is queued and sent in `<body/>` wrappers, answers are read in `rid` order, and a request whose connection is lost
/// is sent again with the same `rid`.
final class BOSHSession {
    static let namespace = "http://jabber.org/protocol/httpbind"
    static let xbosh = "urn:xmpp:xbosh"

    private struct Request {
        var body: String
        var attempts: Int
        var isRestart: Bool
    }

    private unowned let channel: BOSHChannel
    private let transport: BOSHTransport
    private let connectTimeout: TimeAmount
    private var sid: String?
    private var nextRID: UInt64
    private var nextToHandle: UInt64
    private var allowedRequests = 1
    private var wait: Int
    private var queue: [String] = []
    private var openRequested = false
    private var restartRequested = false
    private var closeRequested = false
    private var terminateSent = false
    private var done = false
    private var failed = false
    private var secured = false
    private var inFlight: [UInt64: Request] = [:]
    /// Lost requests not yet sent again.
    private var retrying: Set<UInt64> = []
    /// The lost request being sent again, until it is written.
    private var retransmitting: UInt64?
    private var answers: [UInt64: (header: XMLStreamHeader, children: [XMLElement], isRestart: Bool)] = [:]
    private var idle: [BOSHConnection] = []
    private var connections: [ObjectIdentifier: BOSHConnection] = [:]

    init(channel: BOSHChannel, transport: BOSHTransport, connectTimeout: TimeAmount) {
        self.channel = channel
        self.transport = transport
        self.connectTimeout = connectTimeout
        self.wait = transport.wait
        // XEP-0124 §7.1: a random start, far enough below 2^53 for the session's requests.
        let first = UInt64.random(in: 1 << 20..<1 << 50)
        (nextRID, nextToHandle) = (first, first)
    }

    private var loop: any EventLoop { channel.eventLoop }

    /// Opens the first connection: over `https://` its TLS handshake tells the stream handler the stream is secure,
    /// and the session's first request goes out on it.
    func start() {
        guard transport.url.isSecure else { return }
        connection { [self] result in
            switch result {
            case .success(let connection): idle.append(connection)
            case .failure(let error): fail(error)
            }
        }
    }

    // MARK: - Outbound

    /// One write of the stream handler: an element, or our `<open/>` (the session's start, later a restart),
    /// `<close/>` (terminate), or whitespace (a keepalive, which BOSH does not need: a request is always held).
    func enqueue(_ buffer: ByteBuffer) {
        let text = String(buffer: buffer)
        if text.hasPrefix("<open ") {
            if sid == nil { openRequested = true } else { restartRequested = true }
        } else if text.hasPrefix("<close ") {
            closeRequested = true
        } else if !text.allSatisfy(\.isWhitespace) {
            queue.append(text)
        }
    }

    /// Sends what can go now, within the requests the server allows; keeps one request at the server for it to
    /// answer with what arrives.
    func pump() {
        guard !done, !terminateSent, retrying.isEmpty else { return }
        guard let sid else {
            if openRequested, inFlight.isEmpty {
                openRequested = false
                send(sessionRequest(rid: nextRID))
            }
            return
        }
        if closeRequested, !restartRequested {
            // The one request that may go beyond the limit (XEP-0124, "Overactivity"): the end of the session.
            terminateSent = true
            send(
                "<body rid='\(nextRID)' sid='\(Self.escaped(sid))' type='terminate' xmlns='\(Self.namespace)'>"
                    + queue.joined() + "</body>")
            queue = []
            return
        }
        while inFlight.count < allowedRequests {
            let rid = nextRID
            if restartRequested {
                restartRequested = false
                send(
                    "<body rid='\(rid)' sid='\(Self.escaped(sid))' to='\(Self.escaped(transport.domain))' xml:lang='en' "
                        + "xmpp:restart='true' xmlns='\(Self.namespace)' xmlns:xmpp='\(Self.xbosh)'/>", isRestart: true)
            } else if !queue.isEmpty || inFlight.isEmpty {
                // Data, or the empty request the server holds.
                send(
                    "<body rid='\(rid)' sid='\(Self.escaped(sid))' xmlns='\(Self.namespace)'>" + queue.joined()
                        + "</body>")
                queue = []
            } else {
                return
            }
        }
    }

    private func sessionRequest(rid: UInt64) -> String {
        "<body content='text/xml; charset=utf-8' hold='1' rid='\(rid)' to='\(Self.escaped(transport.domain))' "
            + "ver='1.11' wait='\(transport.wait)' xml:lang='en' xmpp:version='1.0' xmlns='\(Self.namespace)' "
            + "xmlns:xmpp='\(Self.xbosh)'/>"
    }

    private func send(_ body: String, isRestart: Bool = false) {
        let rid = nextRID
        nextRID += 1
        inFlight[rid] = Request(body: body, attempts: 0, isRestart: isRestart)
        transmit(rid)
    }

    private func transmit(_ rid: UInt64) {
        guard !done, var request = inFlight[rid] else { return }
        request.attempts += 1
        inFlight[rid] = request
        let timeout = TimeAmount.seconds(Int64(wait) + 10)
        let body = request.body
        // A request sent again goes on a new connection: the idle ones may have died with the lost one.
        if request.attempts == 1, let connection = idle.popLast() {
            post(body, rid: rid, on: connection, timeout: timeout)
        } else {
            connection { [self] result in
                switch result {
                case .success(let connection): post(body, rid: rid, on: connection, timeout: timeout)
                case .failure(let error): lost(rid, error)
                }
            }
        }
    }

    /// Sends the lowest lost request again: at once the first time, then after 200 ms, 400 ms...
    private func retransmitNext() {
        guard !done, retransmitting == nil, let rid = retrying.min(), let request = inFlight[rid] else { return }
        retransmitting = rid
        let pause = TimeAmount.milliseconds(200 * Int64(request.attempts - 1))
        loop.assumeIsolated().scheduleTask(in: pause) { [self] in transmit(rid) }
    }

    private func post(_ body: String, rid: UInt64, on connection: BOSHConnection, timeout: TimeAmount) {
        let wasLost = retrying.remove(rid) != nil
        if wasLost { retransmitting = nil }
        defer {
            if wasLost {
                retransmitNext()
                pump()
            }
        }
        connection.post(body, timeout: timeout) { [self] result in
            switch result {
            case .success(let answer):
                if answer.keepAlive, !done { idle.append(connection) } else { connection.close() }
                answered(rid, status: answer.status, body: answer.body)
            case .failure(let error):
                connection.close()
                lost(rid, error)
            }
        }
    }

    /// A request's connection failed or timed out: the same request again (XEP-0124 §14.3), or the session fails.
    private func lost(_ rid: UInt64, _ error: any Error) {
        guard !done, let request = inFlight[rid] else { return }
        if retransmitting == rid { retransmitting = nil }
        if let tls = error as? TLSError, tls.code != .unexpectedEOF {
            // A certificate or handshake failure is not a lost connection: trying again would not help.
            return fail(XMPPClientError(.tlsFailed, "\(tls)", condition: tls.code.rawValue))
        }
        guard request.attempts < transport.attempts else {
            return fail(
                XMPPClientError(
                    .connectionClosed,
                    "BOSH request \(rid) to \(transport.url) failed \(request.attempts) times; last: \(error)"))
        }
        // Again on a new connection, in rid order, one after the other: nothing newer goes out before it (a
        // server that sees a later rid first may take the lost one for a stale request and end the session).
        retrying.insert(rid)
        loop.assumeIsolated().execute { [self] in retransmitNext() }
    }

    // MARK: - Inbound

    private func answered(_ rid: UInt64, status: HTTPResponseStatus, body: [UInt8]) {
        guard !done, let request = inFlight.removeValue(forKey: rid) else { return }
        guard status == .ok else {
            // XEP-0124 §19: an HTTP error ends the session.
            return fail(
                XMPPClientError(
                    sid == nil ? .connectFailed : .connectionClosed,
                    "\(transport.url) answered HTTP \(status.code) \(status.reasonPhrase)"))
        }
        var header: XMLStreamHeader?
        var children: [XMLElement] = []
        do {
            var configuration = XMLStreamParser.Configuration.xmppStream
            configuration.root = .stream(XMLName(namespace: Self.namespace, localName: "body"))
            let parser = XMLStreamParser(configuration: configuration)
            for event in try parser.parse(body) {
                switch event {
                case .streamOpened(let opened): header = opened
                case .element(let element): children.append(element)
                case .streamClosed: break
                }
            }
        } catch {
            return fail(XMPPClientError(.badInput, "the BOSH answer to request \(rid) is not well-formed: \(error)"))
        }
        guard let header, header.name == XMLName(namespace: Self.namespace, localName: "body") else {
            return fail(XMPPClientError(.badInput, "the BOSH answer to request \(rid) is not a <body/>"))
        }
        if header["rid"] == "\(rid)" {
            // Seen from ejabberd 23.01 after a lost request was sent again: the "answer" was our own request, rid
            // and all, with the stanzas we had sent. Servers never put a rid on an answer; taking those stanzas for
            // ours would deliver our own messages to us and break stream management's count.
            children = []
        }
        answers[rid] = (header, children, request.isRestart)
        while let answer = answers.removeValue(forKey: nextToHandle) {
            nextToHandle += 1
            handle(answer.header, answer.children, isRestart: answer.isRestart)
            if done { return }
        }
        pump()
    }

    private func handle(_ header: XMLStreamHeader, _ children: [XMLElement], isRestart: Bool) {
        if sid == nil {
            guard let sid = header["sid"], !sid.isEmpty else {
                return fail(XMPPClientError(.badInput, "the BOSH session was not created: no sid"))
            }
            self.sid = sid
            allowedRequests = min(max(Int(header["requests"] ?? "") ?? 2, 1), transport.requests)
            if let wait = header["wait"].flatMap(Int.init), wait > 0 { self.wait = min(wait, transport.wait) }
            deliverOpen(header, id: header["authid"] ?? sid)
        } else if isRestart {
            deliverOpen(header, id: header["authid"] ?? sid ?? "")
        }
        for child in children {
            var buffer = channel.allocator.buffer(capacity: 256)
            XMLSerializer().write(child, into: &buffer)
            channel.deliver(buffer)
        }
        if header["type"] == "terminate" {
            done = true
            // After our terminate, the requests the server still held come back terminated too (often with
            // other-request): that is the end we asked for.
            if let condition = header["condition"], !terminateSent {
                channel.deliveredAll()
                return fail(
                    XMPPClientError(
                        .streamError, "the BOSH session was terminated (\(ClientNegotiation.sanitized(condition)))",
                        condition: condition))
            }
            var buffer = channel.allocator.buffer(capacity: 64)
            XMLSerializer().write(XMLElement(StreamFraming.close), into: &buffer)
            channel.deliver(buffer)
        }
        channel.deliveredAll()
    }

    /// The `<open/>` a session's creation (or a restart's answer) stands for.
    private func deliverOpen(_ header: XMLStreamHeader, id: String) {
        var attributes = [XMLAttribute(XMLName("id"), id), XMLAttribute(XMLName("version"), "1.0")]
        attributes.append(XMLAttribute(XMLName("from"), header["from"] ?? transport.domain))
        var buffer = channel.allocator.buffer(capacity: 128)
        XMLSerializer().write(XMLElement(StreamFraming.open, attributes: attributes), into: &buffer)
        channel.deliver(buffer)
    }

    // MARK: - Connections

    private func connection(_ completion: @escaping (Result<BOSHConnection, any Error>) -> Void) {
        let url = transport.url
        let tls = url.isSecure ? transport.tls : nil
        let channel = self.channel
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(connectTimeout)
            .channelInitializer { connection in
                connection.eventLoop.makeCompletedFuture {
                    let operations = connection.pipeline.syncOperations
                    if var tls {
                        tls.applicationProtocols = ["http/1.1"]
                        try operations.addHandler(TLSClientHandler(configuration: tls))
                    }
                    try operations.addHTTPClientHandlers()
                    try operations.addHandler(BOSHConnection(url: url))
                }
            }
            .connect(host: url.host, port: url.port)
            .flatMapThrowing { try $0.pipeline.syncOperations.handler(type: BOSHConnection.self) }
            .assumeIsolated()
            .whenComplete { [self] result in
                if case .success(let connection) = result {
                    connections[ObjectIdentifier(connection)] = connection
                    connection.onClose = { [weak self] in
                        self?.connections[ObjectIdentifier(connection)] = nil
                        self?.idle.removeAll { $0 === connection }
                    }
                    connection.onSecured = { [weak self] completed in
                        guard let self, !secured else { return }
                        secured = true
                        // Secure, but with nothing to bind SASL to: another request may use another connection.
                        channel.fireEvent(
                            TLSHandshakeCompleted(
                                version: completed.version, cipherSuite: completed.cipherSuite,
                                applicationProtocol: completed.applicationProtocol,
                                sessionReused: completed.sessionReused, channelBindings: [:]))
                    }
                    if let completed = connection.securedWith { connection.onSecured?(completed) }
                }
                completion(result.mapError { $0 })
            }
    }

    private func fail(_ error: any Error) {
        guard !failed else { return }
        failed = true
        done = true
        channel.fail(error)
    }

    /// The channel closes: every connection goes.
    func shutDown() {
        done = true
        for connection in connections.values { connection.close() }
        connections = [:]
        idle = []
        inFlight = [:]
    }

    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case "'": result += "&apos;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
