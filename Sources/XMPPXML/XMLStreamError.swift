/// Why an ``XMLStreamParser`` stopped: bad, hostile or oversized input from the peer.
///
/// Every error names the XMPP stream error ``condition`` (RFC 6120 §4.9.3) that a receiving entity sends
/// before it closes the stream, so the stream layer can answer the peer without guessing. After an error the
/// parser accepts no more input until ``XMLStreamParser/reset()``.
public struct XMLStreamError: Error, Hashable, Sendable {
    /// The stream error condition that fits the failure.
    public var condition: Condition
    /// A human-readable explanation, for logs; not meant to be sent to the peer.
    public var message: String
    /// The offset, in bytes from the start of the current XML document (the stream since its last restart), at
    /// which the parser noticed the problem. It is approximate: libxml2 reports errors where it detects them,
    /// which can be a few bytes after the offending input.
    public var offset: Int

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - condition: The matching stream error condition.
    ///   - message: What went wrong.
    ///   - offset: Where, in bytes from the start of the document.
    public init(_ condition: Condition, _ message: String, offset: Int = 0) {
        self.condition = condition
        self.message = message
        self.offset = offset
    }
}

extension XMLStreamError: CustomStringConvertible {
    /// `condition: message (at byte N)`.
    public var description: String {
        "\(condition.rawValue): \(message) (at byte \(offset))"
    }
}

extension XMLStreamError {
    /// An XMPP stream error condition, by the local name of its element in `urn:ietf:params:xml:ns:xmpp-streams`.
    ///
    /// A struct rather than an enum so conditions defined later (or sent by a peer) still fit.
    public struct Condition: RawRepresentable, Hashable, Sendable {
        /// The element name of the condition, such as `restricted-xml`.
        public var rawValue: String

        /// Creates a condition from its element name.
        ///
        /// - Parameter rawValue: The local name of the condition element.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The XML violates the well-formedness rules of XML 1.0 or XML Namespaces, or is not valid UTF-8
        /// (RFC 6120 §4.9.3.13).
        public static let notWellFormed = Condition(rawValue: "not-well-formed")
        /// The XML uses something RFC 6120 §11.1 forbids: a DTD, an entity declaration or reference other than
        /// the predefined ones, a comment, or a processing instruction (§4.9.3.18).
        public static let restrictedXML = Condition(rawValue: "restricted-xml")
        /// The stream's root is in the wrong namespace (§4.9.3.10).
        public static let invalidNamespace = Condition(rawValue: "invalid-namespace")
        /// The XML is well-formed but cannot be processed: a wrong root element, text at stream level (§4.9.3.1).
        public static let badFormat = Condition(rawValue: "bad-format")
        /// A configured limit was crossed: stanza size, nesting depth, attribute count, text or name length
        /// (§4.9.3.14).
        public static let policyViolation = Condition(rawValue: "policy-violation")
        /// The stream is not encoded in UTF-8 (§4.9.3.22).
        public static let unsupportedEncoding = Condition(rawValue: "unsupported-encoding")
        /// The stream declares an XML version other than 1.0 (§4.9.3.25 covers the XMPP version; an unknown XML
        /// version is reported as this too).
        public static let unsupportedVersion = Condition(rawValue: "unsupported-version")
    }
}
