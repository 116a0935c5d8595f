/// What the client authenticates with: a username and password, a token the server issued, an identity
/// established outside SASL, or nothing at all.
///
/// Build one with ``password(username:password:authorizationIdentity:)``, ``external(authorizationIdentity:)``
/// or ``anonymous(trace:)``. The kind decides which mechanisms ``SASLMechanismSelector`` considers: passwords go
/// with SCRAM and PLAIN, ``external(authorizationIdentity:)`` with EXTERNAL only, ``anonymous(trace:)`` with
/// ANONYMOUS only.
///
/// ``token(username:token:)`` goes with the hashed-token mechanisms (`HT-SHA-256-*`) only.
///
/// The password (or token) is never printed: ``description``, ``debugDescription`` and `dump` (through `customMirror`) show
/// it as `<redacted>`. Swift strings cannot be wiped from memory, so the password stays there as long as the value
/// does.
public struct SASLCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    enum Kind: Sendable, Hashable {
        case password(username: String, password: String)
        case external
        case anonymous(trace: String?)
        case token(username: String, token: String)
    }

    let kind: Kind

    /// The identity to act as, when it differs from the one authenticated (RFC 4422 §2); `nil` to act as
    /// oneself. In XMPP it is a bare JID, and it is usually left out.
    public let authorizationIdentity: String?

    private init(kind: Kind, authorizationIdentity: String?) {
        self.kind = kind
        self.authorizationIdentity = authorizationIdentity
    }

    /// A username (the authentication identity) and a password, for SCRAM and PLAIN.
    ///
    /// Pass them as the user typed them: SCRAM applies SASLprep (RFC 4013) itself, and PLAIN leaves preparation
    /// to the server.
    ///
    /// - Parameters:
    ///   - username: The authentication identity; in XMPP, the localpart of the account's JID.
    ///   - password: The password.
    ///   - authorizationIdentity: The identity to act as, or `nil` (the usual case) to act as `username`.
    /// - Returns: The credentials.
    public static func password(
        username: String,
        password: String,
        authorizationIdentity: String? = nil
    ) -> SASLCredentials {
        SASLCredentials(
            kind: .password(username: username, password: password),
            authorizationIdentity: authorizationIdentity)
    }

    /// Authentication established outside SASL (for example a TLS client certificate), for EXTERNAL.
    ///
    /// - Parameter authorizationIdentity: The identity to act as, or `nil` to let the server derive it from the
    ///   external authentication.
    /// - Returns: The credentials.
    public static func external(authorizationIdentity: String? = nil) -> SASLCredentials {
        SASLCredentials(kind: .external, authorizationIdentity: authorizationIdentity)
    }

    /// No authentication, for ANONYMOUS (RFC 4505).
    ///
    /// - Parameter trace: Optional trace information for the server's logs, such as an email address (RFC 4505
    ///   §2); `nil` sends an empty message.
    /// - Returns: The credentials.
    public static func anonymous(trace: String? = nil) -> SASLCredentials {
        SASLCredentials(kind: .anonymous(trace: trace), authorizationIdentity: nil)
    }

    /// A username and a token the server issued (XEP-0484 FAST), for the hashed-token (`HT-`) mechanisms.
    ///
    /// The token is a secret like a password: it is never printed.
    ///
    /// - Parameters:
    ///   - username: The authentication identity; in XMPP, the localpart of the account's JID.
    ///   - token: The token's secret, as the server sent it.
    /// - Returns: The credentials.
    public static func token(username: String, token: String) -> SASLCredentials {
        SASLCredentials(kind: .token(username: username, token: token), authorizationIdentity: nil)
    }

    /// The username for password and token credentials, `nil` for the other kinds.
    public var username: String? {
        switch kind {
        case .password(let username, _), .token(let username, _): username
        case .external, .anonymous: nil
        }
    }

    /// Whether these are token credentials, for the hashed-token mechanisms.
    public var isToken: Bool {
        if case .token = kind { return true }
        return false
    }

    /// Whether these are username-and-password credentials.
    public var hasPassword: Bool {
        if case .password = kind { return true }
        return false
    }

    /// The kind and the identities, with the password replaced by `<redacted>`.
    public var description: String {
        let authzid = authorizationIdentity.map { ", authorizationIdentity: \($0)" } ?? ""
        switch kind {
        case .password(let username, _):
            return "SASLCredentials.password(username: \(username), password: <redacted>\(authzid))"
        case .external:
            return "SASLCredentials.external(\(authzid.dropFirst(2)))"
        case .anonymous(let trace):
            return "SASLCredentials.anonymous(trace: \(trace ?? "nil"))"
        case .token(let username, _):
            return "SASLCredentials.token(username: \(username), token: <redacted>)"
        }
    }

    /// The same as ``description``: the password is redacted.
    public var debugDescription: String { description }

    /// A mirror that shows the redacted ``description`` instead of the stored properties.
    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .struct)
    }
}
