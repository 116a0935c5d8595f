import Foundation
import NIOCore
import NIOEmbedded
import SASL
import Testing
import XMPPCore
import XMPPStream
import XMPPTesting

/// XEP-0198 on the wire: ``XMPPStreamHandler`` with a ``StreamManagementSession`` on an `EmbeddedChannel`, the
/// server's side scripted and what the client writes compared byte for byte. Time is the embedded loop's.
@Suite struct StreamManagementWireTests {
    typealias Script = XMPPStreamHandlerTests

    static let sm = "urn:xmpp:sm:3"
    static let bindAndSMFeatures =
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><sm xmlns='urn:xmpp:sm:3'/>"
        + "</stream:features>"
    static let enable = "<enable xmlns='urn:xmpp:sm:3' resume='true'/>"
    static let request = "<r xmlns='urn:xmpp:sm:3'/>"
    static func answer(_ h: UInt32) -> String { "<a xmlns='urn:xmpp:sm:3' h='\(h)'/>" }
    static func message(_ n: Int) -> String {
        "<message to='romeo@example.net' id='m\(n)' type='chat'><body>\(n)</body></message>"
    }
    static func inbound(_ n: Int) -> String {
        "<message from='romeo@example.net/orchard' id='in\(n)' type='chat'><body>\(n)</body></message>"
    }
    static let jid = JID("juliet@example.com/balcony")!

    /// Negotiates up to bind with stream management offered; returns after the client asked to enable it.
    static func negotiateToEnable(_ stream: StreamHarness) throws {
        try stream.connect()
        #expect(try stream.written() == Script.clientHeader)
        try stream.feed(Script.serverHeader() + Script.saslFeatures)
        #expect(try stream.written() == Script.auth)
        try stream.feed(Script.success + Script.serverHeader(id: "s2") + bindAndSMFeatures)
        #expect(try stream.written() == Script.clientHeader + Script.bindRequest)
        try stream.feed(Script.bindResult)
        #expect(try stream.written() == enable)
        #expect(stream.outcome == nil)
    }

    /// A managed, resumable stream (id `sm-1`).
    static func managedStream(
        settings: StreamManagement.Settings = StreamManagement.Settings(),
        liveness: XMPPStreamHandler.Liveness = .off
    ) throws -> (StreamHarness, StreamManagementSession) {
        let session = StreamManagementSession(settings: settings)
        let stream = try StreamHarness(streamManagement: session, liveness: liveness)
        try negotiateToEnable(stream)
        try stream.feed("<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true' max='300'/>")
        #expect(try stream.outcome?.get().0 == jid)
        return (stream, session)
    }

    static func send(_ text: String, on stream: StreamHarness) throws {
        try stream.channel.writeAndFlush(XMLElement(parsing: text, defaultNamespace: "jabber:client")).wait()
    }

    // MARK: - Enabling, counting, acknowledging

    @Test func enablesAfterBindAndBecomesResumable() throws {
        let (stream, session) = try Self.managedStream()
        let resumption = try #require(session.resumption)
        #expect(resumption.id == "sm-1")
        #expect(resumption.handled == 0)
        #expect(resumption.boundJID == Self.jid)
        #expect(session.withState { $0.maximumResumptionTime } == 300)
        #expect(session.lastOutcome.map { if case .enabled = $0 { true } else { false } } == true)
        #expect(stream.errors.isEmpty)
    }

    @Test func aRefusedEnableLeavesAnUnmanagedStream() throws {
        let session = StreamManagementSession()
        let stream = try StreamHarness(streamManagement: session)
        try Self.negotiateToEnable(stream)
        try stream.feed(
            "<failed xmlns='urn:xmpp:sm:3'><unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>")
        #expect(try stream.outcome?.get().0 == Self.jid)
        #expect(session.lastOutcome == .enableFailed(condition: "unexpected-request"))
        // Not managed: a stanza sent is not queued, and no <r/> follows five of them.
        for n in 1...5 { try Self.send(Self.message(n), on: stream) }
        #expect(!(try stream.written()).contains("urn:xmpp:sm:3"))
        #expect(session.unacknowledgedCount == 0)
    }

