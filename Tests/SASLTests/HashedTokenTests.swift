import SASL
import Testing

/// The hashed-token mechanisms (draft-schmaus-kitten-sasl-ht) that XEP-0484 FAST uses, against HMAC-SHA-256 values
/// computed independently (Python's `hmac` module).
@Suite("SASLClient: HT-SHA-256 hashed tokens")
struct HashedTokenTests {
    static let token = "secret-token:fast-abc"
    static let bindingData = (0..<32).map { UInt8($0) }

    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    @Test("HT-SHA-256-NONE: username NUL HMAC(token, Initiator); success must carry HMAC(token, Responder)")
    func none() throws {
        var client = try SASLClient(
            mechanism: .htSHA256None, credentials: .token(username: "juliet", token: Self.token))
        let initiator = Self.hex("31a40f95e222589afb8c28c212119413c99f1530ed11458f2ccd141988ee709e")
        #expect(try client.initialResponse() == [UInt8](utf8: "juliet") + [0] + initiator)
        try client.complete(
            additionalData: Self.hex("90fd060e34951aa445e2728bb488b74255c5b8355fea618546f7588e5427a204"))
        #expect(client.isComplete)
    }

    @Test("HT-SHA-256-EXPR hashes the tls-exporter data after the label, both ways")
    func exporter() throws {
        let binding = SASLChannelBinding(kind: .tlsExporter, data: Self.bindingData)
        var client = try SASLClient(
            mechanism: .htSHA256Exporter, credentials: .token(username: "juliet", token: Self.token),
            channelBinding: .bound(binding))
        let initiator = Self.hex("18ade4b5964609ea3b0c6afca1cbcdf45db48e0170743d45571808f19ca1d20e")
        #expect(try client.initialResponse() == [UInt8](utf8: "juliet") + [0] + initiator)
        try client.complete(
            additionalData: Self.hex("f3686c9880622e02ca67c42aada7cb49412c5f9f38681a6e7c8889d8b5ae7173"))
        #expect(client.isComplete)
    }

    @Test("a server that cannot prove it knows the token does not authenticate")
    func serverProof() throws {
        var wrong = try SASLClient(mechanism: .htSHA256None, credentials: .token(username: "juliet", token: Self.token))
        _ = try wrong.initialResponse()
        // The proof for the channel-bound variant is not the proof for -NONE.
        expectSASLError(.serverSignatureMismatch) {
            try wrong.complete(
                additionalData: Self.hex("f3686c9880622e02ca67c42aada7cb49412c5f9f38681a6e7c8889d8b5ae7173"))
        }
        #expect(!wrong.isComplete)
        var missing = try SASLClient(
            mechanism: .htSHA256None, credentials: .token(username: "juliet", token: Self.token))
        _ = try missing.initialResponse()
        expectSASLError(.serverSignatureMissing) { try missing.complete(additionalData: nil) }
        var early = try SASLClient(mechanism: .htSHA256None, credentials: .token(username: "juliet", token: Self.token))
        _ = try early.initialResponse()
        expectSASLError(.unexpectedChallenge) { _ = try early.respond(to: [1, 2, 3]) }
    }

    @Test("channel binding must match the mechanism, and tokens go with HT mechanisms only")
    func mismatches() throws {
        let exporter = SASLChannelBinding(kind: .tlsExporter, data: Self.bindingData)
        let credentials = SASLCredentials.token(username: "juliet", token: Self.token)
        expectSASLError(.channelBindingRequired) {
            _ = try SASLClient(mechanism: .htSHA256Exporter, credentials: credentials)
        }
        expectSASLError(.channelBindingRequired) {
            _ = try SASLClient(mechanism: .htSHA256EndPoint, credentials: credentials, channelBinding: .bound(exporter))
        }
        expectSASLError(.channelBindingNotSupported) {
            _ = try SASLClient(mechanism: .htSHA256None, credentials: credentials, channelBinding: .bound(exporter))
        }
        expectSASLError(.mechanismNotSupported) {
            _ = try SASLClient(mechanism: .scramSHA256, credentials: credentials)
        }
        expectSASLError(.mechanismNotSupported) {
            _ = try SASLClient(
                mechanism: .htSHA256None, credentials: .password(username: "juliet", password: "r0m30"))
        }
    }

