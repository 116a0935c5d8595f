import Logging
import Testing
import XMPPClient
import XMPPTesting

/// A client without a configured host finds the server through SRV records (RFC 6120 §3.2.1, XEP-0368), served by a
/// private dnsmasq on 127.0.0.1, and skips a target it cannot reach.
@Suite(
    "SRV lookup for a client", .enabled(if: LiveServer.enabled && (DNSMasq.executable != nil || LiveServer.required)),
    .timeLimit(.minutes(1)))
struct LiveSRVTests {
    @Test(arguments: LiveServer.names)
    func aClientFindsTheServerThroughSRVAndSkipsATargetItCannotReach(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let unreachable = try DNSMasq.freePort()
        let dns = try await DNSMasq(
            srvHosts: [
                "_xmpps-client._tcp.\(server.domain),localhost,\(unreachable),0,0",
                "_xmpps-client._tcp.\(server.domain),localhost,\(server.directTLSPort),5,0",
                "_xmpp-client._tcp.\(server.domain),localhost,\(server.startTLSPort),10,0",
            ], localDomains: [server.domain])
        defer { dns.stop() }
        var configuration = try server.clientConfiguration(account: "user6")
        configuration.host = nil
        configuration.port = nil
        configuration.dnsServer = .init(address: "127.0.0.1", port: dns.port)
        configuration.logger.logLevel = .warning
        let client = try XMPPClient(configuration: configuration)
        let events = client.events
        try await client.connect()
        var seen: [ConnectionEvent] = []
        for await event in events {
            seen.append(event)
            if case .bound = event { break }
        }
        // The unreachable target came first and was skipped; the direct TLS target came next and was used.
        #expect(seen.first == .connected(host: "localhost", port: server.directTLSPort))
        #expect(seen.contains { if case .secured = $0 { true } else { false } })
        #expect(client.boundJID?.bare.description == "user6@\(server.domain)")
        await client.close()

        // A client told to use STARTTLS on a host of its own choosing does no lookup at all.
        var fixed = try server.clientConfiguration(account: "user6")
        fixed.dnsServer = .init(address: "127.0.0.1", port: unreachable)
        fixed.logger.logLevel = .warning
        let direct = try XMPPClient(configuration: fixed)
        try await direct.connect()
        await direct.close()
    }
}
