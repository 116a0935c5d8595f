public import XMPPBaseExtensions
public import XMPPCore

/// Software version (XEP-0092): answers with the application's name and version, and the operating system when
/// told to (off by default: it helps attackers more than users).
public final class SoftwareVersionService: XMPPService {
    /// The answer.
    public let answer: SoftwareVersion.Query

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - name: The application's name.
    ///   - version: Its version.
    ///   - os: The operating system, if it is to be told.
    public init(name: String, version: String, os: String? = nil) {
        self.answer = SoftwareVersion.Query(name: name, version: version, os: os)
    }

    /// Software version.
    public var features: [String] { [SoftwareVersion.namespace] }

    /// Registers the responder.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        let answer = self.answer
        endpoint.respond(to: .get, SoftwareVersion.Query.self) { _, _ in answer }
    }
}

extension XMPPEndpoint {
    /// Asks an entity which software it runs (XEP-0092).
    ///
    /// - Parameter jid: The entity.
    /// - Returns: Its name, version and perhaps operating system.
    /// - Throws: ``StanzaError`` or ``XMPPClientError``.
    public func softwareVersion(of jid: JID) async throws -> SoftwareVersion.Query {
        try await query(SoftwareVersion.Query(), to: jid, expecting: SoftwareVersion.Query.self)
    }
}
