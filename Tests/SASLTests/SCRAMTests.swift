import SASL
import Testing

/// Drives a SCRAM exchange through ``SASLClient`` and returns what the client sent.
private func exchange(
    _ mechanism: SASLMechanismName,
    username: String = "user",
    password: String = "pencil",
    authorizationIdentity: String? = nil,
    channelBinding: SASLChannelBindingFlag = .notSupported,
    clientNonce: String,
    serverFirst: String,
    serverFinal: String
) throws -> (clientFirst: String, clientFinal: String) {
    var client = try SASLClient(
        mechanism: mechanism,
        credentials: .password(username: username, password: password, authorizationIdentity: authorizationIdentity),
        channelBinding: channelBinding, clientNonce: clientNonce)
    let first = try #require(try client.initialResponse())
    let final = try client.respond(to: Array(serverFirst.utf8))
    try client.complete(additionalData: Array(serverFinal.utf8))
    #expect(client.isComplete)
    return (String(decoding: first, as: UTF8.self), String(decoding: final, as: UTF8.self))
}

@Suite("SCRAM")
struct SCRAMTests {
    @Test("RFC 5802 §5: SCRAM-SHA-1 example")
    func rfc5802Example() throws {
        let sent = try exchange(
            .scramSHA1, clientNonce: "fyko+d2lbbFgONRv9qkxdawL",
            serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
            serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
        #expect(sent.clientFirst == "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")
        #expect(
            sent.clientFinal
                == "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")
    }

    @Test("RFC 7677 §3: SCRAM-SHA-256 example")
    func rfc7677Example() throws {
        let sent = try exchange(
            .scramSHA256, clientNonce: "rOprNGfwEbeRWgbNEkqO",
            serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        #expect(sent.clientFirst == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        #expect(
            sent.clientFinal
                == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    }

    /// Computed independently with Python's hashlib.pbkdf2_hmac and hmac (SHA-512, salt bytes 1...16).
    @Test("SCRAM-SHA-512 vector")
    func scramSHA512() throws {
        let sent = try exchange(
            .scramSHA512, clientNonce: "rOprNGfwEbeRWgbNEkqO",
            serverFirst: "r=rOprNGfwEbeRWgbNEkqO3rfcNHYJY1ZVvWVs7j,s=AQIDBAUGBwgJCgsMDQ4PEA==,i=4096",
            serverFinal: "v=N33W1xFtv39HT+puiy31Z0tgho6lK5jEM0CJ5jDaO3rCre5RzlZI6kGSrrlDYUl6r+kASFy+bWBijrSpKywhKw==")
        #expect(sent.clientFirst == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        #expect(
            sent.clientFinal
                == "c=biws,r=rOprNGfwEbeRWgbNEkqO3rfcNHYJY1ZVvWVs7j,"
                + "p=MWRRAB3EYP76uYy8hW+pCe6iv+yo61C8DU+F3wuRHHweB6gaEaC3l+8gItGda3IMO6RrTWrZN0RnRTSk4ToeTQ==")
    }

