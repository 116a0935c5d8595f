import Testing
import XMPPClient
import XMPPCore
import XMPPStream
import XMPPTLS
import XMPPTesting

/// XMPP over WebSocket (RFC 7395) against the private servers' HTTPS listeners (`wss://localhost:25281` for
/// Prosody, `:26281` for ejabberd), with each server's certificate verified for `localhost`.
@Suite(.enabled(if: LiveServer.enabled), .timeLimit(.minutes(2)))
struct LiveWebSocketTests {
    static func configuration(
        _ server: LiveServer, account: String, services: [any XMPPService] = []
    ) throws -> XMPPClient.Configuration {
        var configuration = try server.clientConfiguration(account: account)
        let url = try #require(server.webSocketURL, "scripts/\(server.name) exports no SECURE_WEBSOCKET_URL")
        configuration.transport = .webSocket(url)
        configuration.services = services
        return configuration
    }

    /// Sends a chat message and returns it as the receiver got it.
    static func send(
        _ text: String, id: String, from sender: XMPPClient, to receiver: JID,
        arrivingIn messages: AsyncStream<XMLElement>
    ) async throws -> Message? {
        try await sender.send(Message(to: receiver, id: id, type: .chat, bodies: [.init(value: text)]))
        for await stanza in messages {
            let message = try Message(xml: stanza)
            if message.id == id { return message }
        }
        return nil
    }

    @Test(arguments: LiveServer.names)
    func aSessionOverWebSocketTalksToAClientOverTCP(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let conversation = LiveSASL2Tests.Conversation()
        var configuration = try Self.configuration(
            server, account: "user29", services: [RosterService(), DiscoService(), PingService()])
        (configuration.wireInboundLogger, configuration.wireOutboundLogger) = conversation.loggers()
        let web = try XMPPClient(configuration: configuration)
        var tcpConfiguration = try server.clientConfiguration(account: "user30")
        tcpConfiguration.services = [DiscoService(), PingService()]
        let tcp = try XMPPClient(configuration: tcpConfiguration)
        let webMessages = web.stanzas(matching: .message())
        let tcpMessages = tcp.stanzas(matching: .message())
        try await web.connect()
        try await tcp.connect()
        let webJID = try #require(web.boundJID)
        let tcpJID = try #require(tcp.boundJID)
        #expect(webJID.bare == (try JID(parsing: "user29@\(server.domain)")))

        // The framing is RFC 7395's: <open/> and elements that stand alone, never a stream header.
        let wire = conversation.text
        #expect(wire.contains("<open xmlns='urn:ietf:params:xml:ns:xmpp-framing'"))
        #expect(!wire.contains("<stream:stream"))
        #expect(!wire.contains("xmpp-test-password"))

        // Ping and disco to the server.
        try await web.ping(JID(server.domain), timeout: .seconds(10))
        let info = try await web.request(.get(DiscoInfo.Query(), to: JID(server.domain)))
        #expect(try info.payload(DiscoInfo.Query.self)?.identities.contains { $0.category == "server" } == true)

        // The roster: a contact set over WebSocket comes back in the server's push.
        let updates = web.events(of: RosterEvent.self)
        try await web.roster.set(Roster.Item(jid: tcpJID.bare, name: "Over TCP", groups: ["WebSocket"]))
        for await event in updates {
            if case .updated(let item) = event, item.jid == tcpJID.bare { break }
        }
        #expect(web.roster.item(for: tcpJID.bare)?.name == "Over TCP")

        // Messages both ways, with text that needs escaping and a character outside the BMP.
        try await web.send(Presence())
        try await tcp.send(Presence())
        let outbound = "ws → tcp: <b>&amp; 🦊"
        let atTCP = try await Self.send(outbound, id: "ws1", from: web, to: tcpJID, arrivingIn: tcpMessages)
        #expect(atTCP?.bodies.first?.value == outbound)
        #expect(atTCP?.from == webJID)
        let inbound = "tcp → ws: ' \" 🦊"
        let atWeb = try await Self.send(inbound, id: "tcp1", from: tcp, to: webJID, arrivingIn: webMessages)
        #expect(atWeb?.bodies.first?.value == inbound)
        #expect(atWeb?.from == tcpJID)

        // A graceful close ends with our <close/>.
        await web.close()
        await tcp.close()
        #expect(conversation.text.contains("<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>"))
    }

