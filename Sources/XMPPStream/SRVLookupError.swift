/// Why an SRV lookup gave no usable answer.
public struct SRVLookupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure it is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The DNS lookup failed: no answer from the name servers, a server failure, a refusal.
        public static let lookupFailed = Code("lookup-failed")
        /// The answer is not a well-formed DNS message.
        public static let malformedAnswer = Code("malformed-answer")
        /// The domain says the service is not offered at all (an SRV record with target `.`, RFC 2782): the client
        /// must not fall back to the domain's address (RFC 6120 §3.2.1).
        public static let serviceNotAvailable = Code("service-not-available")

        /// A readable form.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, for people.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind.
    ///   - message: What happened.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
