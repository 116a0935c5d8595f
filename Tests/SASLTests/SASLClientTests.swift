import SASL
import Testing

@Suite("SASLClient: PLAIN, EXTERNAL, ANONYMOUS and the state machine")
struct SASLClientTests {
    @Test("PLAIN without an authzid: NUL user NUL password")
    func plain() throws {
        var client = try SASLClient(
            mechanism: .plain, credentials: .password(username: "tim", password: "tanstaaftanstaaf"))
        #expect(try client.initialResponse() == [UInt8](utf8: "\0tim\0tanstaaftanstaaf"))
        try client.complete(additionalData: nil)
        #expect(client.isComplete)
    }

    @Test("PLAIN with an authzid (RFC 4616 §4 example)")
    func plainWithAuthorizationIdentity() throws {
        var client = try SASLClient(
            mechanism: .plain,
            credentials: .password(username: "Kurt", password: "xipj3plmq", authorizationIdentity: "Ursel"))
        #expect(try client.initialResponse() == [UInt8](utf8: "Ursel\0Kurt\0xipj3plmq"))
    }

    @Test("PLAIN sends UTF-8 as given and refuses NUL in a field")
    func plainEncoding() throws {
        var client = try SASLClient(mechanism: .plain, credentials: .password(username: "jürgen", password: "\u{2168}"))
        #expect(try client.initialResponse() == [UInt8](utf8: "\0jürgen\0\u{2168}"))
        let error = expectSASLError(.invalidCredentials) {
            _ = try SASLClient(mechanism: .plain, credentials: .password(username: "a", password: "hunter2\0x"))
        }
        #expect(error?.description.contains("hunter2") == false)
    }

    @Test("EXTERNAL sends the authzid or nothing")
    func external() throws {
        var bare = try SASLClient(mechanism: .external, credentials: .external())
        #expect(try bare.initialResponse() == [])
        var withAuthzid = try SASLClient(mechanism: .external, credentials: .external(authorizationIdentity: "a@b"))
        #expect(try withAuthzid.initialResponse() == [UInt8](utf8: "a@b"))
        try withAuthzid.complete(additionalData: [])
        #expect(withAuthzid.isComplete)
    }

    @Test("ANONYMOUS sends the trace or nothing")
    func anonymous() throws {
        var client = try SASLClient(mechanism: .anonymous, credentials: .anonymous(trace: "sirhc"))
        #expect(try client.initialResponse() == [UInt8](utf8: "sirhc"))
        var silent = try SASLClient(mechanism: .anonymous, credentials: .anonymous())
        #expect(try silent.initialResponse() == [])
    }

    @Test("Without an initial response, an empty first challenge gets the client-first message (RFC 4422 §5)")
    func emptyFirstChallenge() throws {
        var client = try SASLClient(mechanism: .plain, credentials: .password(username: "u", password: "p"))
        #expect(try client.respond(to: []) == [UInt8](utf8: "\0u\0p"))
        try client.complete(additionalData: nil)
    }

    @Test(
        "Mechanisms and credentials must match",
        arguments: [
            (SASLMechanismName.plain, SASLCredentials.external()),
            (.external, .password(username: "u", password: "p")),
            (.anonymous, .password(username: "u", password: "p")),
            (.scramSHA256, .anonymous()),
            ("DIGEST-MD5", .password(username: "u", password: "p")),
            ("X-OAUTH2", .external()),
        ])
    func mismatch(mechanism: SASLMechanismName, credentials: SASLCredentials) {
        expectSASLError(.mechanismNotSupported) { _ = try SASLClient(mechanism: mechanism, credentials: credentials) }
    }

    @Test("Steps out of order are refused, and a failed exchange stays failed")
    func outOfOrder() throws {
        var plain = try SASLClient(mechanism: .plain, credentials: .password(username: "u", password: "p"))
        _ = try plain.initialResponse()
        expectSASLError(.unexpectedChallenge) { _ = try plain.initialResponse() }
        expectSASLError(.unexpectedChallenge) { try plain.complete(additionalData: nil) }

        var extra = try SASLClient(mechanism: .plain, credentials: .password(username: "u", password: "p"))
        _ = try extra.initialResponse()
        expectSASLError(.unexpectedChallenge) { _ = try extra.respond(to: [1]) }
        expectSASLError(.unexpectedChallenge) { _ = try extra.respond(to: []) }

        var data = try SASLClient(mechanism: .anonymous, credentials: .anonymous())
        _ = try data.initialResponse()
        expectSASLError(.unexpectedChallenge) { try data.complete(additionalData: [1, 2]) }
        #expect(!data.isComplete)

        var early = try SASLClient(mechanism: .plain, credentials: .password(username: "u", password: "p"))
        expectSASLError(.invalidChallenge) { _ = try early.respond(to: [1]) }
    }

    @Test("Credentials never print the password")
    func redaction() {
        let credentials = SASLCredentials.password(username: "user", password: "hunter2", authorizationIdentity: "z")
        #expect(!credentials.description.contains("hunter2"))
        #expect(!credentials.debugDescription.contains("hunter2"))
        #expect(!String(describing: credentials).contains("hunter2"))
        #expect(!String(reflecting: credentials).contains("hunter2"))
        var dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(credentials.description.contains("user"))
    }
}
