import NIOCore
import NIOEmbedded
import SASL
import Testing
import XMPPCore
import XMPPStream
import XMPPTesting

/// ``XMPPStreamHandler`` on an `EmbeddedChannel`: the server's side is scripted byte for byte, and what the handler
/// writes is compared byte for byte. Plaintext with PLAIN (its insecure switch set), so no TLS is involved; time is
/// the embedded loop's, moved by hand.
@Suite struct XMPPStreamHandlerTests {
    // MARK: - The script

    /// Our stream header: to the domain, no `from` without TLS.
    static let clientHeader =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
        + "to='example.com' version='1.0' xml:lang='en'>"
    static func serverHeader(id: String = "s1") -> String {
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
            + "from='example.com' id='\(id)' version='1.0' xml:lang='en'>"
    }
    static let saslFeatures =
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
        + "</mechanisms></stream:features>"
    /// `\0juliet\0r0m30myr0m30` in base64.
    static let auth =
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMG15cjBtMzA=</auth>"
    static let success = "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
    static let bindFeatures = "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
    static let bindRequest =
        "<iq id='negotiation-1' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>balcony</resource>"
        + "</bind></iq>"
    static let bindResult =
        "<iq type='result' id='negotiation-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
        + "<jid>juliet@example.com/balcony</jid></bind></iq>"
    static let inboundMessage =
        "<message from='romeo@example.net/orchard' to='juliet@example.com/balcony' type='chat'>"
        + "<body>Art thou not Romeo, and a Montague?</body></message>"
    static let footer = "</stream:stream>"

    /// Everything the server sends for a whole negotiation, then one message.
    static let serverScript = [
        serverHeader(), saslFeatures, success, serverHeader(id: "s2"), bindFeatures, bindResult, inboundMessage,
    ]
    /// Everything the client sends for that negotiation.
    static let clientScript = clientHeader + auth + clientHeader + bindRequest

    static func streamError(_ condition: String) -> String {
        "<stream:error><\(condition) xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>"
    }

    /// Runs the negotiation step by step, checking each of our answers, up to an established stream.
    static func negotiate(_ stream: StreamHarness) throws {
        try stream.connect()
        #expect(try stream.written() == clientHeader)
        try stream.feed(serverHeader() + saslFeatures)
        #expect(try stream.written() == auth)
        // The restart: the new header comes in the same read as <success/>, and belongs to the new stream.
        try stream.feed(success + serverHeader(id: "s2") + bindFeatures)
        #expect(try stream.written() == clientHeader + bindRequest)
        #expect(stream.outcome == nil)
        try stream.feed(bindResult)
        #expect(try stream.written() == "")
        let (jid, mechanism) = try #require(try stream.outcome?.get())
        #expect(jid == JID("juliet@example.com/balcony")!)
        #expect(mechanism == .plain)
    }

    // MARK: - Negotiation and stanzas

    @Test func negotiatesStepByStepWithExactBytes() throws {
        let stream = try StreamHarness()
        try Self.negotiate(stream)
        #expect(stream.channel.isActive)
        #expect(stream.errors.isEmpty)
    }

    @Test func aWholeNegotiationInOneReadGivesTheSameBytes() throws {
        let stream = try StreamHarness()
        try stream.connect()
        try stream.feed(Self.serverScript.joined())
        #expect(try stream.written() == Self.clientScript)
        #expect(try stream.outcome?.get().0 == JID("juliet@example.com/balcony")!)
        // The message after the bind result, in the same read, is a stanza of the established stream.
        let stanzas = try stream.stanzas()
        #expect(stanzas.count == 1)
        #expect(stanzas.first?.name == XMLName(namespace: "jabber:client", localName: "message"))
        #expect(stanzas.first?.childText("body") == "Art thou not Romeo, and a Montague?")
    }

    @Test func aNegotiationFedOneByteAtATimeGivesTheSameBytes() throws {
        let stream = try StreamHarness()
        try stream.connect()
        var written = try stream.written()
        for byte in Self.serverScript.joined().utf8 {
            try stream.feed([byte])
            written += try stream.written()
        }
        #expect(written == Self.clientScript)
        #expect(try stream.outcome?.get().0 == JID("juliet@example.com/balcony")!)
        let stanzas = try stream.stanzas()
        #expect(stanzas.map(\.name.localName) == ["message"])
        #expect(stanzas.first?["from"] == "romeo@example.net/orchard")
        #expect(stream.errors.isEmpty)
    }

