public import SASL
public import XMPPCore

/// An external component's side of XEP-0114 (Jabber Component Protocol) as a state machine: open a
/// `jabber:component:accept` stream to the component's domain, answer the server's stream id with
/// `<handshake>hex(SHA-1(id + secret))</handshake>`, and wait for the server's empty `<handshake/>`.
///
/// It performs no I/O. XEP-0114 has no TLS or SASL of its own: run it over loopback, or over direct TLS.
public struct ComponentNegotiation: StreamNegotiating {
    /// The component's address (a domain, such as `echo.example.com`).
    public let domain: JID
    /// How the connection is protected: plaintext (loopback) or direct TLS.
    public let security: ClientNegotiation.TransportSecurity
    private let secret: String
    private var state = State.idle

    private enum State {
        case idle
        case awaitingHeader
        case awaitingHandshake
        case established
        case failed
    }

    /// Creates a negotiation.
    ///
    /// - Parameters:
    ///   - domain: The component's domain, as configured on the server.
    ///   - secret: The shared secret. Never logged; only its hash with the stream id is sent.
    ///   - security: `.insecurePlaintext` or `.directTLS` (XEP-0114 has no STARTTLS).
    public init(domain: JID, secret: String, security: ClientNegotiation.TransportSecurity = .insecurePlaintext) {
        precondition(security != .startTLS, "XEP-0114 has no STARTTLS; use plaintext on loopback or direct TLS")
        self.domain = domain
        self.secret = secret
        self.security = security
    }

    /// `jabber:component:accept`.
    public var stanzaNamespace: String { Self.namespace }

    /// Components receive no stream features.
    public var streamFeatures: XMLElement? { nil }

    /// The namespace of a component stream's stanzas.
    public static let namespace = "jabber:component:accept"

    /// The component handshake's name, reported where a client reports its SASL mechanism.
    public static let handshakeMechanism = SASLMechanismName(rawValue: "XEP-0114-HANDSHAKE")

    /// Opens the stream.
    public mutating func start(channelBindings: [SASLChannelBinding] = []) -> [ClientNegotiation.Action] {
        state = .awaitingHeader
        return [.openStream(header)]
    }

    /// Not used: XEP-0114 has no STARTTLS.
    public mutating func tlsEstablished(channelBindings: [SASLChannelBinding]) -> [ClientNegotiation.Action] {
        fail(.tlsFailed, "TLS established at an unexpected time")
    }

    /// Handles what the server sent.
    public mutating func received(_ event: XMLStreamEvent) -> [ClientNegotiation.Action] {
        switch (state, event) {
        case (.awaitingHeader, .streamOpened(let header)):
            guard let id = header.attributes.first(where: { $0.name == XMLName("id") })?.value, !id.isEmpty else {
                return fail(.badInput, "the server's stream header has no id to hash")
            }
            guard let digest = try? SCRAMHash.sha1.hash(Array((id + secret).utf8)) else {
                return fail(.authenticationFailed, "SHA-1 is unavailable")
            }
            state = .awaitingHandshake
            let handshake = XMLElement(
                XMLName(namespace: Self.namespace, localName: "handshake"),
                children: [.text(Self.hex(digest))])
            return [.maskWire(true), .send(handshake), .maskWire(false)]
        case (_, .element(let element)) where element.name == Streams.Error.qualifiedName:
            let error = ClientNegotiation.streamError(element)
            return fail(.authenticationFailed, error.message, condition: error.condition)
        case (.awaitingHandshake, .element(let element))
        where element.name == XMLName(namespace: Self.namespace, localName: "handshake"):
            state = .established
            return [
                .authenticated(Self.handshakeMechanism),
                .established(boundJID: domain, mechanism: Self.handshakeMechanism),
            ]
        case (_, .streamClosed):
            return fail(.connectionClosed, "the server closed the stream during the handshake")
        case (_, .element(let element)):
            return fail(.badInput, "unexpected \(element.name) during the component handshake")
        case (_, .streamOpened):
            return fail(.badInput, "unexpected stream header")
        }
    }

    private var header: XMLStreamHeader {
        XMLStreamHeader(
            name: XMLName(namespace: "http://etherx.jabber.org/streams", localName: "stream"), prefix: "stream",
            attributes: [XMLAttribute("to", domain.description)],
            namespaces: [
                XMLNamespaceDeclaration(prefix: nil, namespace: Self.namespace),
                XMLNamespaceDeclaration(prefix: "stream", namespace: "http://etherx.jabber.org/streams"),
            ])
    }

    private mutating func fail(
        _ code: XMPPClientError.Code, _ message: String, condition: String? = nil
    ) -> [ClientNegotiation.Action] {
        state = .failed
        return [.fail(XMPPClientError(code, message, condition: condition))]
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
