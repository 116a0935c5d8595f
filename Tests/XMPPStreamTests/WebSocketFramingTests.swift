import NIOCore
import NIOEmbedded
import NIOWebSocket
import SASL
import Testing
import XMPPCore
import XMPPTLS
import XMPPTesting

@testable import XMPPStream

/// RFC 7395 framing: ``XMPPStreamHandler`` with ``XMPPStreamHandler/Framing/elementPerMessage`` on an
/// `EmbeddedChannel`, each write compared as one WebSocket message; then the WebSocket message handler under it,
/// and the URL parsing.
@Suite struct WebSocketFramingTests {
    typealias Script = XMPPStreamHandlerTests

    static let framing = "urn:ietf:params:xml:ns:xmpp-framing"
    static let clientOpen = "<open xmlns='\(framing)' to='example.com' version='1.0' xml:lang='en'/>"
    static func serverOpen(id: String) -> String {
        "<open xmlns='\(framing)' from='example.com' id='\(id)' version='1.0' xml:lang='en'/>"
    }
    static let saslFeatures =
        "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>"
        + "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>"
        + "</stream:features>"
    static let bindFeatures =
        "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>"
        + "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><sm xmlns='urn:xmpp:sm:3'/></stream:features>"
    static let bindRequest =
        "<iq xmlns='jabber:client' id='negotiation-1' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
        + "<resource>balcony</resource></bind></iq>"
    static let bindResult =
        "<iq xmlns='jabber:client' type='result' id='negotiation-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
        + "<jid>juliet@example.com/balcony</jid></bind></iq>"
    static let close = "<close xmlns='\(framing)'/>"

    /// Negotiates over framed messages, checking each of ours, up to an established (managed) stream.
    static func negotiate(_ stream: StreamHarness, session: StreamManagementSession) throws {
        try stream.connect()
        #expect(try stream.messages() == [clientOpen])
        try stream.feed(serverOpen(id: "s1"))
        try stream.feed(saslFeatures)
        #expect(try stream.messages() == [Script.auth])
        try stream.feed(Script.success)
        // The restart: a new <open/>, and no XML declaration or stream header anywhere.
        #expect(try stream.messages() == [clientOpen])
        try stream.feed(serverOpen(id: "s2"))
        try stream.feed(bindFeatures)
        #expect(try stream.messages() == [bindRequest])
        try stream.feed(bindResult)
        #expect(try stream.messages() == ["<enable xmlns='urn:xmpp:sm:3' resume='true'/>"])
        try stream.feed("<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true'/>")
        #expect(try stream.outcome?.get().0 == JID("juliet@example.com/balcony")!)
        #expect(session.resumption?.id == "sm-1")
    }

    static func framedStream(
        settings: StreamManagement.Settings = StreamManagement.Settings()
    ) throws -> (StreamHarness, StreamManagementSession) {
        let session = StreamManagementSession(settings: settings)
        let stream = try StreamHarness(streamManagement: session, framing: .elementPerMessage)
        try negotiate(stream, session: session)
        return (stream, session)
    }

    @Test func negotiatesWithOpenAndOneElementPerMessage() throws {
        let (stream, _) = try Self.framedStream()
        // A stanza of the established stream: its namespace is declared on it, and it reaches us in jabber:client.
        try stream.feed(
            "<message xmlns='jabber:client' from='romeo@example.net/orchard' type='chat'><body>Wherefore?</body>"
                + "</message>")
        let stanzas = try stream.stanzas()
        #expect(stanzas.map(\.name) == [XMLName(namespace: "jabber:client", localName: "message")])
        #expect(stanzas.first?.childText("body") == "Wherefore?")
        #expect(stream.errors.isEmpty)
    }

