/// The client side of one SCRAM exchange (RFC 5802, RFC 7677), without the state keeping of ``SASLClient``.
///
/// Built with the client-first message ready; ``clientFinal(serverFirst:)`` answers the server-first message and
/// returns the signature the server must prove, which ``verify(serverFinal:expectedSignature:)`` checks.
struct SCRAMClient: Sendable {
    let hash: SCRAMHash
    let configuration: SASLClient.Configuration
    /// The SASLprep'd password as UTF-8.
    private let password: [UInt8]
    /// `gs2-header` (RFC 5802 §7), for example `n,,` or `p=tls-exporter,a=admin,`.
    let gs2Header: String
    /// The channel-binding data sent after the GS2 header in `c=`; empty unless bound.
    private let channelBindingData: [UInt8]
    let clientNonce: String
    /// `client-first-message-bare`: `n=<user>,r=<nonce>`.
    let clientFirstBare: String

    /// - Parameter clientNonce: The nonce to use, or `nil` for 24 fresh random bytes in base64.
    init(
        hash: SCRAMHash,
        username: String,
        password: String,
        authorizationIdentity: String?,
        channelBinding: SASLChannelBindingFlag,
        configuration: SASLClient.Configuration,
        clientNonce: String?
    ) throws(SASLError) {
        self.hash = hash
        self.configuration = configuration
        let preparedUsername = try SASLprep.prepare(
            username, allowingUnassigned: configuration.allowsUnassignedCodePoints, field: "the username")
        self.password = Array(
            try SASLprep.prepare(
                password, allowingUnassigned: configuration.allowsUnassignedCodePoints, field: "the password"
            ).utf8)
        let authzid = try authorizationIdentity.map { authzid throws(SASLError) in
            guard !authzid.unicodeScalars.contains("\0") else {
                throw .invalidCredentials("the authorization identity contains NUL")
            }
            return "a=" + Self.saslname(authzid)
        }
        switch channelBinding {
        case .notSupported:
            gs2Header = "n," + (authzid ?? "") + ","
            channelBindingData = []
        case .notOfferedByServer:
            gs2Header = "y," + (authzid ?? "") + ","
            channelBindingData = []
        case .bound(let binding):
            gs2Header = "p=" + binding.kind.rawValue + "," + (authzid ?? "") + ","
            channelBindingData = binding.data
        }
        let nonce: String
        if let clientNonce {
            nonce = clientNonce
        } else {
            nonce = Base64.encode(try randomBytes(24))
        }
        self.clientNonce = nonce
        clientFirstBare = "n=" + Self.saslname(preparedUsername) + ",r=" + nonce
    }

    /// `client-first-message`: the GS2 header followed by the bare message.
    var clientFirst: String { gs2Header + clientFirstBare }