    /// The framing changes no round trip: a login over WebSocket takes as many (after the HTTP upgrade, one more) as
    /// over direct TLS, with RFC 6120 SASL and, where the server offers it, with SASL2 and Bind 2.
    @Test(arguments: LiveServer.names)
    func aLoginOverWebSocketTakesAsManyRoundTripsAsOverTCP(_ name: String) async throws {
        let server = try LiveServer.require(name)
        for sasl2 in server.offersSASL2 ? [false, true] : [false] {
            var trips: [Int] = []
            for webSocket in [false, true] {
                let conversation = LiveSASL2Tests.Conversation()
                var configuration =
                    webSocket
                    ? try Self.configuration(server, account: "user29")
                    : try server.clientConfiguration(account: "user29", security: .directTLS)
                (configuration.wireInboundLogger, configuration.wireOutboundLogger) = conversation.loggers()
                configuration.usesSASL2 = sasl2
                configuration.fastTokenStore = nil
                let client = try XMPPClient(configuration: configuration)
                try await client.connect()
                #expect((client.sasl2Outcome != nil) == sasl2)
                trips.append(conversation.roundTrips)
                await client.close()
            }
            print(
                "[figures] \(name) \(sasl2 ? "SASL2" : "RFC 6120") round trips after TLS: direct TLS \(trips[0]), "
                    + "WebSocket \(trips[1]) (+1 for the upgrade)")
            #expect(trips[0] == trips[1])
        }
    }

    @Test(arguments: LiveServer.names)
    func anUntrustedCertificateIsRefusedOverWebSocket(_ name: String) async throws {
        let server = try LiveServer.require(name)
        // The other server's self-signed certificate as the only trusted root: this one's does not verify.
        let other = try LiveServer.require(name == "prosody" ? "ejabberd" : "prosody")
        var configuration = try Self.configuration(server, account: "user29")
        configuration.trust = .caFile(other.caFile)
        let client = try XMPPClient(configuration: configuration)
        do {
            try await client.connect()
            Issue.record("connected over wss:// with an untrusted certificate")
            await client.close()
        } catch let error as XMPPClientError {
            #expect(error.code == .tlsFailed)
        }
    }

    @Test(arguments: LiveServer.names)
    func aPathWithoutWebSocketIsAClearError(_ name: String) async throws {
        let server = try LiveServer.require(name)
        var configuration = try Self.configuration(server, account: "user29")
        let url = try #require(server.webSocketURL)
        configuration.transport = .webSocket(try #require(WebSocketURL("wss://\(url.hostHeader)/no-such-endpoint")))
        let client = try XMPPClient(configuration: configuration)
        do {
            try await client.connect()
            Issue.record("connected to a path that serves no WebSocket")
            await client.close()
        } catch let error as XMPPClientError {
            #expect(error.code == .connectFailed)
            #expect("\(error)".contains("instead of switching to WebSocket"))
        }
    }
}

struct WebSocketConfigurationTests {
    @Test func aPlaintextWebSocketIsRefusedUnlessPlaintextIsChosen() async throws {
        var configuration = XMPPClient.Configuration(jid: try JID(parsing: "user29@localhost"), password: "x")
        configuration.transport = .webSocket(try #require(WebSocketURL("ws://127.0.0.1:9/xmpp-websocket")))
        let client = try XMPPClient(configuration: configuration)
        do {
            try await client.connect()
            Issue.record("connected over ws:// without TLS")
        } catch let error as XMPPClientError {
            #expect(error.code == .invalidConfiguration)
        }
    }
}

/// XEP-0156 discovery against the servers' host-meta (ejabberd's mod_host_meta; Prosody serving the files
/// `scripts/prosody` writes), and the documents' parsing.
@Suite(.enabled(if: LiveServer.enabled), .timeLimit(.minutes(1)))
struct LiveHostMetaTests {
    @Test(arguments: LiveServer.names)
    func theHostMetaNamesTheEndpointsAndTheClientConnectsThroughIt(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let url = try #require(server.webSocketURL)
        let meta = try await HostMeta.lookUp(domain: server.domain, port: url.port, trustRoots: .caFile(server.caFile))
        #expect(meta.webSocketURLs == [url])
        #expect(meta.boshURLs == ["https://\(url.hostHeader)/http-bind"])

        var configuration = try server.clientConfiguration(account: "user29", resource: "discovered")
        configuration.transport = .discoveredWebSocket(httpsPort: url.port)
        let client = try XMPPClient(configuration: configuration)
        try await client.connect()
        #expect(client.boundJID?.resourcepart == "discovered")
        try await client.ping(JID(server.domain), timeout: .seconds(10))
        await client.close()
    }

