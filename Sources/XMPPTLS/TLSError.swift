/// Why a TLS connection failed: the server could not be verified, the handshake failed, or the connection broke.
///
/// ``TLSClientHandler`` fires it through the pipeline (`errorCaught`) and closes the channel; creating a
/// ``TLSClientContext`` or a handler throws it for bad configuration. The ``message`` is for logs and users: it
/// carries OpenSSL's reason and the names involved, never key material or application data.
public struct TLSError: Error, Hashable, Sendable {
    /// What kind of failure this is; branch on this, not on the message.
    public var code: Code
    /// A human-readable explanation, including OpenSSL's own reason where there is one.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: What went wrong.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

extension TLSError: CustomStringConvertible {
    /// `code: message`.
    public var description: String {
        "\(code.rawValue): \(message)"
    }
}

extension TLSError {
    /// A kind of TLS failure. A struct rather than an enum so new kinds don't break the API.
    public struct Code: RawRepresentable, Hashable, Sendable {
        /// A stable, dash-separated name, such as `hostname-mismatch`.
        public var rawValue: String

        /// Creates a code from its name.
        ///
        /// - Parameter rawValue: The name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The server's certificate chain does not lead to a trusted certificate authority: the issuer is
        /// unknown, or the certificate is self-signed and not in the trust store.
        public static let untrustedCertificate = Code(rawValue: "untrusted-certificate")
        /// The certificate is valid but issued for another name: neither a DNS-ID nor the SRV-ID
        /// `_xmpp-client.<domain>` (nor, for certificates without such names, the common name) matches the
        /// expected domain.
        public static let hostnameMismatch = Code(rawValue: "hostname-mismatch")
        /// The server's certificate (or one in its chain) has expired.
        public static let certificateExpired = Code(rawValue: "certificate-expired")
        /// The server's certificate (or one in its chain) is not valid yet.
        public static let certificateNotYetValid = Code(rawValue: "certificate-not-yet-valid")
        /// The certificate chain failed verification for another reason: bad signature, wrong purpose, revoked,
        /// too weak for the security level.
        public static let certificateInvalid = Code(rawValue: "certificate-invalid")
        /// Client and server share no acceptable protocol version (for instance, the server offers only TLS 1.2
        /// and the configuration requires TLS 1.3).
        public static let protocolVersion = Code(rawValue: "protocol-version")
        /// The handshake failed for another reason: no shared cipher, a fatal alert from the server, data that
        /// is not TLS.
        public static let handshakeFailed = Code(rawValue: "handshake-failed")
        /// The connection ended without a TLS close_notify: during the handshake, or afterwards (a possible
        /// truncation).
        public static let unexpectedEOF = Code(rawValue: "unexpected-eof")
        /// A TLS protocol error after the handshake: a record that fails to decrypt, an unexpected message, a
        /// fatal alert.
        public static let protocolError = Code(rawValue: "protocol-error")
        /// The configuration cannot be used: an unreadable CA file, an invalid domain or ALPN protocol name.
        public static let invalidConfiguration = Code(rawValue: "invalid-configuration")
    }
}