    /// `p=tls-exporter` with an authorization identity that needs escaping; c= is base64(gs2-header + cb-data).
    /// Computed independently with Python.
    @Test("SCRAM-SHA-256-PLUS with tls-exporter and an escaped authzid")
    func scramSHA256PlusVector() throws {
        let binding = SASLChannelBinding(kind: .tlsExporter, data: Array(0..<32))
        let sent = try exchange(
            .scramSHA256Plus, authorizationIdentity: "admin,x", channelBinding: .bound(binding),
            clientNonce: "fyko+d2lbbFgONRv9qkxdawL",
            serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
            serverFinal: "v=Xq91SxzGS8saKXvQxNVnskmx/Yw6TXpdl4ZZTOTORNg=")
        #expect(sent.clientFirst == "p=tls-exporter,a=admin=2Cx,n=user,r=fyko+d2lbbFgONRv9qkxdawL")
        #expect(
            sent.clientFinal
                == "c=cD10bHMtZXhwb3J0ZXIsYT1hZG1pbj0yQ3gsAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,"
                + "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=DMIXBlFU09iwRBCWPhTMfU3oN62mjdP/gmnbok1eoU8=")
    }

    /// The test servers store "pässwörd-Ⅸ" SASLprep'd as "pässwörd-IX"; computed with Python's NFKC.
    @Test("The password goes through SASLprep")
    func passwordIsPrepared() throws {
        let sent = try exchange(
            .scramSHA256, password: "pässwörd-\u{2168}", clientNonce: "rOprNGfwEbeRWgbNEkqO",
            serverFirst: "r=rOprNGfwEbeRWgbNEkqOsrv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            serverFinal: "v=RK+9+GgsfJUGL7lfcsIQ5lvWjNCc/iVy5Qp+9pSxacw=")
        #expect(sent.clientFinal.hasSuffix(",p=m3pcO3T3zhMFBeBTW6anaFzV7TZbrWa73jYuzzHUZ0o="))
    }

    @Test(
        "GS2 header: n, y, p= and the c= attribute",
        arguments: [
            (SASLChannelBindingFlag.notSupported, SASLMechanismName.scramSHA256, "n,,", "biws"),
            (.notOfferedByServer, .scramSHA256, "y,,", "eSws"),
            (
                .bound(SASLChannelBinding(kind: .tlsUnique, data: [0xDE, 0xAD, 0xBE, 0xEF])), .scramSHA1Plus,
                "p=tls-unique,,", "cD10bHMtdW5pcXVlLCzerb7v"
            ),
            (
                .bound(SASLChannelBinding(kind: .tlsServerEndPoint, data: [1, 2, 3])), .scramSHA512Plus,
                "p=tls-server-end-point,,", "cD10bHMtc2VydmVyLWVuZC1wb2ludCwsAQID"
            ),
        ])
    func gs2Header(flag: SASLChannelBindingFlag, mechanism: SASLMechanismName, header: String, c: String) throws {
        var client = try SASLClient(
            mechanism: mechanism, credentials: .password(username: "user", password: "pencil"),
            channelBinding: flag, clientNonce: "abc")
        let first = String(decoding: try #require(try client.initialResponse()), as: UTF8.self)
        #expect(first == header + "n=user,r=abc")
        let final = String(
            decoding: try client.respond(to: Array("r=abcdef,s=QSXCR+Q6sek8bf92,i=4096".utf8)), as: UTF8.self)
        #expect(final.hasPrefix("c=\(c),r=abcdef,p="))
    }

    @Test("Usernames and authzids escape ',' as =2C and '=' as =3D")
    func escaping() throws {
        var client = try SASLClient(
            mechanism: .scramSHA256,
            credentials: .password(username: "a,b=c", password: "p", authorizationIdentity: "=x,"),
            channelBinding: .notSupported, clientNonce: "abc")
        let first = String(decoding: try #require(try client.initialResponse()), as: UTF8.self)
        #expect(first == "n,a==3Dx=2C,n=a=2Cb=3Dc,r=abc")
    }

    @Test("A random client nonce has at least 18 bytes of entropy and differs each time")
    func randomNonce() throws {
        func nonce() throws -> Substring {
            var client = try SASLClient(mechanism: .scramSHA1, credentials: .password(username: "u", password: "p"))
            let first = String(decoding: try #require(try client.initialResponse()), as: UTF8.self)
            return try #require(first.split(separator: ",r=").last)
        }
        let (a, b) = (try nonce(), try nonce())
        #expect(a.count >= 24)
        #expect(a != b)
        #expect(!a.contains(","))
    }

    @Test("The server-final message may come as a challenge, then success carries no data")
    func serverFinalAsChallenge() throws {
        var client = try SASLClient(
            mechanism: .scramSHA1, credentials: .password(username: "user", password: "pencil"),
            channelBinding: .notSupported, clientNonce: "fyko+d2lbbFgONRv9qkxdawL")
        _ = try client.initialResponse()
        _ = try client.respond(
            to: Array("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096".utf8))
        #expect(try client.respond(to: Array("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=".utf8)) == [])
        try client.complete(additionalData: nil)
        #expect(client.isComplete)
    }

    @Test("A wrong server signature is refused")
    func wrongServerSignature() throws {
        expectSASLError(.serverSignatureMismatch) {
            _ = try exchange(
                .scramSHA1, clientNonce: "fyko+d2lbbFgONRv9qkxdawL",
                serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
                serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKA=")
        }
    }

    @Test("Success without v= is refused")
    func missingServerSignature() throws {
        var client = try SASLClient(
            mechanism: .scramSHA1, credentials: .password(username: "user", password: "pencil"),
            channelBinding: .notSupported, clientNonce: "fyko+d2lbbFgONRv9qkxdawL")
        _ = try client.initialResponse()
        _ = try client.respond(
            to: Array("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096".utf8))
        expectSASLError(.serverSignatureMissing) { try client.complete(additionalData: nil) }
        #expect(!client.isComplete)
    }

    @Test("Success before the server-first message is refused")
    func earlySuccess() throws {
        var client = try SASLClient(mechanism: .scramSHA256, credentials: .password(username: "u", password: "p"))
        _ = try client.initialResponse()
        expectSASLError(.serverSignatureMissing) { try client.complete(additionalData: []) }
    }

    @Test("A server nonce that does not extend the client nonce is refused")
    func foreignNonce() throws {
        let error = #expect(throws: SASLError.self) {
            try exchange(
                .scramSHA256, clientNonce: "abc", serverFirst: "r=xyzabc,s=QSXCR+Q6sek8bf92,i=4096",
                serverFinal: "v=AAAA")
        }
        #expect(error?.code == .invalidChallenge)
        #expect(error?.description.contains("nonce") == true)
    }

    @Test("An e= server error is surfaced with its value", arguments: ["e=invalid-proof", "e=other-error,x=1"])
    func serverError(serverFinal: String) throws {
        var client = try SASLClient(
            mechanism: .scramSHA1, credentials: .password(username: "user", password: "pencil"),
            channelBinding: .notSupported, clientNonce: "abc")
        _ = try client.initialResponse()
        _ = try client.respond(to: Array("r=abcdef,s=QSXCR+Q6sek8bf92,i=4096".utf8))
        let error = #expect(throws: SASLError.self) { try client.complete(additionalData: Array(serverFinal.utf8)) }
        let value = String(serverFinal.dropFirst(2).prefix { $0 != "," })
        #expect(error?.code == .serverError)
        #expect(error?.detail == value)
        #expect(error?.description.contains(value) == true)
    }

    @Test("Iteration counts below the minimum are refused unless configured")
    func iterationMinimum() throws {
        let serverFirst = Array("r=abcdef,s=QSXCR+Q6sek8bf92,i=1024".utf8)
        var strict = try SASLClient(
            mechanism: .scramSHA1, credentials: .password(username: "u", password: "p"),
            channelBinding: .notSupported, clientNonce: "abc")
        _ = try strict.initialResponse()
        let error = expectSASLError(.iterationCountOutOfBounds) { _ = try strict.respond(to: serverFirst) }
        #expect(error?.detail?.contains("1024") == true)
        var lenient = try SASLClient(
            mechanism: .scramSHA1, credentials: .password(username: "u", password: "p"),
            channelBinding: .notSupported, configuration: .init(minimumIterationCount: 1000), clientNonce: "abc")
        _ = try lenient.initialResponse()
        #expect(try lenient.respond(to: serverFirst).starts(with: Array("c=biws".utf8)))
    }

    @Test("Channel binding must match the mechanism")
    func channelBindingMismatch() {
        let binding = SASLChannelBinding(kind: .tlsExporter, data: [1])
        let credentials = SASLCredentials.password(username: "u", password: "p")
        expectSASLError(.channelBindingRequired) {
            _ = try SASLClient(mechanism: .scramSHA256Plus, credentials: credentials)
        }
        expectSASLError(.channelBindingRequired) {
            _ = try SASLClient(
                mechanism: .scramSHA256Plus, credentials: credentials, channelBinding: .notOfferedByServer)
        }
        expectSASLError(.channelBindingNotSupported) {
            _ = try SASLClient(mechanism: .scramSHA256, credentials: credentials, channelBinding: .bound(binding))
        }
    }
}
