import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SASL
import Testing
import XMPPCore
import XMPPStream
import XMPPTLS
import XMPPTesting

/// Negotiation over a real connection to the private Prosody and ejabberd, with the pipeline built here as
/// `XMPPClient.connect` builds it, so that the TLS versions can be pinned: which SASL mechanism is chosen, and
/// whether a channel binding (SCRAM -PLUS) is used and accepted by the server.
///
/// What the servers offer here: Prosody 0.12 offers SCRAM-SHA-1-PLUS (tls-unique only) when TLS 1.2 is negotiated
/// and no -PLUS under TLS 1.3; ejabberd 23.01 offers SCRAM-SHA-256-PLUS (tls-unique only) under both. Neither lists
/// its channel-binding types (XEP-0440), so tls-unique is the only type the client may assume (RFC 5802), and it does
/// not exist under TLS 1.3 (RFC 9266): there the client uses plain SCRAM.
@Suite("Negotiation against live servers", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(1)))
struct LiveNegotiationTests {
    /// What a negotiation ended with.
    struct Negotiated {
        var jid: JID
        var mechanism: SASLMechanismName
        var tls: TLSHandshakeCompleted
        /// The SASL mechanisms the server offered after STARTTLS.
        var offered: [String]
        /// The GS2 header of our first SCRAM message: `p=tls-unique,,`, `y,,` or `n,,`.
        var gs2Header: String
        /// Whether we authenticated with SASL2 (XEP-0388) rather than RFC 6120 SASL.
        var usedSASL2: Bool
    }

    /// Connects with STARTTLS and these TLS settings, negotiates, and closes gracefully.
    static func negotiate(
        _ server: LiveServer, account: String, minimumVersion: TLSVersion = .tls12, maximumVersion: TLSVersion?
    ) async throws -> Negotiated {
        var tls = TLSConfiguration(
            domain: server.domain, trustRoots: .caFile(server.caFile), minimumVersion: minimumVersion)
        tls.maximumVersion = maximumVersion
        let tlsConfiguration = tls
        let settings = ClientNegotiation.Settings(
            jid: try JID(parsing: "\(account)@\(server.domain)/live-negotiation"),
            credentials: .password(username: account, password: server.password))
        let group = MultiThreadedEventLoopGroup.singleton
        let established = group.any().makePromise(of: (JID, SASLMechanismName).self)
        let handshake = group.any().makePromise(of: TLSHandshakeCompleted.self)
        let wire = WireRecorder()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // TLS goes in front when STARTTLS succeeds, so the recorder sees plaintext.
                    try channel.pipeline.syncOperations.addHandlers([
                        WireRecorder.Handler(wire),
                        XMPPStreamHandler(
                            settings: settings, tlsConfiguration: tlsConfiguration, established: established,
                            negotiationTimeout: .seconds(20)),
                        HandshakeRecorder(handshake: handshake),
                    ])
                }
            }
            .connect(host: server.host, port: server.startTLSPort).get()
        do {
            let (jid, mechanism) = try await established.futureResult.get()
            let event = try await handshake.futureResult.get()
            // A graceful close: our footer, the server's, then the connection.
            try await channel.close()
            return Negotiated(
                jid: jid, mechanism: mechanism, tls: event, offered: try wire.offeredMechanisms(),
                gs2Header: try wire.gs2Header(), usedSASL2: wire.usedSASL2)
        } catch {
            try? await channel.close()
            handshake.fail(error)
            throw error
        }
    }

    @Test(arguments: LiveServer.names)
    func tls12UsesSCRAMPlusWithTLSUnique(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let result = try await Self.negotiate(server, account: "alice", maximumVersion: .tls12)
        #expect(result.tls.version == .tls12)
        #expect(result.tls.channelBindings[.tlsUnique]?.count == 12)
        // The server checked the binding: a wrong one fails the exchange (RFC 5802 §6).
        #expect(result.mechanism == (name == "prosody" ? .scramSHA1Plus : .scramSHA256Plus))
        #expect(result.offered.contains(result.mechanism.rawValue))
        #expect(result.gs2Header == "p=tls-unique,,")
        // Prosody's SASL2 offers no -PLUS here: RFC 6120 SASL, which can bind to the channel, wins over it.
        #expect(!result.usedSASL2)
        #expect(result.jid == (try JID(parsing: "alice@\(server.domain)/live-negotiation")))
    }

    @Test(arguments: LiveServer.names)
    func tls13UsesPlainSCRAMForWantOfTLSUnique(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let result = try await Self.negotiate(server, account: "bob", minimumVersion: .tls13, maximumVersion: nil)
        #expect(result.tls.version == .tls13)
        #expect(result.tls.channelBindings[.tlsUnique] == nil)
        #expect(result.tls.channelBindings[.tlsExporter] != nil)
        #expect(result.mechanism == (name == "prosody" ? .scramSHA1 : .scramSHA256))
        // Neither path can bind here: SASL2 where offered (one restart fewer), RFC 6120 SASL elsewhere.
        #expect(result.usedSASL2 == server.offersSASL2)
        if name == "prosody" {
            // No -PLUS offered under TLS 1.3; we could bind (tls-exporter), so we say so: 'y' (RFC 5802 §6).
            #expect(!result.offered.contains { $0.hasSuffix("-PLUS") })
            #expect(result.gs2Header == "y,,")
        } else {
            // -PLUS offered, but only with tls-unique, which TLS 1.3 lacks: 'n', which the server accepts.
            #expect(result.offered.contains("SCRAM-SHA-256-PLUS"))
            #expect(result.gs2Header == "n,,")
        }
        #expect(result.jid.bare == (try JID(parsing: "bob@\(server.domain)")))
    }
}