    /// Found against ejabberd: a room's presence for the resource just bound came before `<enabled/>`, and was
    /// taken for a broken negotiation.
    @Test func stanzasRoutedBeforeEnabledArePassedOnAfterItInOrderAndNotCounted() throws {
        let session = StreamManagementSession()
        let stream = try StreamHarness(streamManagement: session)
        try Self.negotiateToEnable(stream)
        try stream.feed("<presence from='garden@rooms.example.com/romeo' id='early1'/>")
        #expect(stream.outcome == nil)
        try stream.feed(
            Self.inbound(1).replacingOccurrences(of: "id='in1'", with: "id='early2'")
                + "<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true'/>" + Self.inbound(2) + Self.request)
        #expect(try stream.outcome?.get().0 == Self.jid)
        #expect(try stream.stanzas().map { $0["id"] } == ["early1", "early2", "in2"])
        // The server counts from its <enabled/>: one stanza handled since.
        #expect(try stream.written() == Self.answer(1))
        #expect(stream.errors.isEmpty)
    }

    @Test func withoutTheFeatureNothingIsAskedFor() throws {
        let session = StreamManagementSession()
        let stream = try StreamHarness(streamManagement: session)
        try stream.connect()
        try stream.feed(
            Script.serverHeader() + Script.saslFeatures + Script.success + Script.serverHeader(id: "s2")
                + Script.bindFeatures + Script.bindResult)
        #expect(try stream.written() == Script.clientScript)
        #expect(try stream.outcome?.get().0 == Self.jid)
        #expect(session.lastOutcome == .notOffered)
    }

    @Test func countsInboundStanzasAndAnswersRequestsAtOnce() throws {
        let (stream, _) = try Self.managedStream()
        try stream.feed(Self.inbound(1) + Self.inbound(2) + Self.request)
        #expect(try stream.written() == Self.answer(2))
        // Nonzas are not stanzas: only the two messages are passed on, and <r/> is not counted.
        #expect(try stream.stanzas().map { $0["id"] } == ["in1", "in2"])
        try stream.feed(Self.request)
        #expect(try stream.written() == Self.answer(2))
        try stream.feed(Self.inbound(3) + "<presence from='romeo@example.net/orchard'/>" + Self.request)
        #expect(try stream.written() == Self.answer(4))
    }

    @Test func queuesUntilAcknowledgedAndRequestsEveryFiveStanzas() throws {
        let (stream, session) = try Self.managedStream()
        for n in 1...4 { try Self.send(Self.message(n), on: stream) }
        #expect(try stream.written() == (1...4).map(Self.message).joined())
        try Self.send(Self.message(5), on: stream)
        #expect(try stream.written() == Self.message(5) + Self.request)
        #expect(session.unacknowledgedCount == 5)
        try stream.feed(Self.answer(3))
        #expect(session.unacknowledgedCount == 2)
        #expect(session.withState { $0.unacknowledged.map { $0["id"] } } == ["m4", "m5"])
        try stream.feed(Self.answer(5))
        #expect(session.unacknowledgedCount == 0)
        #expect(stream.errors.isEmpty)
        #expect(try stream.stanzas().isEmpty)
    }

    @Test func requestsAnAcknowledgementAWhileAfterAStanza() throws {
        let (stream, session) = try Self.managedStream(
            settings: StreamManagement.Settings(requestAfterStanzas: 100, requestAfterMilliseconds: 500))
        try Self.send(Self.message(1), on: stream)
        #expect(try stream.written() == Self.message(1))
        stream.channel.embeddedEventLoop.advanceTime(by: .milliseconds(499))
        #expect(try stream.written() == "")
        stream.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(try stream.written() == Self.request)
        // Acknowledged meanwhile: the next timer finds nothing to ask about.
        try Self.send(Self.message(2), on: stream)
        try stream.feed(Self.answer(2))
        #expect(session.unacknowledgedCount == 0)
        stream.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(try stream.written() == Self.message(2))
    }

