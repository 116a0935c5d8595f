/// A stanza error (RFC 6120 §8.3): the answer to one stanza that could not be processed. It does not end the
/// stream; a stream error does.
///
/// Thrown by ``IQ`` requests that are answered with an error, and thrown by IQ responders to answer with one:
///
/// ```swift
/// throw StanzaError(.itemNotFound, text: "no such node")
/// ```
public struct StanzaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the sender may do about it (`cancel`, `continue`, `modify`, `auth`, `wait`).
    public var type: StanzaErrors.ErrorType
    /// The defined condition, such as ``JabberClient/Error/Condition/itemNotFound``; unknown ones are kept as
    /// elements.
    public var condition: JabberClient.Error.Condition
    /// Human-readable text, for logs rather than users.
    public var text: String?
    /// The entity that generated the error, when it says so.
    public var by: JID?
    /// Application-specific conditions (elements of other namespaces).
    public var applicationConditions: [XMLElement]
    /// The stanza that carried the error, when it was received.
    public var stanza: XMLElement?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - condition: The defined condition.
    ///   - type: The error type; when `nil`, the usual type for the condition (RFC 6120 §8.3.3).
    ///   - text: Optional text.
    ///   - applicationConditions: Optional application-specific condition elements.
    public init(
        _ condition: JabberClient.Error.Condition,
        type: StanzaErrors.ErrorType? = nil,
        text: String? = nil,
        applicationConditions: [XMLElement] = []
    ) {
        self.condition = condition
        self.type = type ?? Self.usualType(of: condition)
        self.text = text
        self.by = nil
        self.applicationConditions = applicationConditions
        self.stanza = nil
    }

    /// The error a stanza carries.
    ///
    /// - Parameters:
    ///   - error: The decoded `<error/>` child.
    ///   - stanza: The stanza that carried it.
    public init(_ error: JabberClient.Error, in stanza: XMLElement? = nil) {
        self.condition = error.condition
        self.type = error.type
        self.text = error.text?.value
        self.by = error.by
        self.applicationConditions = error.payloads
        self.stanza = stanza
    }

    /// The `<error/>` child to put in a stanza.
    public var element: JabberClient.Error {
        JabberClient.Error(
            type: type, by: by, condition: condition, text: text.map { StanzaErrors.Text(value: $0) },
            payloads: applicationConditions)
    }

    /// The condition's name as written in XML, such as `item-not-found`.
    public var conditionName: String {
        condition.xmlElement().name.localName
    }

    /// A readable form: the condition, and the text when there is one.
    public var description: String {
        "stanza error \(conditionName) (\(type))" + (text.map { ": \($0)" } ?? "")
    }

    /// The type RFC 6120 §8.3.3 gives for a condition.
    static func usualType(of condition: JabberClient.Error.Condition) -> StanzaErrors.ErrorType {
        switch condition {
        case .badRequest, .jidMalformed, .notAcceptable, .policyViolation, .redirect: .modify
        case .forbidden, .notAuthorized, .registrationRequired, .subscriptionRequired: .auth
        case .recipientUnavailable, .remoteServerTimeout, .resourceConstraint, .unexpectedRequest: .wait
        default: .cancel
        }
    }
}

extension StanzaError {
    /// `service-unavailable`: what an entity answers to a request it does not handle (RFC 6120 §8.4).
    public static var serviceUnavailable: StanzaError { StanzaError(.serviceUnavailable) }
    /// `feature-not-implemented`.
    public static var featureNotImplemented: StanzaError { StanzaError(.featureNotImplemented) }
    /// `internal-server-error`: what an IQ responder's unexpected failure becomes.
    public static var internalServerError: StanzaError { StanzaError(.internalServerError) }
    /// `bad-request`.
    public static var badRequest: StanzaError { StanzaError(.badRequest) }
    /// `item-not-found`.
    public static var itemNotFound: StanzaError { StanzaError(.itemNotFound) }
    /// `forbidden`.
    public static var forbidden: StanzaError { StanzaError(.forbidden) }
    /// `not-allowed`.
    public static var notAllowed: StanzaError { StanzaError(.notAllowed) }
}
