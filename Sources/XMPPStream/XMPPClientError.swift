/// A local failure of a connection: connecting, TLS, authentication, negotiation, a timeout, a stream error the
/// server sent, or input the stream could not accept.
///
/// New kinds of failure can be added without breaking code that handles these: the code is a struct with
/// static members, and each error records where it was raised.
public struct XMPPClientError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure it is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The TCP connection could not be made.
        public static let connectFailed = Code("connect-failed")
        /// TLS failed: untrusted certificate, host mismatch, protocol version, handshake.
        public static let tlsFailed = Code("tls-failed")
        /// The server does not offer TLS, and the configuration requires it.
        public static let tlsNotOffered = Code("tls-not-offered")
        /// The server refused the credentials, or no acceptable SASL mechanism exists.
        public static let authenticationFailed = Code("authentication-failed")
        /// The server refused the FAST token (XEP-0484): expired, revoked or unknown. Forget it and log in with the
        /// password; ``XMPPClient`` does so at once.
        public static let fastTokenRejected = Code("fast-token-rejected")
        /// The server's SCRAM signature did not verify, or the exchange was malformed.
        public static let saslProtocolError = Code("sasl-protocol-error")
        /// Resource binding or the legacy session failed.
        public static let bindFailed = Code("bind-failed")
        /// The server closed the stream with a stream error.
        public static let streamError = Code("stream-error")
        /// The server sent XML the stream cannot accept.
        public static let badInput = Code("bad-input")
        /// Negotiation, a request or closing took longer than allowed.
        public static let timeout = Code("timeout")
        /// The connection is closed.
        public static let connectionClosed = Code("connection-closed")
        /// The configuration is not usable: a service's dependency is missing, services depend on each other in a
        /// cycle, or a setting is out of range.
        public static let invalidConfiguration = Code("invalid-configuration")
        /// The server does not support what was asked (such as subscription pre-approval).
        public static let notSupported = Code("not-supported")

        /// A readable form.
        public var description: String { name }
    }

    /// The kind of failure.
    public let code: Code
    /// What happened, for people. Never contains credentials.
    public let message: String
    /// Where in this library the error was raised.
    public let location: String
    /// The precise condition, when there is one: a stream error's (`conflict`, `system-shutdown`...) for
    /// ``Code/streamError``, the ``TLSError`` code (`untrusted-certificate`...) for ``Code/tlsFailed``, the SASL
    /// failure's (`not-authorized`...) for ``Code/authenticationFailed``.
    public let condition: String?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind.
    ///   - message: What happened.
    ///   - condition: The precise condition, if any.
    public init(
        _ code: Code, _ message: String, condition: String? = nil, file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.condition = condition
        self.location = "\(file):\(line)"
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
