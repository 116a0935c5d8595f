public import SASL
public import XMPPCore

/// Extensible SASL Profile (XEP-0388), with Bind 2 (XEP-0386) and FAST (XEP-0484): what ``ClientNegotiation``
/// needs of them.
///
/// SASL2 authenticates without restarting the stream; Bind 2 binds the resource and enables stream management and
/// carbons inside the same exchange; FAST gives the client a token to log in with next time in a single round trip,
/// without the password. A login over SASL2 with Bind 2 takes two round trips after TLS where RFC 6120 takes five,
/// and with a FAST token one.
public enum SASL2 {
    /// `urn:xmpp:sasl:2`.
    public static let namespace = "urn:xmpp:sasl:2"
    /// `urn:xmpp:bind:0` (Bind 2).
    public static let bindNamespace = "urn:xmpp:bind:0"
    /// `urn:xmpp:fast:0`.
    public static let fastNamespace = "urn:xmpp:fast:0"
    /// `urn:xmpp:carbons:2`, which Bind 2 can enable inline.
    public static let carbonsNamespace = "urn:xmpp:carbons:2"

    /// A name in the SASL2 namespace.
    public static func name(_ localName: String) -> XMLName {
        XMLName(namespace: namespace, localName: localName)
    }

    /// Who is connecting (XEP-0388 `<user-agent/>`): a stable installation id, and optionally the software and
    /// the device, which the server may show the user among their sessions.
    public struct UserAgent: Sendable, Hashable, Codable {
        /// A UUID v4 that stays the same for this installation: the server keys FAST tokens and stable resources
        /// to it.
        public var id: String
        /// The client software, such as `"EchoBot 1.2"`.
        public var software: String?
        /// The device, such as `"build server"`.
        public var device: String?

        /// Creates a user agent.
        ///
        /// - Parameters:
        ///   - id: The installation's UUID v4; a new random one by default (keep it, with the FAST token, to log in
        ///     with the token after a restart: ``FASTToken/clientID`` does).
        ///   - software: The client software.
        ///   - device: The device.
        public init(id: String = SASL2.randomUUID(), software: String? = "swift-xmpp", device: String? = nil) {
            self.id = id
            self.software = software
            self.device = device
        }
    }

    /// A random UUID v4 (RFC 9562 §5.4), in lowercase.
    public static func randomUUID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
        return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { hex[$0].joined() }.joined(separator: "-")
    }

    /// How a client uses SASL2 when the server offers it (after TLS only, XEP-0388 §8).
    public struct Settings: Sendable, Hashable {
        /// Who is connecting.
        public var userAgent: UserAgent
        /// The Bind 2 tag, the prefix of the resource the server assigns (visible to contacts: no private
        /// information). Bind 2 is used only when the account's JID has no resource: a configured resource is
        /// bound the RFC 6120 way, after SASL2.
        public var bindTag: String
        /// Enable message carbons (XEP-0280) inline with Bind 2, when the server offers it.
        public var enablesCarbons: Bool
        /// A FAST token to log in with, when the server offers its mechanism.
        public var fastToken: FASTToken?
        /// Ask for a FAST token (when logging in without one, and the server offers FAST).
        public var requestsFASTToken: Bool

        /// Creates settings.
        ///
        /// - Parameters:
        ///   - userAgent: Who is connecting; a fresh random id by default.
        ///   - bindTag: The Bind 2 tag.
        ///   - enablesCarbons: Whether to enable carbons inline.
        ///   - fastToken: A token to log in with.
        ///   - requestsFASTToken: Whether to ask for a token.
        public init(
            userAgent: UserAgent = UserAgent(),
            bindTag: String = "swift-xmpp",
            enablesCarbons: Bool = false,
            fastToken: FASTToken? = nil,
            requestsFASTToken: Bool = false
        ) {
            self.userAgent = userAgent
            self.bindTag = bindTag
            self.enablesCarbons = enablesCarbons
            self.fastToken = fastToken
            self.requestsFASTToken = requestsFASTToken
        }
    }

    /// What a SASL2 authentication settled, once it succeeded.
    public struct Outcome: Sendable, Hashable {
        /// The mechanism that succeeded.
        public var mechanism: SASLMechanismName
        /// The identity the server authenticated (`<authorization-identifier/>`): the full JID when Bind 2 bound
        /// a resource.
        public var authorizationIdentifier: JID?
        /// Whether Bind 2 bound the resource (else it was bound the RFC 6120 way, or the stream was resumed).
        public var boundInline: Bool
        /// Whether a FAST token authenticated, instead of the password.
        public var usedFASTToken: Bool
        /// A new FAST token the server issued (asked for, or a rotation): keep it in place of the old one.
        public var issuedToken: FASTToken?
        /// The namespaces of what Bind 2 enabled inline (`urn:xmpp:carbons:2`, `urn:xmpp:sm:3`).
        public var enabledInline: Set<String>
    }
}

/// A token from the server (XEP-0484 FAST) to log in with instead of the password, in one round trip.
///
/// It is a secret like a password: ``description`` never shows ``secret``. Store it where the password would go
/// (``Codable`` for that), together with ``clientID``, under which the server issued it.
public struct FASTToken: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The hashed-token mechanism the token was issued for; the server accepts it with that mechanism only.
    public var mechanism: SASLMechanismName
    /// The token.
    public var secret: String
    /// When it expires (XEP-0082 DateTime), as the server said.
    public var expiry: String
    /// The SASL2 user-agent id the token belongs to.
    public var clientID: String

    /// Creates a token.
    public init(mechanism: SASLMechanismName, secret: String, expiry: String, clientID: String) {
        self.mechanism = mechanism
        self.secret = secret
        self.expiry = expiry
        self.clientID = clientID
    }

    /// The mechanism and expiry, with the secret redacted.
    public var description: String { "FASTToken(\(mechanism), expires \(expiry), secret: <redacted>)" }
    /// The same as ``description``.
    public var debugDescription: String { description }
    /// A mirror that shows the redacted ``description``.
    public var customMirror: Mirror { Mirror(self, children: ["description": description], displayStyle: .struct) }
}
