import Foundation
import NIOCore
import Testing
import XMPPTLS

/// The handler against a local `openssl s_server -rev` (it answers each line reversed) on 127.0.0.1, with
/// certificates made for the run by ``TestPKI``.
@Suite("TLSClientHandler against openssl s_server", .timeLimit(.minutes(1)))
struct TLSClientHandlerOpenSSLServerTests {
    static func trustingTestCA(_ pki: TestPKI, domain: String = "localhost") -> TLSConfiguration {
        TLSConfiguration(domain: domain, trustRoots: .caFile(pki.path("ca.crt")))
    }

    @Test func verifiesExchangesDataAndClosesWithCloseNotify() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await OpenSSLServer(pki: pki, certificate: "good")
        defer { server.stop() }
        let client = try await TLSClient.connect(port: server.port, configuration: Self.trustingTestCA(pki))

        let event = try await client.handshake.get()
        #expect(event.version == .tls13)
        #expect(event.cipherSuite.hasPrefix("TLS_"))
        #expect(event.applicationProtocol == nil)

        try await client.channel.writeAndFlush(ByteBuffer(string: "hello, encrypted world\n"))
        #expect(try await client.firstLine.get() == "dlrow detpyrcne ,olleh")

        try await client.channel.close()
        #expect(try await server.waitForExit())
        #expect(server.logText.contains("SSL3 alert read:warning:close notify"))
        #expect(try await client.errorsAtClose.get().isEmpty)
    }

    @Test func upgradesALiveConnectionInPlace() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await OpenSSLServer(pki: pki, certificate: "good")
        defer { server.stop() }
        let client = try await TLSClient.connect(
            port: server.port, configuration: Self.trustingTestCA(pki), startTLSInPlace: true)
        _ = try await client.handshake.get()
        try await client.channel.writeAndFlush(ByteBuffer(string: "starttls\n"))
        #expect(try await client.firstLine.get() == "slttrats")
        try await client.channel.close()
    }

    @Test func theServersCloseNotifyEndsTheStreamCleanly() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await OpenSSLServer(pki: pki, certificate: "good")
        defer { server.stop() }
        let client = try await TLSClient.connect(port: server.port, configuration: Self.trustingTestCA(pki))
        _ = try await client.handshake.get()
        // s_server -rev answers CLOSE with close_notify.
        try await client.channel.writeAndFlush(ByteBuffer(string: "CLOSE\n"))
        try await client.channel.closeFuture.get()
        #expect(try await client.errorsAtClose.get().isEmpty)
        #expect(try await server.waitForExit())
        #expect(server.logText.contains("SSL3 alert read:warning:close notify"))
    }

    @Test func negotiatesALPN() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await OpenSSLServer(pki: pki, certificate: "good", arguments: ["-alpn", "xmpp-client"])
        defer { server.stop() }
        let configuration = TLSConfiguration.directTLS(domain: "localhost", trustRoots: .caFile(pki.path("ca.crt")))
        let client = try await TLSClient.connect(port: server.port, configuration: configuration)
        #expect(try await client.handshake.get().applicationProtocol == "xmpp-client")
        try await client.channel.close()
    }

    @Test func sendsTheDomainAsSNI() async throws {
        // The server presents the right certificate only to a client that sends SNI example.test.
        let pki = try TestPKI.shared.get()
        let server = try await OpenSSLServer(
            pki: pki, certificate: "wrong",
            arguments: ["-servername", "example.test", "-cert2", pki.path("good.crt"), "-key2", pki.path("leaf.key")])
        defer { server.stop() }
        let client = try await TLSClient.connect(
            port: server.port, configuration: Self.trustingTestCA(pki, domain: "example.test"))
        _ = try await client.handshake.get()
        try await client.channel.close()
    }

    @Test(arguments: [
        ("self-signed", TLSError.Code.untrustedCertificate, "not issued by a trusted certificate authority"),
        ("wrong", .hostnameMismatch, "not valid for localhost"),
        ("expired", .certificateExpired, "expired"),
        ("not-yet-valid", .certificateNotYetValid, "not valid yet"),
    ])
    func refusesABadCertificate(certificate: String, code: TLSError.Code, reason: String) async throws {
        let pki = try TestPKI.shared.get()
        let server = try await OpenSSLServer(pki: pki, certificate: certificate)
        defer { server.stop() }
        let client = try await TLSClient.connect(port: server.port, configuration: Self.trustingTestCA(pki))
        let error = try #require(await client.handshakeError())
        #expect(error.code == code)
        #expect(error.message.contains(reason), "\(error)")
        try await client.channel.closeFuture.get()
    }

    @Test func refusesAServerIssuedByACAOutsideTheSystemStore() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await OpenSSLServer(pki: pki, certificate: "good")
        defer { server.stop() }
        let client = try await TLSClient.connect(
            port: server.port, configuration: TLSConfiguration(domain: "localhost"))
        #expect(await client.handshakeError()?.code == .untrustedCertificate)
    }

    @Test func refusesTLS12WhenTLS13IsRequired() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await OpenSSLServer(pki: pki, certificate: "good", arguments: ["-tls1_2"])
        defer { server.stop() }
        var configuration = Self.trustingTestCA(pki)
        configuration.minimumVersion = .tls13
        let client = try await TLSClient.connect(port: server.port, configuration: configuration)
        let error = try #require(await client.handshakeError())
        #expect(error.code == .protocolVersion, "\(error)")
    }

    @Test func theDangerousSettingAcceptsAnything() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await OpenSSLServer(pki: pki, certificate: "self-signed")
        defer { server.stop() }
        var configuration = TLSConfiguration(domain: "nothing.test")
        configuration.dangerouslyDisableCertificateAndHostnameVerification = true
        let client = try await TLSClient.connect(port: server.port, configuration: configuration)
        _ = try await client.handshake.get()
        try await client.channel.close()
    }

    /// RFC 6125 matching: DNS-ID with wildcards only as a whole leftmost label, SRV-ID, CN only without
    /// DNS-IDs and SRV-IDs.
    @Test(arguments: [
        ("good", "example.test", true),
        ("good", "EXAMPLE.test.", true),
        ("srv", "example.test", true),
        ("srv", "wrong.test", false),  // CN matches, but the certificate has an SRV-ID: no CN fallback
        ("cn-only", "example.test", true),
        ("cn-with-san", "example.test", false),
        ("wildcard", "chat.example.test", true),
        ("wildcard", "a.chat.example.test", false),
        ("wildcard", "example.test", false),
        ("partial-wildcard", "xmpp.example.test", false),
    ])
    func matchesTheServerIdentity(certificate: String, domain: String, accepted: Bool) async throws {
        let pki = try TestPKI.shared.get()
        let server = try await OpenSSLServer(pki: pki, certificate: certificate)
        defer { server.stop() }
        let client = try await TLSClient.connect(
            port: server.port, configuration: Self.trustingTestCA(pki, domain: domain))
        let error = await client.handshakeError()
        if accepted {
            #expect(error == nil)
        } else {
            #expect(error?.code == .hostnameMismatch, "\(String(describing: error))")
        }
        try? await client.channel.close()
    }
}