    @Test func anAcknowledgementOfMoreThanWasSentIsAStreamError() throws {
        let (stream, session) = try Self.managedStream()
        try Self.send(Self.message(1), on: stream)
        try Self.send(Self.message(2), on: stream)
        _ = try stream.written()
        try stream.feed(Self.answer(7))
        #expect(
            try stream.written()
                == "<stream:error><undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                + "<handled-count-too-high xmlns='urn:xmpp:sm:3' h='7' send-count='2'/></stream:error>"
                + Script.footer)
        #expect(!stream.channel.isActive)
        let error = try #require(stream.errors.first as? XMPPClientError)
        #expect(error.code == .badInput)
        #expect(error.condition == "undefined-condition")
        #expect(error.message.contains("acknowledged 7 stanzas, but only 2 were sent"))
        // Nothing was dropped from the queue.
        #expect(session.unacknowledgedCount == 2)
    }

    @Test func anAcknowledgementThatIsNotANumberIsAStreamError() throws {
        let (stream, _) = try Self.managedStream()
        try stream.feed("<a xmlns='urn:xmpp:sm:3' h='-1'/>")
        #expect(try stream.written().hasPrefix("<stream:error><undefined-condition"))
        #expect(!stream.channel.isActive)
    }

    @Test func aStormOfRequestsInOneReadGetsOneAnswer() throws {
        let (stream, _) = try Self.managedStream()
        try stream.feed(String(repeating: Self.request, count: 10_000))
        #expect(try stream.written() == Self.answer(0))
        #expect(stream.channel.isActive)
    }

    @Test func aResumptionIDOf10KBIsRefused() throws {
        let session = StreamManagementSession()
        let stream = try StreamHarness(streamManagement: session)
        try Self.negotiateToEnable(stream)
        let id = String(repeating: "x", count: 10 * 1024)
        try stream.feed("<enabled xmlns='urn:xmpp:sm:3' id='\(id)' resume='true'/>")
        #expect(try stream.outcome?.get().0 == Self.jid)
        // Managed (acknowledgements work), but not resumable: the id is not kept.
        #expect(session.resumption == nil)
        try stream.feed(Self.inbound(1) + Self.request)
        #expect(try stream.written() == Self.answer(1))
    }

    // MARK: - Resumption

    /// A session as a resumable stream left it: id `sm-1`, 41 stanzas handled, 3 unacknowledged after 10 acked.
    static func leftSession(handled: UInt32 = 41, acknowledged: UInt32 = 10) throws -> StreamManagementSession {
        try StreamManagementSession(
            restoring: StreamManagementSession.SavedState(
                id: "sm-1", location: nil, maximumResumptionTime: 300, boundJID: jid.description, handled: handled,
                acknowledged: acknowledged,
                unacknowledged: [
                    message(1), message(2), "<iq type='get' id='q1'><query xmlns='jabber:iq:version'/></iq>",
                ]))
    }

    /// The server's `<failed/>` to a resumption, with the count it had handled, if it says.
    static func itemNotFound(h: UInt32?) -> String {
        "<failed xmlns='urn:xmpp:sm:3'\(h.map { " h='\($0)'" } ?? "")><item-not-found "
            + "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>"
    }

    static func messageElement(_ n: Int) throws -> XMLElement {
        try XMLElement(parsing: message(n), defaultNamespace: "jabber:client")
    }

    static func resumptionScript(_ stream: StreamHarness, h: UInt32) throws {
        try stream.connect()
        _ = try stream.written()
        try stream.feed(Script.serverHeader() + Script.saslFeatures)
        _ = try stream.written()
        try stream.feed(Script.success + Script.serverHeader(id: "s2") + bindAndSMFeatures)
        #expect(try stream.written() == Script.clientHeader + "<resume xmlns='urn:xmpp:sm:3' previd='sm-1' h='\(h)'/>")
    }

    @Test func resumesAndSendsWhatTheServerHadNotHandledInOrder() throws {
        let session = try Self.leftSession()
        let stream = try StreamHarness(streamManagement: session, resumption: session.resumption)
        try Self.resumptionScript(stream, h: 41)
        try stream.feed("<resumed xmlns='urn:xmpp:sm:3' previd='sm-1' h='11'/>")
        #expect(
            try stream.written()
                == Self.message(2) + "<iq type='get' id='q1'><query xmlns='jabber:iq:version'/></iq>" + Self.request)
        // The resumed stream keeps its JID and its counts.
        #expect(try stream.outcome?.get().0 == Self.jid)
        #expect(session.lastOutcome == .resumed(handled: 11))
        #expect(session.unacknowledgedCount == 2)
        try stream.feed(Self.inbound(1) + Self.request)
        #expect(try stream.written() == Self.answer(42))
        try stream.feed(Self.answer(13))
        #expect(session.unacknowledgedCount == 0)
    }

    @Test func aResumedCountOfMoreThanWasSentIsAStreamError() throws {
        let session = try Self.leftSession()
        let stream = try StreamHarness(streamManagement: session, resumption: session.resumption)
        try Self.resumptionScript(stream, h: 41)
        try stream.feed("<resumed xmlns='urn:xmpp:sm:3' previd='sm-1' h='14'/>")
        #expect(try stream.written().contains("<handled-count-too-high xmlns='urn:xmpp:sm:3' h='14' send-count='13'/>"))
        #expect(stream.failure?.code == .badInput)
        #expect(session.unacknowledgedCount == 3)
    }

    @Test func countsWrapAroundAt2To32() throws {
        // 2^32 - 2 handled and acknowledged: three more stanzas each way wrap to 1.
        let session = try Self.leftSession(handled: .max - 1, acknowledged: .max - 1)
        let stream = try StreamHarness(streamManagement: session, resumption: session.resumption)
        try Self.resumptionScript(stream, h: .max - 1)
        // The server handled the first of the three: h = 2^32 - 1.
        try stream.feed("<resumed xmlns='urn:xmpp:sm:3' previd='sm-1' h='\(UInt32.max)'/>")
        #expect(try stream.written().hasPrefix(Self.message(2)))
        #expect(session.unacknowledgedCount == 2)
        // Both others acknowledged across the wrap: h = 1.
        try stream.feed(Self.answer(1))
        #expect(session.unacknowledgedCount == 0)
        #expect(session.withState { $0.acknowledged } == 1)
        try stream.feed(Self.inbound(1) + Self.inbound(2) + Self.inbound(3) + Self.request)
        #expect(try stream.written() == Self.answer(1))
        // And one too many across the wrap is still refused.
        try stream.feed(Self.answer(2))
        #expect(try stream.written().contains("handled-count-too-high"))
    }

    @Test func aFailedResumptionBindsAnewAndHandsBackTheUnacknowledged() throws {
        let session = try Self.leftSession()
        let stream = try StreamHarness(streamManagement: session, resumption: session.resumption)
        try Self.resumptionScript(stream, h: 41)
        // The server says it had handled 11 (the first message): only the other two come back.
        try stream.feed(Self.itemNotFound(h: 11))
        #expect(try stream.written() == Script.bindRequest)
        #expect(session.lastOutcome == .resumeFailed(condition: "item-not-found", handled: 11))
        try stream.feed(Script.bindResult)
        #expect(try stream.written() == Self.enable)
        try stream.feed("<enabled xmlns='urn:xmpp:sm:3' id='sm-2' resume='true'/>")
        #expect(try stream.outcome?.get().0 == Self.jid)
        #expect(session.takeOrphans().map { $0["id"] } == ["m2", "q1"])
        #expect(session.takeOrphans().isEmpty)
        #expect(session.resumption?.id == "sm-2")
        #expect(session.resumption?.handled == 0)
        #expect(session.unacknowledgedCount == 0)
    }

    /// Found by killing a real server: a stanza the application sends after `<failed/>` and before `<enabled/>` is
    /// held in the queue but not written; had it stayed there, the new stream's first `<a h='1'/>` would have
    /// "acknowledged" it instead of the stanza the server did count, which would then go again after the next loss.
    @Test func whatIsHeldBeforeTheNewStreamIsEnabledGoesAfterTheOrphansAndIsNotCountedByTheServer() throws {
        let session = try Self.leftSession()
        let stream = try StreamHarness(streamManagement: session, resumption: session.resumption)
        try Self.resumptionScript(stream, h: 41)
        try stream.feed(Self.itemNotFound(h: 11))
        #expect(session.hold(try Self.messageElement(7)))
        try stream.feed(Script.bindResult)
        #expect(session.hold(try Self.messageElement(8)))
        _ = try stream.written()
        try stream.feed("<enabled xmlns='urn:xmpp:sm:3' id='sm-2' resume='true'/>")
        #expect(try stream.outcome?.get().0 == Self.jid)
        // Nothing was written for them on this stream, and the server counts from zero: the queue is empty.
        #expect(try stream.written() == "")
        #expect(session.unacknowledgedCount == 0)
        #expect(session.takeOrphans().map { $0["id"] } == ["m2", "q1", "m7", "m8"])
    }

    @Test func whatIsHeldWhenTheNewStreamIsNotManagedIsHandedBackToo() throws {
        let session = try Self.leftSession()
        let stream = try StreamHarness(streamManagement: session, resumption: session.resumption)
        try Self.resumptionScript(stream, h: 41)
        try stream.feed(
            "<failed xmlns='urn:xmpp:sm:3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>")
        #expect(session.hold(try Self.messageElement(7)))
        try stream.feed(Script.bindResult)
        try stream.feed(
            "<failed xmlns='urn:xmpp:sm:3'><unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>")
        #expect(try stream.outcome?.get().0 == Self.jid)
        #expect(session.takeOrphans().map { $0["id"] } == ["m1", "m2", "q1", "m7"])
        #expect(session.unacknowledgedCount == 0)
    }

    @Test func aServerThatNoLongerOffersItIsAFailedResumption() throws {
        let session = try Self.leftSession()
        let stream = try StreamHarness(streamManagement: session, resumption: session.resumption)
        try stream.connect()
        try stream.feed(
            Script.serverHeader() + Script.saslFeatures + Script.success + Script.serverHeader(id: "s2")
                + Script.bindFeatures)
        #expect(try stream.written().hasSuffix(Script.bindRequest))
        #expect(session.lastOutcome == .resumeFailed(condition: "not-offered", handled: nil))
        #expect(session.takeOrphans().count == 3)
    }

    @Test func theStateSurvivesExportAndRestore() throws {
        let (stream, session) = try Self.managedStream()
        try Self.send(Self.message(1), on: stream)
        try Self.send(
            "<message to='romeo@example.net' id='m2'><body>a &lt; b &amp; c</body>"
                + "<active xmlns='http://jabber.org/protocol/chatstates'/></message>", on: stream)
        try stream.feed(Self.inbound(1))
        let saved = session.export()
        #expect(saved.id == "sm-1")
        #expect(saved.handled == 1)
        #expect(saved.unacknowledged.count == 2)
        let restored = try StreamManagementSession(restoring: saved)
        #expect(restored.resumption == session.resumption)
        #expect(
            restored.withState { Array($0.unacknowledged) } == session.withState { Array($0.unacknowledged) })
        #expect(restored.export() == saved)
    }

    // MARK: - Liveness

    @Test func anUnansweredRequestFindsADeadConnection() throws {
        let (stream, _) = try Self.managedStream(
            liveness: XMPPStreamHandler.Liveness(
                whitespaceKeepalive: nil, readIdleTimeout: .seconds(10), probeTimeout: .seconds(5)))
        let loop = stream.channel.embeddedEventLoop
        loop.advanceTime(by: .seconds(9))
        #expect(try stream.written() == "")
        // Input resets the idle time.
        try stream.feed(" ")
        loop.advanceTime(by: .seconds(9))
        #expect(try stream.written() == "")
        loop.advanceTime(by: .seconds(1))
        #expect(try stream.written() == Self.request)
        loop.advanceTime(by: .milliseconds(4999))
        #expect(stream.channel.isActive)
        loop.advanceTime(by: .milliseconds(1))
        #expect(!stream.channel.isActive)
        let error = try #require(stream.errors.first as? XMPPClientError)
        #expect(error.code == .timeout)
        #expect(error.message.contains("did not answer within 5 s"))
    }

    @Test func anAnsweredProbeKeepsTheConnection() throws {
        let (stream, _) = try Self.managedStream(
            liveness: XMPPStreamHandler.Liveness(
                whitespaceKeepalive: nil, readIdleTimeout: .seconds(10), probeTimeout: .seconds(5)))
        let loop = stream.channel.embeddedEventLoop
        loop.advanceTime(by: .seconds(10))
        #expect(try stream.written() == Self.request)
        loop.advanceTime(by: .seconds(2))
        try stream.feed(Self.answer(0))
        loop.advanceTime(by: .seconds(7))
        #expect(stream.channel.isActive)
        #expect(stream.errors.isEmpty)
    }

    @Test func withoutStreamManagementTheProbeIsAPingAndItsAnswerIsSwallowed() throws {
        let stream = try StreamHarness(
            liveness: XMPPStreamHandler.Liveness(
                whitespaceKeepalive: nil, readIdleTimeout: .seconds(10), probeTimeout: .seconds(5)))
        try Script.negotiate(stream)
        stream.channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(try stream.written() == "<iq id='liveness-1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>")
        try stream.feed("<iq from='example.com' id='liveness-1' type='result'/>")
        #expect(try stream.stanzas().isEmpty)
        stream.channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(stream.channel.isActive)
    }

    @Test func whitespaceKeepsAnIdleStreamAlive() throws {
        let stream = try StreamHarness(
            liveness: XMPPStreamHandler.Liveness(whitespaceKeepalive: .seconds(30), readIdleTimeout: nil))
        try Script.negotiate(stream)
        let loop = stream.channel.embeddedEventLoop
        loop.advanceTime(by: .seconds(20))
        try Self.send(Self.message(1), on: stream)
        #expect(try stream.written() == Self.message(1))
        // 30 s after the last write, not after the last keepalive check.
        loop.advanceTime(by: .seconds(29))
        #expect(try stream.written() == "")
        loop.advanceTime(by: .seconds(21))
        #expect(try stream.written() == " ")
        loop.advanceTime(by: .seconds(30))
        #expect(try stream.written() == " ")
    }

    // MARK: - Stream errors and headers

    @Test func aStreamErrorAfterBindingIsReportedByItsConditionWithItsTextMadeSafe() throws {
        let stream = try StreamHarness()
        try Script.negotiate(stream)
        let text = "Replaced by\t\nanother\u{202E} connection " + String(repeating: "z", count: 500)
        try stream.feed(
            "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>\(text)</text></stream:error>")
        let error = try #require(stream.errors.first as? XMPPClientError)
        #expect(error.code == .streamError)
        #expect(error.condition == "conflict")
        #expect(error.message.hasPrefix("the server sent a stream error (conflict): Replaced by  another  connection"))
        #expect(!error.message.contains("\n"))
        #expect(error.message.hasSuffix("…"))
        #expect(error.message.count < 260)
        #expect(!stream.channel.isActive)
    }

    @Test func aHeaderInAnotherContentNamespaceIsRefused() throws {
        let stream = try StreamHarness()
        try stream.connect()
        _ = try stream.written()
        try stream.feed(
            "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
                + "from='example.com' id='s1' version='1.0'>")
        #expect(
            try stream.written()
                == "<stream:error><invalid-namespace xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"
                + Script.footer)
        #expect(stream.failure?.condition == "invalid-namespace")
        #expect(!stream.channel.isActive)
    }

    @Test func aRestartedHeaderInAnotherContentNamespaceIsRefusedToo() throws {
        let stream = try StreamHarness()
        try stream.connect()
        try stream.feed(Script.serverHeader() + Script.saslFeatures)
        _ = try stream.written()
        try stream.feed(
            Script.success
                + "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
                + "xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='s2' version='1.0'>")
        #expect(try stream.written().contains("<invalid-namespace xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"))
        #expect(stream.failure?.condition == "invalid-namespace")
    }
}
