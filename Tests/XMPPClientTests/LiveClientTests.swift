import Foundation
import Synchronization
import Testing
import XMPPClient
import XMPPTesting

/// A real client against the private Prosody and ejabberd: TLS both ways, SCRAM, bind, stanzas, IQs, failures.
@Suite("XMPPClient against live servers", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(2)))
struct LiveClientTests {
    /// A test account with the default services (disco, ping), as a user's client has them.
    func configuration(
        _ server: LiveServer, account: String, security: ClientNegotiation.TransportSecurity = .startTLS
    ) throws -> XMPPClient.Configuration {
        var configuration = try server.clientConfiguration(account: account, security: security)
        configuration.services = XMPPClient.Configuration(jid: configuration.jid, password: "").services
        return configuration
    }

    @Test(arguments: LiveServer.names)
    func startTLSAndDirectTLSBindAndPing(_ name: String) async throws {
        let server = try LiveServer.require(name)
        for security in [ClientNegotiation.TransportSecurity.startTLS, .directTLS] {
            let client = try XMPPClient(configuration: try configuration(server, account: "carol", security: security))
            try await client.connect()
            let bound = try #require(client.boundJID)
            #expect(bound.bare == (try JID(parsing: "carol@\(server.domain)")))
            #expect(bound.resourcepart != nil)
            let pong = try await client.request(
                IQ(to: JID(server.domain), id: "", type: .get, payloads: [Ping.Ping().xmlElement()]))
            #expect(pong.type == .result)
            let info = try await client.request(
                IQ(to: JID(server.domain), id: "", type: .get, payloads: [DiscoInfo.Query().xmlElement()]))
            let query = try #require(try info.payload(DiscoInfo.Query.self))
            #expect(query.identities.contains { $0.category == "server" })
            #expect(query.features.contains { $0.var == "urn:xmpp:ping" })
            await client.close()
        }
    }

    @Test(arguments: LiveServer.names)
    func twoClientsExchangeMessagesAndIQs(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let alice = try XMPPClient(configuration: try configuration(server, account: "dave"))
        let bob = try XMPPClient(configuration: try configuration(server, account: "eve"))
        try await alice.connect()
        let bobMessages = bob.stanzas(matching: .message())
        try await bob.connect()
        let bobJID = try #require(bob.boundJID)
        // Available presence, so that the server delivers to the bound resource.
        try await bob.send(Presence())
        try await alice.send(Presence())
        try await alice.send(
            Message(to: bobJID, id: "m1", type: .chat, bodies: [.init(value: "Wherefore art thou? ☕")]))
        var received: Message?
        for await stanza in bobMessages {
            received = try Message(xml: stanza)
            break
        }
        let message = try #require(received)
        #expect(message.bodies.first?.value == "Wherefore art thou? ☕")
        #expect(message.from == alice.boundJID)
        // An IQ that Bob's client has no responder for is answered by it with service-unavailable (RFC 6120
        // §8.4), and the request API throws it typed; one it answers (ping, a default service) succeeds.
        do {
            _ = try await alice.request(.get(SoftwareVersion.Query(), to: bobJID), timeout: .seconds(10))
            Issue.record("an unhandled IQ was answered with a result")
        } catch let error as StanzaError {
            #expect(error.condition == .serviceUnavailable)
            #expect(error.type == .cancel)
        }
        try await alice.ping(bobJID, timeout: .seconds(10))
        await alice.close()
        await bob.close()
    }

    @Test(arguments: LiveServer.names)
    func lifecycleEventsArriveInOrderWithAuthenticationBeforeBinding(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let client = try XMPPClient(configuration: try configuration(server, account: "carol"))
        let seen = Mutex<[ConnectionEvent]>([])
        client.observe(ConnectionEvent.self) { event in seen.withLock { $0.append(event) } }
        try await client.connect()
        await client.close()
        let events = seen.withLock { $0 }
        #expect(events.count == 5, "\(events)")
        guard events.count == 5 else { return }
        #expect(events[0] == .connected(host: server.host, port: server.startTLSPort))
        guard case .secured(let version, _, _) = events[1] else {
            Issue.record("\(events[1]) where secured was expected")
            return
        }
        #expect(version.hasPrefix("TLS"))
        guard case .authenticated(let mechanism) = events[2] else {
            Issue.record("\(events[2]) where authenticated was expected")
            return
        }
        #expect(mechanism.hasPrefix("SCRAM-SHA-"))
        guard case .bound(let jid) = events[3] else {
            Issue.record("\(events[3]) where bound was expected")
            return
        }
        #expect(jid.bare == (try JID(parsing: "carol@\(server.domain)")))
        #expect(events[4] == .disconnected(reason: nil))
    }

    @Test(arguments: LiveServer.names)
    func aWrongPasswordIsAClearErrorWithoutRetry(_ name: String) async throws {
        let server = try LiveServer.require(name)
        var configuration = try configuration(server, account: "frank")
        configuration.password = "not-the-password"
        let client = try XMPPClient(configuration: configuration)
        let seen = Mutex<[ConnectionEvent]>([])
        client.observe(ConnectionEvent.self) { event in seen.withLock { $0.append(event) } }
        do {
            try await client.connect()
            Issue.record("connected with a wrong password")
        } catch let error as XMPPClientError {
            #expect(error.code == .authenticationFailed)
            #expect(error.message.contains("not-authorized"))
            #expect(!error.description.contains("not-the-password"))
        }
        #expect(!seen.withLock { $0 }.contains { if case .authenticated = $0 { true } else { false } })
    }

    @Test(arguments: LiveServer.names)
    func anUntrustedCertificateIsRefusedWithTheReason(_ name: String) async throws {
        let server = try LiveServer.require(name)
        var configuration = try configuration(server, account: "frank")
        configuration.trust = .system  // the private server's self-signed CA is not in the system store
        let client = try XMPPClient(configuration: configuration)
        do {
            try await client.connect()
            Issue.record("connected to an untrusted server")
        } catch let error as XMPPClientError {
            #expect(error.code == .tlsFailed)
            #expect(error.message.contains("untrusted") || error.message.contains("certificate"))
        }
    }
}
