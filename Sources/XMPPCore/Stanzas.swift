/// A message stanza (RFC 6121 §5): typed attributes and core children, payloads as elements.
public typealias Message = JabberClient.Message
/// A presence stanza (RFC 6121 §4).
public typealias Presence = JabberClient.Presence
/// An IQ stanza (RFC 6120 §8.2.3): a request (`get`, `set`) or its answer (`result`, `error`).
public typealias IQ = JabberClient.IQ

/// A stanza that carries extension payloads: the elements from other namespaces inside a message, presence
/// or IQ. Payloads are kept as elements and decoded into their generated types when asked for.
///
/// ```swift
/// var message = Message(to: JID("juliet@example.com"), type: .chat, bodies: [.init(value: "Hi")])
/// message.addPayload(ChatStates.Active())
/// let state = try message.payload(ChatStates.Active.self)
/// ```
public protocol PayloadCarrying {
    /// The payload elements, in order.
    var payloads: [XMLElement] { get set }
}

extension PayloadCarrying {
    /// The first payload of a type, decoded, or `nil` when there is none.
    ///
    /// - Parameter type: The generated payload type.
    /// - Throws: ``XMLDecodingError`` when the payload is there but does not match its type.
    public func payload<Payload: XMLElementCodable>(_ type: Payload.Type) throws(XMLDecodingError) -> Payload? {
        guard let element = payloads.first(where: { $0.name == Payload.qualifiedName }) else { return nil }
        return try Payload(xml: element)
    }

    /// Every payload of a type, decoded, in order.
    ///
    /// - Parameter type: The generated payload type.
    /// - Throws: ``XMLDecodingError`` when one does not match its type.
    public func payloads<Payload: XMLElementCodable>(_ type: Payload.Type) throws(XMLDecodingError) -> [Payload] {
        var result: [Payload] = []
        for element in payloads where element.name == Payload.qualifiedName {
            result.append(try Payload(xml: element))
        }
        return result
    }

    /// Whether a payload with the type's name is present (without decoding it).
    ///
    /// - Parameter type: The generated payload type.
    public func hasPayload<Payload: XMLElementCodable>(_ type: Payload.Type) -> Bool {
        payloads.contains { $0.name == Payload.qualifiedName }
    }

    /// Adds a payload after the others.
    ///
    /// - Parameter payload: The payload.
    public mutating func addPayload(_ payload: some XMLElementCodable) {
        payloads.append(payload.xmlElement())
    }

    /// Removes every payload of a type.
    ///
    /// - Parameter type: The generated payload type.
    public mutating func removePayloads<Payload: XMLElementCodable>(_ type: Payload.Type) {
        payloads.removeAll { $0.name == Payload.qualifiedName }
    }
}

extension JabberClient.Message: PayloadCarrying {}
extension JabberClient.Presence: PayloadCarrying {}
extension JabberClient.IQ: PayloadCarrying {}
