public import XMPPClient

extension LiveServer {
    /// A client configuration for one of the server's test accounts: its host and port, its CA, no services.
    ///
    /// - Parameters:
    ///   - account: The account's localpart (`alice`...).
    ///   - resource: A resource to ask for, if any.
    ///   - security: STARTTLS (the default) or direct TLS.
    /// - Throws: `JIDError` for an invalid account name.
    public func clientConfiguration(
        account: String,
        resource: String? = nil,
        security: ClientNegotiation.TransportSecurity = .startTLS
    ) throws -> XMPPClient.Configuration {
        let jid = try JID(parsing: "\(account)@\(domain)" + (resource.map { "/\($0)" } ?? ""))
        var configuration = XMPPClient.Configuration(jid: jid, password: password)
        configuration.host = host
        configuration.security = security
        configuration.port = security == .directTLS ? directTLSPort : startTLSPort
        configuration.trust = .caFile(caFile)
        configuration.services = []
        return configuration
    }

    /// The configuration of the server's component, if it has one.
    public func componentConfiguration() throws -> XMPPComponent.Configuration? {
        guard let component else { return nil }
        return XMPPComponent.Configuration(
            domain: try JID(parsing: component.domain), secret: component.secret, host: host, port: component.port)
    }
}