    @Test func stanzasFlowBothWaysOnceEstablished() throws {
        let stream = try StreamHarness()
        try Self.negotiate(stream)

        try stream.feed(Self.inboundMessage + " <presence from='romeo@example.net/orchard'/>")
        let stanzas = try stream.stanzas()
        #expect(stanzas.map(\.name.localName) == ["message", "presence"])
        #expect(stanzas.allSatisfy { $0.name.namespace == "jabber:client" })

        // A stanza in jabber:client goes out without a redundant xmlns; a payload in another namespace declares it.
        let reply = try XMLElement(
            parsing: "<message xmlns='jabber:client' to='romeo@example.net' type='chat'><body>Neither, fair saint"
                + "</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>")
        try stream.channel.writeOutbound(reply)
        #expect(
            try stream.written()
                == "<message to='romeo@example.net' type='chat'><body>Neither, fair saint</body>"
                + "<active xmlns='http://jabber.org/protocol/chatstates'/></message>")
        // A generated type, through its element: the same rule.
        try stream.channel.writeOutbound(Presence().xmlElement())
        #expect(try stream.written() == "<presence/>")
    }

    @Test func writesBeforeTheStreamIsEstablishedFail() throws {
        let stream = try StreamHarness()
        try stream.connect()
        _ = try stream.written()
        let write = stream.channel.writeAndFlush(XMLElement(XMLName(namespace: "jabber:client", localName: "presence")))
        let result = try #require(Outcome(write).result)
        #expect(throws: XMPPClientError.self) { try result.get() }
        #expect(try stream.written() == "")
    }

    @Test func plainIsNotSentWithoutTLSUnlessAllowed() throws {
        let stream = try StreamHarness(mechanismSelector: SASLMechanismSelector())
        try stream.connect()
        try stream.feed(Self.serverHeader() + Self.saslFeatures)
        // No <auth/>: our header, then our footer, and the connection is closed.
        #expect(try stream.written() == Self.clientHeader + Self.footer)
        #expect(!stream.channel.isActive)
        let error = try #require(stream.failure)
        #expect(error.code == .authenticationFailed)
        #expect(error.message.contains("PLAIN is refused without TLS"))
    }

    // MARK: - Bad input: our stream errors

    /// Input a server might send that the stream must refuse, and the condition it is refused with.
    struct BadInput: Sendable, CustomStringConvertible {
        var description: String
        /// Sent right after the connection opens (the server's header included where wanted).
        var bytes: String
        var condition: String
    }

    static let badInputs = [
        BadInput(
            description: "mismatched tags", bytes: serverHeader() + "<stream:features><mechanisms></stream:features>",
            condition: "not-well-formed"),
        BadInput(
            description: "a DTD", bytes: "<?xml version='1.0'?><!DOCTYPE stream:stream>" + serverHeader(),
            condition: "restricted-xml"),
        BadInput(
            description: "an entity declaration",
            bytes: "<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY boom 'boom'>]>", condition: "restricted-xml"
        ),
        BadInput(
            description: "a processing instruction", bytes: serverHeader() + "<?evil instruction?>",
            condition: "restricted-xml"),
        BadInput(
            description: "a comment", bytes: serverHeader() + "<!-- hello -->", condition: "restricted-xml"),
        BadInput(
            description: "an undeclared entity", bytes: serverHeader() + "<stream:features>&boom;</stream:features>",
            condition: "restricted-xml"),
        BadInput(
            description: "a root in another namespace",
            bytes: "<stream:stream xmlns:stream='urn:example:other' version='1.0'>", condition: "invalid-namespace"),
    ]

    @Test(arguments: badInputs)
    func badInputDuringNegotiationIsAnsweredWithAStreamError(_ input: BadInput) throws {
        let stream = try StreamHarness()
        try stream.connect()
        #expect(try stream.written() == Self.clientHeader)
        try stream.feed(input.bytes)
        #expect(try stream.written() == Self.streamError(input.condition))
        #expect(!stream.channel.isActive)
        let error = try #require(stream.failure)
        #expect(error.code == .badInput)
        #expect(error.message.contains("(\(input.condition))"))
        #expect(stream.errors.isEmpty)  // reported through the negotiation, not the pipeline
    }

    @Test func aStanzaOverTheSizeLimitIsAPolicyViolation() throws {
        let stream = try StreamHarness(parser: XMLStreamParser.Configuration(maxElementBytes: 4096))
        try Self.negotiate(stream)
        // Just under the limit: delivered.
        let fits = "<message><body>" + String(repeating: "a", count: 4000) + "</body></message>"
        try stream.feed(fits)
        #expect(try stream.stanzas().count == 1)
        // Just over it, within one of the 16 KiB slices the parser hands libxml2 (once missed: the limit was only
        // checked between slices).
        try stream.feed("<message><body>" + String(repeating: "a", count: 5000) + "</body></message>")
        #expect(try stream.written() == Self.streamError("policy-violation"))
        #expect(!stream.channel.isActive)
        #expect(try stream.stanzas().isEmpty)
        // Established: the error goes down the pipeline.
        let error = try #require(stream.errors.first as? XMPPClientError)
        #expect(error.code == .badInput)
        #expect(error.message.contains("(policy-violation)"))
        #expect(stream.errors.count == 1)
    }

    @Test func stanzasBeforeBadInputInTheSameReadAreDelivered() throws {
        let stream = try StreamHarness()
        try Self.negotiate(stream)
        try stream.feed(Self.inboundMessage + "<?evil instruction?>")
        #expect(try stream.written() == Self.streamError("restricted-xml"))
        #expect(try stream.stanzas().map(\.name.localName) == ["message"])
        #expect((stream.errors.first as? XMPPClientError)?.code == .badInput)
    }

    // MARK: - Stream errors from the server

    static let conflict =
        "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
        + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Replaced by new connection</text></stream:error>"

    @Test func aStreamErrorDuringNegotiationFailsItWithConditionAndText() throws {
        let stream = try StreamHarness()
        try stream.connect()
        _ = try stream.written()
        try stream.feed(
            Self.serverHeader()
                + "<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>No such domain here</text></stream:error>"
                + Self.footer)
        #expect(try stream.written() == Self.footer)
        #expect(!stream.channel.isActive)
        let error = try #require(stream.failure)
        #expect(error.code == .streamError)
        #expect(error.message.contains("host-unknown"))
        #expect(error.message.contains("No such domain here"))
    }

    @Test func aStreamErrorOnAnEstablishedStreamReachesThePipeline() throws {
        let stream = try StreamHarness()
        try Self.negotiate(stream)
        try stream.feed(Self.inboundMessage + Self.conflict + Self.footer)
        // The stanza before the error still arrives; we answer the server's footer with ours.
        #expect(try stream.stanzas().map(\.name.localName) == ["message"])
        #expect(try stream.written() == Self.footer)
        #expect(!stream.channel.isActive)
        let error = try #require(stream.errors.first as? XMPPClientError)
        #expect(error.code == .streamError)
        #expect(error.message.contains("conflict"))
        #expect(error.message.contains("Replaced by new connection"))
        #expect(stream.errors.count == 1)
    }

    // MARK: - Closing

    @Test func aGracefulCloseWaitsForTheServersFooter() throws {
        let stream = try StreamHarness(closeTimeout: .seconds(3))
        try Self.negotiate(stream)
        let close = Outcome(stream.channel.close())
        #expect(try stream.written() == Self.footer)
        stream.channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(stream.channel.isActive)
        #expect(close.result == nil)
        // Stanzas the server sent before its footer still arrive.
        try stream.feed(Self.inboundMessage)
        #expect(try stream.stanzas().count == 1)
        try stream.feed(Self.footer)
        #expect(!stream.channel.isActive)
        #expect(throws: Never.self) { try close.result?.get() }
        #expect(close.result != nil)
        #expect(try stream.written() == "")
    }

    @Test func aGracefulCloseGivesUpAfterTheCloseTimeout() throws {
        let stream = try StreamHarness(closeTimeout: .seconds(3))
        try Self.negotiate(stream)
        let close = Outcome(stream.channel.close())
        #expect(try stream.written() == Self.footer)
        stream.channel.embeddedEventLoop.advanceTime(by: .milliseconds(2999))
        #expect(stream.channel.isActive)
        stream.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!stream.channel.isActive)
        #expect(close.result != nil)
        #expect(try stream.written() == "")
    }

    @Test func badInputAfterOurFooterIsNotAnswered() throws {
        let stream = try StreamHarness()
        try Self.negotiate(stream)
        let close = Outcome(stream.channel.close())
        #expect(try stream.written() == Self.footer)
        try stream.feed("<?evil instruction?>")
        // Nothing may follow our footer, not even a stream error; the connection closes.
        #expect(try stream.written() == "")
        #expect(!stream.channel.isActive)
        #expect((stream.errors.first as? XMPPClientError)?.code == .badInput)
        #expect(close.result != nil)
    }

    @Test func theServerClosingTheStreamIsAnsweredWithOurFooter() throws {
        let stream = try StreamHarness()
        try Self.negotiate(stream)
        try stream.feed(Self.footer)
        #expect(try stream.written() == Self.footer)
        #expect(!stream.channel.isActive)
        #expect(stream.errors.isEmpty)
    }

    @Test func closingDuringNegotiationSendsOneFooter() throws {
        let stream = try StreamHarness()
        try stream.connect()
        try stream.feed(Self.serverHeader())
        #expect(try stream.written() == Self.clientHeader)
        let close = Outcome(stream.channel.close())
        #expect(try stream.written() == Self.footer)
        try stream.feed(Self.footer)
        #expect(try stream.written() == "")
        #expect(!stream.channel.isActive)
        #expect(stream.failure?.code == .connectionClosed)
        #expect(throws: Never.self) { try close.result?.get() }
        #expect(close.result != nil)
    }

    @Test func negotiationTimesOut() throws {
        let stream = try StreamHarness(negotiationTimeout: .seconds(30))
        try stream.connect()
        try stream.feed(Self.serverHeader() + Self.saslFeatures)
        #expect(try stream.written() == Self.clientHeader + Self.auth)
        stream.channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(stream.outcome == nil)
        #expect(stream.channel.isActive)
        stream.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(stream.failure?.code == .timeout)
        #expect(try stream.written() == Self.footer)
        #expect(!stream.channel.isActive)
    }

    @Test func anEstablishedStreamDoesNotTimeOut() throws {
        let stream = try StreamHarness(negotiationTimeout: .seconds(30))
        try Self.negotiate(stream)
        stream.channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(stream.channel.isActive)
        #expect(try stream.written() == "")
    }
}

