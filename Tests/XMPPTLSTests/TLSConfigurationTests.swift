import Testing
import XMPPTLS

@Suite("TLSConfiguration", .timeLimit(.minutes(1)))
struct TLSConfigurationTests {
    @Test func defaultsAreSecure() {
        let configuration = TLSConfiguration(domain: "example.com")
        #expect(configuration.trustRoots == .systemDefault)
        #expect(configuration.minimumVersion == .tls12)
        #expect(configuration.maximumVersion == nil)
        #expect(!configuration.dangerouslyDisableCertificateAndHostnameVerification)
        #expect(configuration.applicationProtocols.isEmpty)
        #expect(TLSConfiguration.directTLS(domain: "example.com").applicationProtocols == ["xmpp-client"])
    }

    @Test func anUnreadableCAFileIsAConfigurationError() {
        let configuration = TLSConfiguration(domain: "example.com", trustRoots: .caFile("/nonexistent/ca.pem"))
        let error = #expect(throws: TLSError.self) { try TLSClientContext(configuration: configuration) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("/nonexistent/ca.pem") == true)
    }

    @Test(arguments: [
        TLSConfiguration(domain: ""),
        TLSConfiguration(domain: "exämple.com"),
        TLSConfiguration(domain: "example.com", applicationProtocols: [""]),
        TLSConfiguration(domain: "example.com", applicationProtocols: [String(repeating: "x", count: 256)]),
    ])
    func invalidNamesAreConfigurationErrors(_ configuration: TLSConfiguration) {
        let error = #expect(throws: TLSError.self) { try TLSClientHandler(configuration: configuration) }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test func versionsOrderAndPrint() {
        #expect(TLSVersion.tls12 < .tls13)
        #expect(TLSVersion.tls13.description == "TLS 1.3")
        #expect(ChannelBindingType.tlsExporter.rawValue == "tls-exporter")
    }
}