    @Test func aStanzaAndTheRequestAfterItAreTwoMessages() throws {
        let (stream, _) = try Self.framedStream(settings: StreamManagement.Settings(requestAfterStanzas: 1))
        try stream.channel.writeAndFlush(
            XMLElement(
                parsing: "<message to='romeo@example.net' id='m1' type='chat'><body>1</body></message>",
                defaultNamespace: "jabber:client")
        ).wait()
        #expect(
            try stream.messages() == [
                "<message xmlns='jabber:client' to='romeo@example.net' id='m1' type='chat'><body>1</body></message>",
                "<r xmlns='urn:xmpp:sm:3'/>",
            ])
    }

    @Test func aGracefulCloseSendsTheAnswerAndCloseSeparately() throws {
        let (stream, _) = try Self.framedStream()
        try stream.feed(
            "<message xmlns='jabber:client' from='romeo@example.net/orchard' type='chat'><body>1</body></message>")
        _ = try stream.stanzas()
        stream.channel.close(promise: nil)
        #expect(try stream.messages() == ["<a xmlns='urn:xmpp:sm:3' h='1'/>", Self.close])
        // The server's <close/> ends the wait.
        try stream.feed(Self.close)
        #expect(!stream.channel.isActive)
    }

    @Test func theServersCloseIsAnsweredWithOurs() throws {
        let (stream, _) = try Self.framedStream()
        try stream.feed(Self.close)
        #expect(try stream.messages() == [Self.close])
        #expect(!stream.channel.isActive)
    }

    @Test func aCloseWithSeeOtherURIIsARedirectError() throws {
        let (stream, _) = try Self.framedStream()
        try stream.feed("<close xmlns='\(Self.framing)' see-other-uri='wss://other.example.com/xmpp'/>")
        let error = try #require(stream.errors.first as? XMPPClientError)
        #expect(error.condition == "see-other-host")
        #expect("\(error)".contains("wss://other.example.com/xmpp"))
        #expect(!stream.channel.isActive)
    }

    @Test func aStreamHeaderInsteadOfOpenIsRefused() throws {
        let stream = try StreamHarness(framing: .elementPerMessage)
        try stream.connect()
        _ = try stream.messages()
        // A TCP-style header over a WebSocket is not well-formed as a message stream: a stream error, no session.
        try stream.feed(Script.serverHeader())
        #expect(stream.failure?.code == .badInput)
        #expect(!stream.channel.isActive)
    }

    // MARK: - WebSocket messages

    static func messageChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(WebSocketMessageHandler())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
        return channel
    }

    @Test func writesAreMaskedTextMessagesAndWhitespaceIsAPing() throws {
        let channel = try Self.messageChannel()
        try channel.writeAndFlush(ByteBuffer(string: "<r xmlns='urn:xmpp:sm:3'/>")).wait()
        let text = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(text.opcode == .text)
        #expect(text.fin)
        #expect(text.maskKey != nil)
        // The encoder below applies the mask: the frame still holds the plain text.
        #expect(String(buffer: text.data) == "<r xmlns='urn:xmpp:sm:3'/>")
        try channel.writeAndFlush(ByteBuffer(string: " ")).wait()
        let ping = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(ping.opcode == .ping)
        #expect(ping.maskKey != nil)
    }

    @Test func textMessagesGoUpAndPingsAreAnswered() throws {
        let channel = try Self.messageChannel()
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: "<a/>")))
        #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == "<a/>")
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "hi")))
        let pong = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(pong.opcode == .pong)
        #expect(String(buffer: pong.data) == "hi")
        #expect(pong.maskKey != nil)
    }

    @Test func aBinaryMessageClosesWithUnacceptableData() throws {
        let channel = try Self.messageChannel()
        let errors = ErrorCollector()
        try channel.pipeline.syncOperations.addHandler(errors)
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(string: "<a/>")))
        #expect((errors.errors.first as? XMPPClientError)?.code == .badInput)
        let close = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(close.opcode == .connectionClose)
        var data = close.data
        #expect(data.readWebSocketErrorCode() == .unacceptableData)
        #expect(!channel.isActive)
    }

    @Test func theEndWithoutCloseNotifyAfterTheClosingHandshakeIsNoError() throws {
        let channel = try Self.messageChannel()
        let errors = ErrorCollector()
        try channel.pipeline.syncOperations.addHandler(errors)
        channel.pipeline.fireErrorCaught(TLSError(.unexpectedEOF, "before any close"))
        #expect(errors.errors.count == 1)
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, data: ByteBuffer()))
        channel.pipeline.fireErrorCaught(TLSError(.unexpectedEOF, "after the close"))
        #expect(errors.errors.count == 1)
    }

    // MARK: - URLs

    @Test func parsesWebSocketURLs() throws {
        let url = try #require(WebSocketURL("wss://xmpp.example.com/xmpp-websocket"))
        #expect(url.isSecure && url.host == "xmpp.example.com" && url.port == 443)
        #expect(url.resource == "/xmpp-websocket")
        #expect(url.hostHeader == "xmpp.example.com")
        let plain = try #require(WebSocketURL("WS://127.0.0.1:5280?x=1"))
        #expect(!plain.isSecure && plain.port == 5280 && plain.resource == "/?x=1")
        #expect(plain.description == "ws://127.0.0.1:5280/?x=1")
        let v6 = try #require(WebSocketURL("wss://[::1]:8443/ws"))
        #expect(v6.host == "::1" && v6.port == 8443 && v6.hostHeader == "[::1]:8443")
        for bad in [
            "https://example.com/ws", "wss://", "wss://user@example.com/", "wss://example.com:0/",
            "wss://example.com:99999/", "wss://example.com/#x", "wss://exa mple.com/", "wss://[::1/",
            "wss://example.com:+443/",
        ] {
            #expect(WebSocketURL(bad) == nil, "\(bad)")
        }
    }

    @Test func parsesBOSHURLs() throws {
        let url = try #require(BOSHURL("https://xmpp.example.com:5281/http-bind"))
        #expect(url.isSecure && url.host == "xmpp.example.com" && url.port == 5281 && url.resource == "/http-bind")
        #expect(url.description == "https://xmpp.example.com:5281/http-bind")
        #expect(try #require(BOSHURL("http://127.0.0.1/bosh")).port == 80)
        #expect(try #require(BOSHURL("HTTPS://example.com")).hostHeader == "example.com")
        for bad in ["wss://example.com/", "https://", "https://u@example.com/", "ftp://example.com/"] {
            #expect(BOSHURL(bad) == nil, "\(bad)")
        }
    }
}

/// Keeps the errors that reach the end of a pipeline.
final class ErrorCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private(set) var errors: [any Error] = []

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        errors.append(error)
    }
}