// MARK: - Harness

/// One ``XMPPStreamHandler`` on an `EmbeddedChannel`, with what it reports: the negotiation's outcome, errors that
/// reach the end of the pipeline, stanzas passed on.
final class StreamHarness {
    let channel = EmbeddedChannel()
    let errors = ErrorRecorder()
    private let established: Outcome<(JID, SASLMechanismName)>

    init(
        mechanismSelector: SASLMechanismSelector = SASLMechanismSelector(insecureAllowPlainWithoutTLS: true),
        parser: XMLStreamParser.Configuration = .xmppStream,
        negotiationTimeout: TimeAmount = .seconds(30),
        closeTimeout: TimeAmount = .seconds(3),
        streamManagement: StreamManagementSession? = nil,
        resumption: StreamManagement.Resumption? = nil,
        liveness: XMPPStreamHandler.Liveness = .off,
        framing: XMPPStreamHandler.Framing = .xmlStream
    ) throws {
        let promise = channel.eventLoop.makePromise(of: (JID, SASLMechanismName).self)
        established = Outcome(promise.futureResult)
        let settings = ClientNegotiation.Settings(
            jid: JID("juliet@example.com/balcony")!,
            credentials: .password(username: "juliet", password: "r0m30myr0m30"), security: .insecurePlaintext,
            mechanismSelector: mechanismSelector,
            streamManagement: streamManagement.map { $0.withState { $0.settings } }, resumption: resumption)
        let handler = XMPPStreamHandler(
            settings: settings, tlsConfiguration: nil, established: promise, negotiationTimeout: negotiationTimeout,
            closeTimeout: closeTimeout, parserConfiguration: parser, streamManagement: streamManagement,
            liveness: liveness, framing: framing)
        try channel.pipeline.syncOperations.addHandlers([handler, errors])
    }