    @Test(arguments: LiveServer.names)
    func aHostMetaBehindAnUntrustedCertificateIsRefused(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let other = try LiveServer.require(name == "prosody" ? "ejabberd" : "prosody")
        let url = try #require(server.webSocketURL)
        do {
            _ = try await HostMeta.lookUp(domain: server.domain, port: url.port, trustRoots: .caFile(other.caFile))
            Issue.record("host-meta was read over a certificate that does not verify")
        } catch let error as XMPPClientError {
            #expect(error.code == .tlsFailed)
        }
    }
}

struct HostMetaDocumentTests {
    @Test func readsTheXRDKeepingOnlyTLSEndpoints() throws {
        let xrd = """
            <?xml version='1.0' encoding='utf-8'?>
            <XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>
              <Link rel="urn:xmpp:alt-connections:xbosh" href="https://web.example.com:5280/bosh" />
              <Link rel="urn:xmpp:alt-connections:websocket" href="wss://web.example.com:443/ws" />
              <Link rel="urn:xmpp:alt-connections:websocket" href="ws://web.example.com/plain" />
              <Link rel="urn:xmpp:alt-connections:xbosh" href="http://web.example.com/plain-bosh" />
              <Link rel="lrdd" href="https://web.example.com/other" />
            </XRD>
            """
        let meta = try HostMeta(xrd: Array(xrd.utf8))
        #expect(meta.webSocketURLs == [try #require(WebSocketURL("wss://web.example.com/ws"))])
        #expect(meta.boshURLs == ["https://web.example.com:5280/bosh"])
    }

    @Test func readsTheJRD() throws {
        let jrd = """
            {"links": [{"rel": "urn:xmpp:alt-connections:xbosh", "href": "https://web.example.com:5280/bosh"},
                       {"rel": "urn:xmpp:alt-connections:websocket", "href": "wss://web.example.com:443/ws"},
                       {"rel": "urn:xmpp:alt-connections:websocket"}]}
            """
        let meta = try HostMeta(jrd: Array(jrd.utf8))
        #expect(meta.webSocketURLs.map(\.description) == ["wss://web.example.com/ws"])
        #expect(meta.boshURLs == ["https://web.example.com:5280/bosh"])
    }

    @Test(arguments: [
        "<html><body>not found</body></html>",
        "<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'><Link",
        "<!DOCTYPE XRD [<!ENTITY ws 'wss://evil.example/ws'>]><XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>"
            + "<Link rel='urn:xmpp:alt-connections:websocket' href='&ws;'/></XRD>",
    ])
    func refusesWhatIsNotAnXRD(_ document: String) {
        #expect(throws: XMPPClientError.self) { try HostMeta(xrd: Array(document.utf8)) }
    }

    @Test func refusesWhatIsNotAJRD() {
        #expect(throws: XMPPClientError.self) { try HostMeta(jrd: Array("<XRD/>".utf8)) }
    }
}
