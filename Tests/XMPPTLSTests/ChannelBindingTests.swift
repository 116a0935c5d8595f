import Foundation
import NIOCore
import Testing
import XMPPTLS

/// Channel bindings (RFC 5929, RFC 9266) per TLS version, checked against values computed independently.
@Suite("Channel bindings against openssl s_server", .timeLimit(.minutes(1)))
struct ChannelBindingTests {
    static func configuration(_ pki: TestPKI) -> TLSConfiguration {
        TLSConfiguration(domain: "localhost", trustRoots: .caFile(pki.path("ca.crt")))
    }

    /// The keying material s_server printed for `-keymatexport`, as bytes.
    static func serverKeyingMaterial(_ log: String) -> [UInt8]? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("Keying material:") }),
            let hex = line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces)
        else { return nil }
        let characters = Array(hex)
        return stride(from: 0, to: characters.count - 1, by: 2).compactMap {
            UInt8(String(characters[$0...$0 + 1]), radix: 16)
        }
    }

    @Test func tls13OffersExporterAndServerEndPointButNotUnique() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await OpenSSLServer(
            pki: pki, certificate: "good",
            arguments: ["-tls1_3", "-keymatexport", "EXPORTER-Channel-Binding", "-keymatexportlen", "32"], echo: false)
        defer { server.stop() }
        let client = try await TLSClient.connect(port: server.port, configuration: Self.configuration(pki))
        let event = try await client.handshake.get()
        #expect(event.version == .tls13)

        let exporter = try #require(try await client.channelBinding(.tlsExporter))
        #expect(exporter.count == 32)
        #expect(event.channelBindings[.tlsExporter] == exporter)
        #expect(try await client.channelBinding(.tlsUnique) == nil)
        #expect(try await client.availableChannelBindings() == [.tlsExporter, .tlsServerEndPoint])
        // Under TLS 1.3 an empty context equals no context, which is what s_server exports with.
        let log = try await server.waitForLog(containing: "Keying material:")
        #expect(Self.serverKeyingMaterial(log) == exporter)

        let endPoint = try await client.channelBinding(.tlsServerEndPoint)
        #expect(endPoint == (try pki.sha256OfDER("good.crt")))
        try await client.channel.close()
    }

    @Test func tls12OffersUniqueExporterWithExtendedMasterSecretAndServerEndPoint() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await OpenSSLServer(pki: pki, certificate: "good", arguments: ["-tls1_2"])
        defer { server.stop() }
        let client = try await TLSClient.connect(port: server.port, configuration: Self.configuration(pki))
        let event = try await client.handshake.get()
        #expect(event.version == .tls12)

        // The client's Finished verify_data: 12 bytes in TLS 1.2.
        let unique = try #require(try await client.channelBinding(.tlsUnique))
        #expect(unique.count == 12)
        #expect(event.channelBindings[.tlsUnique] == unique)
        // OpenSSL 3 negotiates the extended master secret by default.
        #expect(try await client.channelBinding(.tlsExporter)?.count == 32)
        #expect(try await client.channelBinding(.tlsServerEndPoint) == (try pki.sha256OfDER("good.crt")))
        try await client.channel.writeAndFlush(ByteBuffer(string: "tls 1.2\n"))
        #expect(try await client.firstLine.get() == "2.1 slt")
        try await client.channel.close()
    }

    @Test func tls12WithoutExtendedMasterSecretHasNoExporter() async throws {
        let pki = try TestPKI.shared.get()
        let conf = pki.directory.appendingPathComponent("no-ems.cnf")
        try Data(
            """
            openssl_conf = default_conf
            [ default_conf ]
            ssl_conf = ssl_section
            [ ssl_section ]
            system_default = system_default_section
            [ system_default_section ]
            Options = -ExtendedMasterSecret

            """.utf8
        ).write(to: conf)
        let server = try await OpenSSLServer(
            pki: pki, certificate: "good", arguments: ["-tls1_2"], environment: ["OPENSSL_CONF": conf.path])
        defer { server.stop() }
        let client = try await TLSClient.connect(port: server.port, configuration: Self.configuration(pki))
        let event = try await client.handshake.get()
        #expect(event.version == .tls12)
        #expect(try await client.channelBinding(.tlsExporter) == nil)
        #expect(try await client.channelBinding(.tlsUnique)?.count == 12)
        #expect(try await client.availableChannelBindings() == [.tlsServerEndPoint, .tlsUnique])
        try await client.channel.close()
    }
}