    /// The negotiation's outcome, once there is one.
    var outcome: Result<(JID, SASLMechanismName), any Error>? { established.result }

    /// The negotiation's failure, if it failed.
    var failure: XMPPClientError? {
        guard case .failure(let error) = outcome else { return nil }
        return error as? XMPPClientError
    }

    /// Brings the connection up: the handler opens the stream.
    func connect() throws {
        channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 5222), promise: nil)
    }

    /// Delivers bytes from the server in one read.
    func feed(_ text: String) throws {
        try feed(Array(text.utf8))
    }

    /// Delivers bytes from the server in one read.
    func feed(_ bytes: [UInt8]) throws {
        guard channel.isActive else { return }
        try channel.writeInbound(ByteBuffer(bytes: bytes))
    }

    /// What the handler wrote since the last call, as text.
    func written() throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += String(buffer: buffer)
        }
        return text
    }

    /// What the handler wrote since the last call, one string per write (per message, over WebSocket).
    func messages() throws -> [String] {
        var messages: [String] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            messages.append(String(buffer: buffer))
        }
        return messages
    }

    /// The stanzas passed on since the last call.
    func stanzas() throws -> [XMLElement] {
        var stanzas: [XMLElement] = []
        while let stanza = try channel.readInbound(as: XMLElement.self) {
            stanzas.append(stanza)
        }
        return stanzas
    }
}

/// The last handler: keeps the errors that reach it (instead of the channel rethrowing them) and passes stanzas on.
final class ErrorRecorder: ChannelInboundHandler {
    typealias InboundIn = XMLElement
    private(set) var errors: [any Error] = []

    var isEmpty: Bool { errors.isEmpty }
    var first: (any Error)? { errors.first }
    var count: Int { errors.count }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        errors.append(error)
    }
}

/// The result of a future on the embedded loop, once it has one.
final class Outcome<Value> {
    private(set) var result: Result<Value, any Error>?

    init(_ future: EventLoopFuture<Value>) {
        future.assumeIsolated().whenComplete { [self] in result = $0 }
    }
}
