import Foundation
import Testing
import XMPPStream
import XMPPTesting

/// Real SRV lookups through glibc's resolver, pointed at a private dnsmasq on 127.0.0.1 that serves a few `.test`
/// zones. Runs when dnsmasq is installed (Debian `dnsmasq-base`, which `scripts/test` installs); with
/// `XMPP_LIVE_TESTS=require` its absence is a failure.
@Suite(
    "SRV lookups against dnsmasq", .enabled(if: DNSMasq.executable != nil || LiveServer.required),
    .timeLimit(.minutes(1)))
struct SRVResolverLiveTests {
    /// The records served: `_xmpps-client` and `_xmpp-client` for example.test; direct TLS declined (target `.`)
    /// for plain.test; the whole service declined for closed.test; nothing for any other `.test` name (NXDOMAIN).
    static let records = [
        "_xmpps-client._tcp.example.test,xmpp1.example.test,5223,5,0",
        "_xmpp-client._tcp.example.test,xmpp1.example.test,5222,10,60",
        "_xmpp-client._tcp.example.test,xmpp2.example.test,5222,10,40",
        "_xmpps-client._tcp.plain.test",
        "_xmpp-client._tcp.plain.test,xmpp.plain.test,5222,0,0",
        "_xmpp-client._tcp.closed.test",
    ]

    @Test func recordsComeBackAsServed() async throws {
        let server = try await DNSMasq(srvHosts: Self.records)
        defer { server.stop() }
        let records = try server.resolver.records(named: "_xmpp-client._tcp.example.test")
        #expect(
            Set(records) == [
                SRVRecord(priority: 10, weight: 60, port: 5222, target: "xmpp1.example.test"),
                SRVRecord(priority: 10, weight: 40, port: 5222, target: "xmpp2.example.test"),
            ])
        #expect(try server.resolver.records(named: "_xmpp-client._tcp.nothing.test").isEmpty)
    }

    @Test func bothServicesMixedByPriority() async throws {
        let server = try await DNSMasq(srvHosts: Self.records)
        defer { server.stop() }
        let targets = try server.resolver.clientTargets(for: "example.test")
        #expect(targets.first?.description == "xmpp1.example.test:5223 (direct TLS)")
        #expect(
            Set(targets.dropFirst().map(\.description)) == [
                "xmpp1.example.test:5222 (STARTTLS)", "xmpp2.example.test:5222 (STARTTLS)",
            ])
        #expect(targets.count == 3)
    }

    @Test func declinedAndMissingServices() async throws {
        let server = try await DNSMasq(srvHosts: Self.records)
        defer { server.stop() }
        #expect(
            try server.resolver.clientTargets(for: "plain.test").map(\.description) == [
                "xmpp.plain.test:5222 (STARTTLS)"
            ])
        #expect(try server.resolver.clientTargets(for: "nothing.test").isEmpty)
        do {
            let targets = try server.resolver.clientTargets(for: "closed.test")
            Issue.record("closed.test declines the service, yet gave \(targets)")
        } catch {
            #expect(error.code == .serviceNotAvailable)
        }
    }
}
