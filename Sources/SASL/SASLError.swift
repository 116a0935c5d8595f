/// The reason a SASL exchange could not start or continue on the client side.
///
/// ``code`` says what went wrong and ``detail`` adds the specifics: the server's `e=` value, what is wrong with a
/// challenge, or the bounds an iteration count broke. ``description`` puts both into an English sentence. Neither
/// ever contains a password or any other secret: errors about credentials name the field and the rule, never the
/// characters.
///
/// ```swift
/// do {
///     try client.complete(additionalData: outcome)
/// } catch let error as SASLError where error.code == .serverSignatureMismatch {
///     // The server did not prove that it knows the password: treat it as an impostor.
/// }
/// ```
public struct SASLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    ///
    /// Codes are static members rather than enum cases, so that new ones can be added without breaking
    /// exhaustive `switch` statements; compare with `==` or match them in `case` patterns.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case noAcceptableMechanism
            case mechanismNotSupported
            case channelBindingRequired
            case channelBindingNotSupported
            case invalidCredentials
            case invalidChallenge
            case unexpectedChallenge
            case serverError
            case serverSignatureMismatch
            case serverSignatureMissing
            case iterationCountOutOfBounds
            case cryptographyFailed
            case downgradeDetected
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// None of the mechanisms the server offered is acceptable to ``SASLMechanismSelector``; ``detail`` lists
        /// the offered names and why the likely candidates were refused.
        public static let noAcceptableMechanism = Code(.noAcceptableMechanism)
        /// ``SASLClient`` does not implement the mechanism, or not with the kind of credentials given; ``detail``
        /// names the mechanism.
        public static let mechanismNotSupported = Code(.mechanismNotSupported)
        /// A `-PLUS` mechanism was chosen without channel-binding data to bind to.
        public static let channelBindingRequired = Code(.channelBindingRequired)
        /// Channel-binding data was given for a mechanism that cannot carry it (one without `-PLUS`).
        public static let channelBindingNotSupported = Code(.channelBindingNotSupported)
        /// A username, password or authorization identity cannot be used: SASLprep (RFC 4013) refuses it, or it
        /// contains a character the mechanism cannot encode. ``detail`` names the field and the rule only.
        public static let invalidCredentials = Code(.invalidCredentials)
        /// A challenge or the additional data with success is malformed or breaks a rule of the mechanism;
        /// ``detail`` says how.
        public static let invalidChallenge = Code(.invalidChallenge)
        /// The server sent a challenge or additional data where the mechanism expects none, or the exchange was
        /// driven further after it finished or failed.
        public static let unexpectedChallenge = Code(.unexpectedChallenge)
        /// The server reported a SCRAM error (`e=`, RFC 5802 §7); ``detail`` is its value, such as `invalid-proof`.
        public static let serverError = Code(.serverError)
        /// The SCRAM server signature (`v=`) does not match the one computed from the password: the server does
        /// not know the password, so it must not be trusted.
        public static let serverSignatureMismatch = Code(.serverSignatureMismatch)
        /// The server reported success without sending the SCRAM server signature (`v=`), so it never proved that
        /// it knows the password.
        public static let serverSignatureMissing = Code(.serverSignatureMissing)
        /// The SCRAM iteration count (`i=`) is below the configured minimum or above the configured maximum;
        /// ``detail`` gives the count and the bound.
        public static let iterationCountOutOfBounds = Code(.iterationCountOutOfBounds)
        /// libcrypto failed to produce random bytes, a hash, an HMAC or a PBKDF2 key.
        public static let cryptographyFailed = Code(.cryptographyFailed)
        /// The server's downgrade-protection hash (XEP-0474, `h=` in the SCRAM server-first message) does not
        /// match the mechanisms and channel-binding types the client saw offered: someone on the path removed some.
        public static let downgradeDetected = Code(.downgradeDetected)

        /// The code's name, for example `serverSignatureMismatch`.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code

    /// The specifics, in English or as the server sent them (for ``Code/serverError``); never a secret.
    public let detail: String?

    init(_ code: Code, _ detail: String? = nil) {
        self.code = code
        self.detail = detail
    }

    /// An English sentence describing the error, for logs and user interfaces. It never contains a secret.
    public var description: String {
        let suffix = detail.map { ": \($0)" } ?? "."
        switch code {
        case .noAcceptableMechanism:
            return "SASL: none of the server's mechanisms is acceptable" + suffix
        case .mechanismNotSupported:
            return "SASL: the mechanism is not supported with these credentials" + suffix
        case .channelBindingRequired:
            return "SASL: the -PLUS mechanism needs channel-binding data from the TLS layer" + suffix
        case .channelBindingNotSupported:
            return "SASL: channel binding needs a -PLUS mechanism" + suffix
        case .invalidCredentials:
            return "SASL: the credentials cannot be used" + suffix
        case .invalidChallenge:
            return "SASL: the server's message is invalid" + suffix
        case .unexpectedChallenge:
            return "SASL: unexpected step in the exchange" + suffix
        case .serverError:
            return "SASL: the server reported an error" + (detail.map { ": \($0)." } ?? ".")
        case .serverSignatureMismatch:
            return "SASL: the server's signature does not match; the server does not know the password."
                + (detail.map { " \($0)" } ?? "")
        case .serverSignatureMissing:
            return "SASL: the server reported success without proving that it knows the password (no v= attribute)."
        case .iterationCountOutOfBounds:
            return "SASL: the SCRAM iteration count is out of bounds" + suffix
        case .cryptographyFailed:
            return "SASL: libcrypto failed" + suffix
        case .downgradeDetected:
            return "SASL: the mechanisms offered were tampered with on the way (XEP-0474)" + suffix
        default:
            return "SASL: \(code)" + suffix
        }
    }
}

extension SASLError {
    static func noAcceptableMechanism(_ detail: String) -> SASLError { SASLError(.noAcceptableMechanism, detail) }
    static func mechanismNotSupported(_ detail: String) -> SASLError { SASLError(.mechanismNotSupported, detail) }
    static func invalidCredentials(_ detail: String) -> SASLError { SASLError(.invalidCredentials, detail) }
    static func invalidChallenge(_ reason: String) -> SASLError { SASLError(.invalidChallenge, reason) }
    static func unexpectedChallenge(_ detail: String) -> SASLError { SASLError(.unexpectedChallenge, detail) }
    static func serverError(_ value: String) -> SASLError { SASLError(.serverError, value) }
    static func cryptographyFailed(_ function: String) -> SASLError {
        SASLError(.cryptographyFailed, "\(function) failed")
    }
    static let serverSignatureMismatch = SASLError(.serverSignatureMismatch)
    static let serverSignatureMissing = SASLError(.serverSignatureMissing)
}
