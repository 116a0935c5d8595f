import NIOConcurrencyHelpers
import Testing
import XMPPClient
import XMPPCore
import XMPPStream
import XMPPTesting

/// XMPP over BOSH (XEP-0124, XEP-0206) against the private servers' HTTPS listeners
/// (`https://localhost:25281/http-bind` for Prosody, `:26281` for ejabberd), certificates verified.
@Suite(.enabled(if: LiveServer.enabled), .timeLimit(.minutes(2)))
struct LiveBOSHTests {
    static func configuration(
        _ server: LiveServer, account: String, resource: String? = nil, services: [any XMPPService] = [],
        url: BOSHURL? = nil
    ) throws -> XMPPClient.Configuration {
        var configuration = try server.clientConfiguration(account: account, resource: resource)
        let url = try url ?? #require(server.boshURL, "scripts/\(server.name) exports no SECURE_BOSH_URL")
        configuration.transport = .bosh(url)
        configuration.services = services
        return configuration
    }

    @Test(arguments: LiveServer.names)
    func aSessionOverBOSHTalksToAClientOverTCP(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let conversation = LiveSASL2Tests.Conversation()
        var configuration = try Self.configuration(
            server, account: "user29", resource: "bosh", services: [RosterService(), DiscoService(), PingService()])
        (configuration.wireInboundLogger, configuration.wireOutboundLogger) = conversation.loggers()
        let bosh = try XMPPClient(configuration: configuration)
        var tcpConfiguration = try server.clientConfiguration(account: "user30", resource: "tcp-for-bosh")
        tcpConfiguration.services = [DiscoService(), PingService()]
        let tcp = try XMPPClient(configuration: tcpConfiguration)
        let boshMessages = bosh.stanzas(matching: .message())
        let tcpMessages = tcp.stanzas(matching: .message())
        try await bosh.connect()
        try await tcp.connect()
        let boshJID = try #require(bosh.boundJID)
        let tcpJID = try #require(tcp.boundJID)
        #expect(boshJID == (try JID(parsing: "user29@\(server.domain)/bosh")))
        #expect(!conversation.text.contains("xmpp-test-password"))

        try await bosh.ping(JID(server.domain), timeout: .seconds(10))
        let updates = bosh.events(of: RosterEvent.self)
        try await bosh.roster.set(Roster.Item(jid: tcpJID.bare, name: "Over TCP", groups: ["BOSH"]))
        for await event in updates {
            if case .updated(let item) = event, item.jid == tcpJID.bare { break }
        }
        #expect(bosh.roster.item(for: tcpJID.bare)?.name == "Over TCP")

        try await bosh.send(Presence())
        try await tcp.send(Presence())
        let outbound = "bosh → tcp: <b>&amp; 🦊"
        let atTCP = try await LiveWebSocketTests.send(
            outbound, id: "b1", from: bosh, to: tcpJID, arrivingIn: tcpMessages)
        #expect(atTCP?.bodies.first?.value == outbound)
        #expect(atTCP?.from == boshJID)
        // Pushed to the BOSH client through the request the server holds.
        let inbound = "tcp → bosh: ' \" 🦊"
        let atBOSH = try await LiveWebSocketTests.send(
            inbound, id: "t1", from: tcp, to: boshJID, arrivingIn: boshMessages)
        #expect(atBOSH?.bodies.first?.value == inbound)
        #expect(atBOSH?.from == tcpJID)
        await bosh.close()
        await tcp.close()
    }
}

extension LiveFaultTests {
    /// A BOSH sender whose HTTP connections go through the proxy, which drops a request (or an answer) six times:
    /// each lost request is sent again with the same rid on a new connection, and the session itself survives: no
    /// reconnection, the same resource, every message delivered once.
    @Test(arguments: LiveServer.names)
    func aBOSHSessionSurvivesItsConnectionsBeingCut(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let url = try #require(server.boshURL)
        let pair = try await Pair.start(on: server, tag: "bosh-\(name)", port: url.port) { proxy in
            .bosh(try #require(BOSHURL("https://\(url.host):\(proxy.port)\(url.resource)")))
        }
        let (proxy, sender, senderLog, receiverLog, to) = (
            pair.proxy, pair.sender, pair.senderLog, pair.receiverLog, pair.to
        )
        let bound = sender.boundJID

        for round in 0..<6 {
            // The next request dropped on its way to the server (even rounds), or the next answer on its way back
            // (odd rounds), FIN and reset in turn: the connection carrying it is cut before its first byte passes.
            let cuts = proxy.cuts
            proxy.cut(
                after: 0, toward: round.isMultiple(of: 2) ? .server : .client,
                with: round % 4 < 2 ? .fin : .reset)
            for n in (round * 20 + 1)...(round * 20 + 20) {
                try await sender.send(Message.chat(to: to, body: "over bosh \(n)").withID("b\(n)"))
            }
            try await senderLog.wait(for: 10, "cut \(round + 1)") { proxy.cuts > cuts }
            try await senderLog.wait(for: 10, "round \(round + 1) to be acknowledged") {
                sender.unacknowledgedCount == 0
            }
        }
        try await senderLog.wait(for: 30, "every message to be acknowledged") {
            sender.unacknowledgedCount == 0
        }
        try await receiverLog.wait(for: 15, "the messages to arrive") {
            receiverLog.state.withLockedValue { $0.received.count } == 120
        }
        #expect(proxy.cuts == 6)
        #expect(sender.boundJID == bound)
        #expect(senderLog.count { if case .reconnecting = $0 { true } else { false } } == 0)
        #expect(senderLog.count { if case .disconnected = $0 { true } else { false } } == 0)
        let received = receiverLog.state.withLockedValue { $0.received }
        #expect(Set(received.keys) == Set((1...120).map { "b\($0)" }))
        #expect(received.values.allSatisfy { $0 == 1 })
        print("[figures] \(name) BOSH: \(proxy.cuts) connection cuts, \(proxy.acceptedConnections) connections")
        await pair.stop()
    }
}