/// Keeps the TLS handshake's outcome, which ``XMPPStreamHandler`` passes on.
final class HandshakeRecorder: ChannelInboundHandler {
    typealias InboundIn = XMLElement
    let handshake: EventLoopPromise<TLSHandshakeCompleted>

    init(handshake: EventLoopPromise<TLSHandshakeCompleted>) {
        self.handshake = handshake
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompleted {
            handshake.succeed(completed)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// The plaintext both ways, for checking what the server offered and what we answered.
final class WireRecorder: Sendable {
    private let inbound = NIOLockedValueBox("")
    private let outbound = NIOLockedValueBox("")

    /// The mechanisms of the last `<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>` the server sent.
    func offeredMechanisms() throws -> [String] {
        let text = inbound.withLockedValue { $0 }
        let start = try #require(text.ranges(of: "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>").last)
        let end = try #require(text[start.lowerBound...].firstRange(of: "</mechanisms>"))
        let element = try XMLElement(parsing: String(text[start.lowerBound..<end.upperBound]))
        return try SASL.Mechanisms(xml: element).mechanisms
    }

    /// Whether we sent a SASL2 `<authenticate/>`.
    var usedSASL2: Bool { outbound.withLockedValue { $0.contains("<authenticate xmlns='urn:xmpp:sasl:2'") } }

    /// The GS2 header of the initial response of our `<auth/>` (or SASL2 `<authenticate/>`).
    func gs2Header() throws -> String {
        let text = outbound.withLockedValue { $0 }
        let encoded: String
        if let start = text.firstRange(of: "<auth ") {
            let end = try #require(text[start.lowerBound...].firstRange(of: "</auth>"))
            encoded = try SASL.Auth(xml: try XMLElement(parsing: String(text[start.lowerBound..<end.upperBound]))).value
        } else {
            let start = try #require(text.firstRange(of: "<initial-response>"))
            let end = try #require(text[start.upperBound...].firstRange(of: "</initial-response>"))
            encoded = String(text[start.upperBound..<end.lowerBound])
        }
        let message = String(decoding: try [UInt8](xmlValue: encoded), as: UTF8.self)
        let fields = message.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        return fields.prefix(2).joined(separator: ",") + ","
    }

    /// Sits between TLS and the stream handler.
    final class Handler: ChannelDuplexHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundIn = ByteBuffer
        let recorder: WireRecorder

        init(_ recorder: WireRecorder) {
            self.recorder = recorder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            recorder.inbound.withLockedValue { $0 += text }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let text = String(buffer: unwrapOutboundIn(data))
            recorder.outbound.withLockedValue { $0 += text }
            context.write(data, promise: promise)
        }
    }
}