    /// Escapes `,` as `=2C` and `=` as `=3D` (RFC 5802 §5.1, `saslname`).
    static func saslname(_ name: String) -> String {
        var escaped = ""
        for character in name.unicodeScalars {
            switch character {
            case ",": escaped += "=2C"
            case "=": escaped += "=3D"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Computes the client-final message for `serverFirst`, checking it along the way.
    ///
    /// - Returns: The `client-final-message` and the `ServerSignature` the server-final message must carry.
    func clientFinal(serverFirst: [UInt8]) throws(SASLError) -> (message: String, serverSignature: [UInt8]) {
        let serverFirstText = try Self.text(serverFirst, what: "server-first message")
        let attributes = try Self.attributes(serverFirstText, what: "server-first message")
        if let error = attributes.first(where: { $0.name == "e" }) {
            throw .serverError(Self.sanitized(error.value))
        }
        if attributes.first?.name == "m" {
            throw .invalidChallenge("the server-first message requires an unsupported extension (m=)")
        }
        guard attributes.count >= 3, attributes[0].name == "r", attributes[1].name == "s", attributes[2].name == "i"
        else {
            throw .invalidChallenge("the server-first message must start with the attributes r=, s= and i=")
        }
        let nonce = attributes[0].value
        guard nonce.hasPrefix(clientNonce) else {
            throw .invalidChallenge("the server nonce does not start with the client nonce")
        }
        guard nonce.utf8.count > clientNonce.utf8.count else {
            throw .invalidChallenge("the server added nothing to the client nonce")
        }
        guard nonce.utf8.allSatisfy({ 0x21...0x7E ~= $0 }) else {
            throw .invalidChallenge("the nonce contains characters other than printable ASCII")
        }
        guard let salt = Base64.decode(attributes[1].value) else {
            throw .invalidChallenge("the salt (s=) is not valid base64")
        }
        guard !salt.isEmpty else { throw .invalidChallenge("the salt (s=) is empty") }
        let iterations = try iterationCount(attributes[2].value)
        if let advertised = configuration.advertised,
            let hash = attributes.dropFirst(3).first(where: { $0.name == "h" })
        {
            // XEP-0474: the server's hash of what it offered must be the hash of what we saw offered.
            let expected = Base64.encode(try self.hash.hash(advertised.downgradeProtectionInput))
            guard constantTimeEqual(Array(hash.value.utf8), Array(expected.utf8)) else {
                throw SASLError(
                    .downgradeDetected,
                    "the server's hash of its offer does not match the offer received: "
                        + advertised.mechanisms.joined(separator: ", "))
            }
        }

        let channelBinding = Base64.encode(Array(gs2Header.utf8) + channelBindingData)
        let withoutProof = "c=" + channelBinding + ",r=" + nonce
        let authMessage = Array((clientFirstBare + "," + serverFirstText + "," + withoutProof).utf8)

        let saltedPassword = try hash.pbkdf2(password: password, salt: salt, iterations: iterations)
        let clientKey = try hash.hmac(key: saltedPassword, Array("Client Key".utf8))
        let storedKey = try hash.hash(clientKey)
        let clientSignature = try hash.hmac(key: storedKey, authMessage)
        let clientProof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = try hash.hmac(key: saltedPassword, Array("Server Key".utf8))
        let serverSignature = try hash.hmac(key: serverKey, authMessage)
        return (withoutProof + ",p=" + Base64.encode(clientProof), serverSignature)
    }

    /// Checks the `server-final-message`: `v=` must carry `expectedSignature`, and `e=` is surfaced as an error.
    func verify(serverFinal: [UInt8], expectedSignature: [UInt8]) throws(SASLError) {
        let text = try Self.text(serverFinal, what: "server-final message")
        let attributes = try Self.attributes(text, what: "server-final message")
        switch attributes[0].name {
        case "e":
            throw .serverError(Self.sanitized(attributes[0].value))
        case "v":
            guard let signature = Base64.decode(attributes[0].value) else {
                throw .invalidChallenge("the server signature (v=) is not valid base64")
            }
            guard constantTimeEqual(signature, expectedSignature) else { throw .serverSignatureMismatch }
        default:
            throw .serverSignatureMissing
        }
    }

    private func iterationCount(_ text: Substring) throws(SASLError) -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy({ 0x30...0x39 ~= $0 }), text.first != "0" else {
            throw .invalidChallenge("the iteration count (i=) is not a positive decimal number")
        }
        // Anything longer than the maximum's digits is too large; this also keeps Int from overflowing.
        let maximum = configuration.maximumIterationCount
        guard text.utf8.count <= String(maximum).utf8.count, let count = Int(text), count <= maximum else {
            throw SASLError(.iterationCountOutOfBounds, "the server asks for more than \(maximum) iterations")
        }
        guard count >= configuration.minimumIterationCount else {
            throw SASLError(
                .iterationCountOutOfBounds,
                "the server asks for \(count) iterations, fewer than the minimum of \(configuration.minimumIterationCount)"
            )
        }
        return count
    }

    /// The message as UTF-8 text.
    private static func text(_ bytes: [UInt8], what: String) throws(SASLError) -> String {
        guard !bytes.isEmpty else { throw .invalidChallenge("the \(what) is empty") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidChallenge("the \(what) is not valid UTF-8")
        }
        return text
    }

    /// Splits `attr=value,attr=value`, where each name is a single ASCII letter (RFC 5802 §7).
    private static func attributes(
        _ text: String,
        what: String
    ) throws(SASLError) -> [(name: Character, value: Substring)] {
        var result: [(name: Character, value: Substring)] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let name = part.first, name.isASCII, name.isLetter, part.dropFirst().first == "=" else {
                throw .invalidChallenge("the \(what) is not a list of SCRAM attributes (a=value,...)")
            }
            result.append((name, part.dropFirst(2)))
        }
        return result
    }

    /// The server's value with anything but printable ASCII replaced by `?`, at most 100 characters.
    private static func sanitized(_ value: Substring) -> String {
        let printable = value.unicodeScalars.prefix(100).map { 0x20...0x7E ~= $0.value ? Character($0) : "?" }
        return String(printable) + (value.unicodeScalars.count > 100 ? "…" : "")
    }
}
