import SASL
import Testing

/// Malformed and hostile server messages: each must give a clear error, never a crash or a hang.
@Suite("Hostile challenges")
struct HostileChallengeTests {
    static let salt = "QSXCR+Q6sek8bf92"

    /// A SCRAM-SHA-1 client with nonce `abc` that has sent its client-first message.
    static func client() throws -> SASLClient {
        var client = try SASLClient(
            mechanism: .scramSHA1, credentials: .password(username: "u", password: "p"),
            channelBinding: .notSupported, clientNonce: "abc")
        _ = try client.initialResponse()
        return client
    }

    static let serverFirst: [([UInt8], SASLError.Code)] = [
        ([], .invalidChallenge),
        ([0xFF, 0xFE, 0x00], .invalidChallenge),
        ([UInt8](utf8: "hello"), .invalidChallenge),
        ([UInt8](utf8: ",,,,"), .invalidChallenge),
        ([UInt8](utf8: "=,="), .invalidChallenge),
        ([UInt8](utf8: "ré=x"), .invalidChallenge),
        ([UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef"), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,s=\(salt)"), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,i=4096,s=\(salt)"), .invalidChallenge),
        ([UInt8](utf8: "s=\(salt),r=abcdef,i=4096"), .invalidChallenge),
        ([UInt8](utf8: "m=ext,r=abcdef,s=\(salt),i=4096"), .invalidChallenge),
        ([UInt8](utf8: "e=other-error"), .serverError),
        ([UInt8](utf8: "r=xyz,s=\(salt),i=4096"), .invalidChallenge),
        ([UInt8](utf8: "r=abc,s=\(salt),i=4096"), .invalidChallenge),
        ([UInt8](utf8: "r=abc d,s=\(salt),i=4096"), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,s=!!!!,i=4096"), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,s=QSXCR+Q6sek8bf9,i=4096"), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,s=QSXCR+Q6sek8bf9=,i=4096"), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,s=QSXC R+Q6sek8bf9,i=4096"), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,s=,i=4096"), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,s=\(salt),i="), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,s=\(salt),i=-1"), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,s=\(salt),i=0"), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,s=\(salt),i=+4096"), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,s=\(salt),i=04096"), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,s=\(salt),i=4096x"), .invalidChallenge),
        ([UInt8](utf8: "r=abcdef,s=\(salt),i=4095"), .iterationCountOutOfBounds),
        ([UInt8](utf8: "r=abcdef,s=\(salt),i=10000001"), .iterationCountOutOfBounds),
        ([UInt8](utf8: "r=abcdef,s=\(salt),i=99999999999999999999999999999999"), .iterationCountOutOfBounds),
    ]

    @Test("Server-first messages", arguments: serverFirst)
    func hostileServerFirst(message: [UInt8], code: SASLError.Code) throws {
        var client = try Self.client()
        let error = expectSASLError(code) { _ = try client.respond(to: message) }
        #expect(error?.description.isEmpty == false)
        #expect((error?.description.utf8.count ?? 0) < 400)
        // The exchange is over.
        expectSASLError(.unexpectedChallenge) { _ = try client.respond(to: message) }
    }

    static let serverFinal: [(String, SASLError.Code)] = [
        ("garbage", .invalidChallenge),
        ("v=!!!", .invalidChallenge),
        ("v=", .serverSignatureMismatch),
        ("v=AAAA", .serverSignatureMismatch),
        ("x=foo", .serverSignatureMissing),
        ("e=" + String(repeating: "\u{7}x", count: 5000), .serverError),
    ]

    @Test("Server-final messages", arguments: serverFinal)
    func hostileServerFinal(message: String, code: SASLError.Code) throws {
        var client = try Self.client()
        _ = try client.respond(to: [UInt8](utf8: "r=abcdef,s=\(Self.salt),i=4096"))
        let error = expectSASLError(code) { try client.complete(additionalData: [UInt8](utf8: message)) }
        #expect((error?.description.utf8.count ?? 0) < 400)
        #expect(error?.description.contains("\u{7}") == false)
        #expect(!client.isComplete)
    }

    @Test("Extension attributes after r, s and i are ignored")
    func extensionsIgnored() throws {
        var client = try Self.client()
        let final = try client.respond(to: [UInt8](utf8: "r=abcdef,s=\(Self.salt),i=4096,x=ext"))
        #expect(final.starts(with: [UInt8](utf8: "c=biws,r=abcdef,p=")))
    }
}