    @Test("the token is never printed")
    func redaction() {
        let credentials = SASLCredentials.token(username: "juliet", token: Self.token)
        #expect(!credentials.description.contains("fast-abc"))
        #expect(!String(reflecting: credentials).contains("fast-abc"))
        var dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains("fast-abc"))
        #expect(credentials.username == "juliet")
        #expect(credentials.isToken && !credentials.hasPassword)
    }

    @Test("the selector picks the best HT mechanism the connection can bind to")
    func selection() throws {
        let exporter = SASLChannelBinding(kind: .tlsExporter, data: Self.bindingData)
        let endPoint = SASLChannelBinding(kind: .tlsServerEndPoint, data: Self.bindingData)
        let offered: [SASLMechanismName] = [.htSHA256None, .htSHA256EndPoint, .htSHA256Exporter]
        let selector = SASLMechanismSelector()
        #expect(
            selector.hashedTokenMechanism(from: offered, isTLS: true, channelBindings: [endPoint, exporter])
                == SASLMechanismSelection(mechanism: .htSHA256Exporter, channelBinding: .bound(exporter)))
        #expect(
            selector.hashedTokenMechanism(from: offered, isTLS: true, channelBindings: [endPoint])?.mechanism
                == .htSHA256EndPoint)
        #expect(
            selector.hashedTokenMechanism(from: offered, isTLS: true, channelBindings: [])?.mechanism == .htSHA256None)
        #expect(
            selector.hashedTokenMechanism(from: offered, isTLS: false, channelBindings: [exporter])?.mechanism
                == .htSHA256None)
        let strict = SASLMechanismSelector(requiresChannelBinding: true)
        #expect(strict.hashedTokenMechanism(from: [.htSHA256None], isTLS: true, channelBindings: [exporter]) == nil)
        let selected = try selector.select(
            from: ["HT-SHA-256-NONE", "SCRAM-SHA-256"], credentials: .token(username: "j", token: "t"), isTLS: true)
        #expect(selected.mechanism == .htSHA256None)
        expectSASLError(.noAcceptableMechanism) {
            _ = try selector.select(
                from: ["SCRAM-SHA-256"], credentials: .token(username: "j", token: "t"), isTLS: true)
        }
    }

    @Test("requiresChannelBinding fails closed: -PLUS or nothing")
    func requiredChannelBinding() throws {
        let exporter = SASLChannelBinding(kind: .tlsExporter, data: Self.bindingData)
        let strict = SASLMechanismSelector(requiresChannelBinding: true)
        let password = SASLCredentials.password(username: "juliet", password: "r0m30")
        let bound = try strict.select(
            from: ["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"], credentials: password, isTLS: true,
            channelBindings: [exporter], serverChannelBindingTypes: [.tlsExporter])
        #expect(bound == SASLMechanismSelection(mechanism: .scramSHA256Plus, channelBinding: .bound(exporter)))
        // TLS 1.3 against a server that only knows tls-unique: no binding both ends support.
        let refused = expectSASLError(.noAcceptableMechanism) {
            _ = try strict.select(
                from: ["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", "PLAIN"], credentials: password, isTLS: true,
                channelBindings: [exporter], serverChannelBindingTypes: [.tlsUnique])
        }
        #expect(refused?.description.contains("channel binding is required") == true)
        expectSASLError(.noAcceptableMechanism) {
            _ = try strict.select(from: ["SCRAM-SHA-1", "PLAIN"], credentials: password, isTLS: true)
        }
        // Without the requirement the same offer authenticates, unbound.
        #expect(
            try SASLMechanismSelector().select(
                from: ["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"], credentials: password, isTLS: true,
                channelBindings: [exporter], serverChannelBindingTypes: [.tlsUnique]
            ).mechanism == .scramSHA256)
    }
}

/// SCRAM downgrade protection (XEP-0474): the server's hash of its offer, `h=` in server-first, checked against the
/// offer the client received; the XEP's own example.
@Suite("SCRAM: XEP-0474 downgrade protection")
struct DowngradeProtectionTests {
    static let serverFirst = Array(
        ("r=12C4CD5C-E38E-4A98-8F6D-15C38F51CCC6a09117a6-ac50-4f2f-93f1-93799c2bddf6,s=QSXCR+Q6sek8bf92,i=4096,"
            + "h=G6k/rBLDqgOhRRaCuuatSDFkJ08=").utf8)

    func client(advertised: SASLClient.Configuration.Advertised?) throws -> SASLClient {
        var configuration = SASLClient.Configuration()
        configuration.advertised = advertised
        var client = try SASLClient(
            mechanism: .scramSHA1Plus, credentials: .password(username: "user", password: "pencil"),
            channelBinding: .bound(SASLChannelBinding(kind: .tlsExporter, data: Array("THIS IS FAKE CB DATA".utf8))),
            configuration: configuration, clientNonce: "12C4CD5C-E38E-4A98-8F6D-15C38F51CCC6")
        _ = try client.initialResponse()
        return client
    }

    @Test("the offer as the server made it verifies")
    func matching() throws {
        var client = try client(
            advertised: .init(
                mechanisms: ["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"],
                channelBindingTypes: ["tls-exporter", "tls-server-end-point"]))
        let final = String(decoding: try client.respond(to: Self.serverFirst), as: UTF8.self)
        #expect(final.hasPrefix("c=cD10bHMtZXhwb3J0ZXIsLFRISVMgSVMgRkFLRSBDQiBEQVRB,r="))
    }

    @Test("a stripped -PLUS or channel-binding type fails the exchange")
    func stripped() throws {
        var noPlus = try client(
            advertised: .init(
                mechanisms: ["SCRAM-SHA-1"], channelBindingTypes: ["tls-exporter", "tls-server-end-point"]))
        expectSASLError(.downgradeDetected) { _ = try noPlus.respond(to: Self.serverFirst) }
        var noList = try client(
            advertised: .init(mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-1-PLUS"], channelBindingTypes: nil))
        expectSASLError(.downgradeDetected) { _ = try noList.respond(to: Self.serverFirst) }
        // Without a record of the offer (a caller outside XMPP), h= is an extension like any other.
        var unaware = try client(advertised: nil)
        _ = try unaware.respond(to: Self.serverFirst)
    }
}
