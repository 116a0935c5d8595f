import SASL
import Testing

@Suite("SASLError")
struct SASLErrorTests {
    @Test("Descriptions name the problem and never the password")
    func descriptions() throws {
        let secret = "c0rrect-h0rse"
        var client = try SASLClient(
            mechanism: .scramSHA256, credentials: .password(username: "u", password: secret),
            channelBinding: .notSupported, clientNonce: "abc")
        _ = try client.initialResponse()
        _ = try client.respond(to: [UInt8](utf8: "r=abcdef,s=QSXCR+Q6sek8bf92,i=4096"))
        let error = expectSASLError(.serverSignatureMismatch) {
            try client.complete(additionalData: [UInt8](utf8: "v=AAAA"))
        }
        let description = try #require(error?.description)
        #expect(description.contains("signature"))
        #expect(!description.contains(secret))
        #expect(error?.code.description == "serverSignatureMismatch")
    }

    @Test("Codes compare by value")
    func codes() {
        #expect(SASLError.Code.serverError == .serverError)
        #expect(SASLError.Code.serverError != .invalidChallenge)
    }
}
